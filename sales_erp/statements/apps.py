from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "sales_erp.statements"
    label = "statements"
    verbose_name = "对账单与数据分析报告"
