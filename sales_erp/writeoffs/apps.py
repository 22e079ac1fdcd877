from django.apps import AppConfig


class WriteoffsConfig(AppConfig):
    name = "sales_erp.writeoffs"
    label = "writeoffs"
    verbose_name = "销账"
