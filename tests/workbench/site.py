"""A throwaway admin site that applies CustomFieldsAdminMixin to Customer, as the customers app will.

The real Customer admin belongs to the customers app; this proves the mixin without registering one.
"""

from __future__ import annotations

from django.urls import path
from import_export.admin import ExportMixin
from import_export.resources import ModelResource
from unfold.sites import UnfoldAdminSite

from sales_erp import urls as project_urls
from sales_erp.customers.models import Customer
from sales_erp.desk.admin_base import DeskAdmin
from sales_erp.workbench.admin import CustomFieldsAdminMixin

site = UnfoldAdminSite(name="cftest")


class CustomerResource(ModelResource):
    class Meta:
        model = Customer
        fields = ["name", "mobile"]


class CustomerAdmin(CustomFieldsAdminMixin, ExportMixin, DeskAdmin):
    custom_field_entity = "customer"
    resource_classes = [CustomerResource]
    list_display = ["name", "custom_fields_display"]
    fields = ["name", "business_contact", "mobile", "tier"]


site.register(Customer, CustomerAdmin)

urlpatterns = [path("cf/", site.urls), *project_urls.urlpatterns]  # the menu links to the real desk
