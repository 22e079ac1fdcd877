from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "sales_erp.customers"
    label = "customers"
    verbose_name = "客户"
