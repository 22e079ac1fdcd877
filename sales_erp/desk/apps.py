from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "sales_erp.desk"
    label = "desk"
    verbose_name = "工作台"
