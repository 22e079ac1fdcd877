from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sales_erp.jobs"
    label = "jobs"
    verbose_name = "定时任务"
