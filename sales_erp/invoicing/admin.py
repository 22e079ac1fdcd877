"""发票登记簿: the register of issued invoices. Read-only: invoices are issued only by archiving an invoice
process (services.invoice_issue / free_invoice_issue). Rows are the customers the user may see (DESIGN §1),
on the list, the record, its history and the export alike; a hidden invoice is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.fields import Field
from import_export.resources import ModelResource
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.contrib.import_export.forms import ExportForm

from sales_erp.desk.admin_base import DeskAdmin, DeskTabularInline
from sales_erp.invoicing.models import Invoice, InvoiceBill
from sales_erp.invoicing.selectors import invoices_visible_to
from sales_erp.org.models import User


class InvoiceResource(ModelResource):
    """The register's export (XLSX/CSV), with the desk's Chinese column names."""

    number = Field(attribute="number", column_name="发票编号")
    issued_on = Field(attribute="issued_on", column_name="开票日期")
    customer_name = Field(attribute="customer__name", column_name="客户")
    entity_name = Field(attribute="entity__name", column_name="我司开票信息")
    type_label = Field(attribute="get_invoice_type_display", column_name="发票类型")
    source_label = Field(attribute="get_source_display", column_name="开票方式")
    title_company_name = Field(attribute="title_company_name", column_name="抬头公司名称")
    title_tax_id = Field(attribute="title_tax_id", column_name="抬头税务号")
    amount = Field(attribute="amount", column_name="开票合计(元)")
    received_amount = Field(attribute="received_amount", column_name="已收金额(元)")
    bills = Field(column_name="账单")
    process = Field(attribute="process__number", column_name="流程编号")

    class Meta:
        model = Invoice
        fields = [
            "number",
            "issued_on",
            "customer_name",
            "entity_name",
            "type_label",
            "source_label",
            "title_company_name",
            "title_tax_id",
            "amount",
            "received_amount",
            "bills",
            "process",
        ]
        export_order = fields

    def dehydrate_bills(self, invoice: Invoice) -> str:
        return "；".join(f"{line.bill.name} {line.amount}" for line in invoice.lines.select_related("bill"))


class InvoiceBillInline(DeskTabularInline):
    model = InvoiceBill
    hide_title = True
    fields = ["bill", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # whoever may see the invoice sees its bills


@admin.register(Invoice)
class InvoiceAdmin(ExportMixin, DeskAdmin):
    resource_classes = [InvoiceResource]
    export_form_class = ExportForm
    list_display = [
        "number",
        "issued_on",
        "customer",
        "entity",
        "invoice_type",
        "source",
        "amount",
        "received_amount",
        "process_link",
    ]
    list_filter = [
        ("customer", admin.RelatedOnlyFieldListFilter),
        ("issued_on", RangeDateFilter),
        "invoice_type",
        ("entity", admin.RelatedOnlyFieldListFilter),
        "source",
    ]
    list_filter_submit = True
    search_fields = ["number", "customer__name", "title_company_name", "lines__bill__name"]
    list_select_related = ["customer", "entity", "process"]
    inlines = [InvoiceBillInline]
    fields = [
        "number",
        "source",
        "issued_on",
        "customer",
        "entity",
        "invoice_type",
        "title_company_name",
        "title_tax_id",
        "title_address",
        "title_phone",
        "title_bank",
        "title_bank_account",
        "amount",
        "amounts",
        "received_amount",
        "process_link",
        "applicant",
        "remarks",
        "issued_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        user = request.user
        assert isinstance(user, User)
        return invoices_visible_to(user)

    def get_valid_export_item_pks(self, request: HttpRequest) -> Any:
        return self.get_queryset(request).values_list("pk", flat=True)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="流程")
    def process_link(self, invoice: Invoice) -> str:
        url = reverse("workflow:instance", args=[invoice.process_id])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, invoice.process.number)
