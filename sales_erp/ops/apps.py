from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sales_erp.ops"
    label = "ops"
    verbose_name = "运维"
