"""Desk pages of deposits kept as admin pages: the statement layouts finance edits, the import records
(read-only: the import writes them), and the payer aliases 销管 recorded (correctable, never added here:
an alias comes from assigning a deposit). Deposits themselves are shown on the pool and deposit pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from sales_erp.deposits.models import DepositImport, ImportProfile, PayerAlias
from sales_erp.desk.admin_base import DeskAdmin


@admin.register(ImportProfile)
class ImportProfileAdmin(DeskAdmin):
    list_display = ["name", "code", "is_active", "date_column", "credit_column", "payer_column", "serial_column"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["name", "code", "is_active"]}),
        ("日期", {"fields": ["date_column", "date_formats", "time_column"]}),
        (
            "金额与收支",
            {"fields": ["credit_column", "debit_column", "direction_column", "credit_marks", "debit_marks"]},
        ),
        ("付款方与流水", {"fields": ["payer_column", "payer_account_column", "serial_column", "summary_column"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # imports refer to their layout; switch 启用 off instead


@admin.register(DepositImport)
class DepositImportAdmin(DeskAdmin):
    list_display = ["imported_at", "result_link", "profile", "imported_by", "credits", "created", "already_imported"]
    list_filter = ["profile"]
    search_fields = ["file_name"]
    readonly_fields = [f.name for f in DepositImport._meta.fields]

    @admin.display(description="文件名", ordering="file_name")
    def result_link(self, record: DepositImport) -> str:
        return format_html('<a href="{}">{}</a>', reverse("deposits:import_detail", args=[record.pk]), record.file_name)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayerAlias)
class PayerAliasAdmin(DeskAdmin):
    list_display = ["payer", "customer", "created_by", "created_at"]
    search_fields = ["payer", "customer__name"]
    readonly_fields = ["payer", "created_by", "created_at"]
    fields = ["payer", "customer", "created_by", "created_at"]
    autocomplete_fields = ["customer"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
