from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "sales_erp.reconciliation"
    label = "reconciliation"
    verbose_name = "对账"
