from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sales_erp.billing"
    label = "billing"
    verbose_name = "发送量与账单"
