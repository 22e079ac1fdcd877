"""Desk lists of write-offs and interest. Write-offs and interest entries are written by the services only
(shown here read-only); rates and interest-exempt accounts are configuration 销管 keeps (管理工作台)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.desk.admin_base import DeskAdmin
from sales_erp.writeoffs.models import InterestEntry, InterestExemptAccount, InterestRate


class ReadOnly(DeskAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InterestRate)
class InterestRateAdmin(DeskAdmin):
    list_display = ["kind", "monthly_rate", "effective_from", "note"]
    list_filter = ["kind"]


@admin.register(InterestExemptAccount)
class InterestExemptAccountAdmin(DeskAdmin):
    list_display = ["account", "reason", "added_by", "added_at"]
    search_fields = ["account__code", "account__product__customer__name"]
    autocomplete_fields = ["account"]
    exclude = ["added_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(InterestEntry)
class InterestEntryAdmin(ReadOnly):
    list_display = ["month", "kind", "bill", "account", "customer", "salesperson", "days", "amount", "through"]
    list_filter = ["kind", "month"]
    search_fields = ["bill__name", "account__code", "customer__name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InterestEntry]:
        rows = super().get_queryset(request).select_related("bill", "account", "customer", "salesperson")
        q = customer_visibility_q(request.user, prefix="customer__")  # type: ignore[arg-type]
        return rows if q is None else rows.filter(q)
