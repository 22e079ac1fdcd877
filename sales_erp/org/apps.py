from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "sales_erp.org"
    label = "org"
    verbose_name = "组织与角色"
