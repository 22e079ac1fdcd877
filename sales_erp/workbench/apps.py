from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "sales_erp.workbench"
    label = "workbench"
    verbose_name = "管理工作台"
