from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "sales_erp.invoicing"
    label = "invoicing"
    verbose_name = "开票"
