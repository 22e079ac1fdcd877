from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sales_erp.portal"
    label = "portal"
    verbose_name = "客户门户"
