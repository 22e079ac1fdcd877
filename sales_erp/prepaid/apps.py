from django.apps import AppConfig


class PrepaidConfig(AppConfig):
    name = "sales_erp.prepaid"
    label = "prepaid"
    verbose_name = "预付余额"
