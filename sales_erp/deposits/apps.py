from django.apps import AppConfig


class DepositsConfig(AppConfig):
    name = "sales_erp.deposits"
    label = "deposits"
    verbose_name = "到款"
