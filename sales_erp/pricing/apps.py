from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "sales_erp.pricing"
    label = "pricing"
    verbose_name = "价格"
