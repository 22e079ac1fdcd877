from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "sales_erp.workflow"
    label = "workflow"
    verbose_name = "流程"
