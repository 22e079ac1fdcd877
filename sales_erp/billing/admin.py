"""Desk pages of usage and bills. Everything here is read-only: bills, lines and reasons are written by
the bill run and "生成账单" (services), usage by the import; the pages only show and link to those doors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from unfold.decorators import action, display

from sales_erp.billing.models import (
    Bill,
    BillLine,
    BillRun,
    BillStatus,
    NoBillReason,
    UsageImport,
    UsageRecord,
)
from sales_erp.billing.selectors import bills_matching, bills_visible_to, no_bill_reasons_visible_to
from sales_erp.desk.admin_base import DeskAdmin, DeskTabularInline, KeysFirstPaginator

STATUS_COLOURS = {BillStatus.ISSUED: "warning", BillStatus.RECONCILING: "info", BillStatus.RECONCILED: "success"}


class ReadOnlyAdmin(DeskAdmin):
    """Shown, never edited here: the services are the only writers. The buttons lead to their pages.

    (unfold's @action takes method names for permissions; "app.codename" strings would make its system
    check query the database, which breaks `migrate` on a new installation.)
    """

    def has_generate_bill_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.generate_bill")

    def has_run_bills_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.run_bills")

    def has_import_usage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.import_usage")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProductMonthColumns:
    """账单月份 and 产品 columns of a product-month record (a bill, a no-bill reason)."""

    @admin.display(description="账单月份", ordering="period")
    def month(self, record: Bill | NoBillReason) -> str:
        return f"{record.period:%Y-%m}"

    @admin.display(description="产品", ordering="product__code")
    def product_label(self, record: Bill | NoBillReason) -> str:
        return f"{record.product.name}（{record.product.code}）"

    def generate_page_for(self, record: Bill | NoBillReason) -> HttpResponseRedirect:
        """生成账单, filled in with the record's product and month."""
        query = f"?product={record.product_id}&month={record.period:%Y-%m}"
        return HttpResponseRedirect(reverse("billing:bill_generate") + query)


class BillLineInline(DeskTabularInline):
    model = BillLine
    hide_title = True  # each row says it all; unfold would repeat the line's str above it
    fields = ["account", "carrier", "country", "count", "unit_price", "amount", "breakdown"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # whoever may see the bill sees its lines

    def get_queryset(self, request: HttpRequest) -> QuerySet[BillLine]:
        return super().get_queryset(request).select_related("account").prefetch_related("tiers")

    @admin.display(description="阶梯明细")
    def breakdown(self, line: BillLine) -> str:
        rows = [
            (
                f"#{t.schedule_id}",
                f"{t.lower} 条以上" if t.upper is None else f"{t.lower}–{t.upper} 条",
                t.count,
                t.price,
                t.amount.normalize(),
            )
            for t in line.tiers.all()
        ]
        return format_html_join("", "<div>调价 {}：{}档 · {} × {} = {}</div>", rows) if rows else "—"


@admin.register(Bill)
class BillAdmin(ProductMonthColumns, ReadOnlyAdmin):
    list_display = [
        "name",
        "customer",
        "product_label",
        "month",
        "bill_date",
        "due_date",
        "count",
        "amount",
        "status_badge",
        "cycle",
    ]
    list_filter = ["status", "period", "product__bill_type"]
    search_fields = ["name", "customer__name", "product__code", "product__accounts__code"]  # get_search_results
    # The list reads bills alone and fetches the page's customers and products after (get_queryset): with the
    # two joins MariaDB drove the query from the product table and sorted every bill (5.6 s at 1,080,000).
    list_select_related: list[str] = []
    # pk last and ascending, as the index bill_period_name_idx holds it: the admin would add "-pk", which no
    # index has, and sort all the bills for every page.
    ordering = ["-period", "name", "pk"]
    paginator = KeysFirstPaginator
    show_full_result_count = False  # a million bills: no second COUNT(*) per filtered page
    inlines = [BillLineInline]
    fields = [
        "name",
        "customer",
        "product_label",
        "month",
        "bill_date",
        "due_date",
        "count",
        "amount",
        "status",
        "written_off_amount",
        "invoiced_amount",
        "cycle",
        "invoices",
        "generated_at",
        "generated_by",
        "bill_run",
        # reconciliation (sales_erp/reconciliation): the customer's figures, the process, our original figures
        "customer_count",
        "customer_count_source",
        "customer_count_by",
        "customer_count_at",
        "reconciliation",
        "our_count",
        "our_amount",
        "reconciled_at",
    ]
    readonly_fields = fields
    actions_list = ["generate_page", "run_page"]
    actions_detail = ["regenerate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bill]:
        bills = bills_visible_to(request.user)  # type: ignore[arg-type]
        return bills.select_related(None).prefetch_related("customer", "product")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Bill], search_term: str) -> Any:
        """By customer, product or account, or a month as the bill names write it (selectors.bills_matching)."""
        if not search_term.strip():
            return queryset, False
        return bills_matching(queryset, search_term), False

    @display(description="状态", label=STATUS_COLOURS)
    def status_badge(self, bill: Bill) -> tuple[str, str]:
        return bill.status, bill.get_status_display()

    @action(description="生成账单", icon="post_add", permissions=["generate_bill"])
    def generate_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("billing:bill_generate"))

    @action(description="出账", icon="receipt_long", permissions=["run_bills"])
    def run_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("billing:bill_run"))

    @admin.display(description="账单周期")
    def cycle(self, bill: Bill) -> str:
        from sales_erp.invoicing.selectors import bill_cycle_label  # invoicing builds on billing

        return bill_cycle_label(bill)

    @admin.display(description="开票记录")
    def invoices(self, bill: Bill) -> str:
        rows = [
            (
                reverse("admin:invoicing_invoice_change", args=[line.invoice_id]),
                line.invoice,
                line.invoice.issued_on,
                line.amount,
            )
            for line in bill.invoice_lines.select_related("invoice").order_by("invoice__issued_on", "pk")
        ]
        return (
            format_html_join("", '<div><a class="text-primary-600" href="{}">{}</a> {} 开票 {} 元</div>', rows)
            if rows
            else "—"
        )

    def has_regenerate_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Offered only while the bill is 未对账 (detail actions pass the object id)."""
        issued = Bill.objects.filter(pk=obj, status=BillStatus.ISSUED).exists()
        return issued and request.user.has_perm("billing.generate_bill")

    @action(description="重新生成账单", icon="refresh", permissions=["regenerate"])
    def regenerate(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        return self.generate_page_for(get_object_or_404(self.get_queryset(request), pk=object_id))


@admin.register(BillRun)
class BillRunAdmin(ReadOnlyAdmin):
    list_display = [
        "month_label",
        "run_day",
        "who",
        "started_at",
        "due_count",
        "billed_count",
        "no_bill_count",
        "existing_count",
    ]
    list_filter = ["month"]
    fields = [
        "month",
        "run_day",
        "who",
        "started_at",
        "finished_at",
        "due_count",
        "billed_count",
        "existing_count",
        "no_bill_count",
        "bills_link",
        "no_bill_table",
        "unmatched_table",
    ]
    readonly_fields = fields
    actions_list = ["run_page"]

    @admin.display(description="账单月份", ordering="month")
    def month_label(self, run: BillRun) -> str:
        return f"{run.month:%Y-%m}"

    @admin.display(description="操作人")
    def who(self, run: BillRun) -> str:
        return str(run.triggered_by) if run.triggered_by else "定时任务"

    @admin.display(description="本次新出账单")
    def bills_link(self, run: BillRun) -> str:
        url = reverse("admin:billing_bill_changelist") + f"?bill_run__id__exact={run.pk}"
        return format_html('<a class="text-primary-600" href="{}">查看 {} 张账单</a>', url, run.billed_count)

    @admin.display(description="未出账产品及原因")
    def no_bill_table(self, run: BillRun) -> str:
        rows = [
            (r["customer"], r["name"], r["product"], r["reason"], r["detail"]) for r in run.report.get("no_bill", [])
        ]
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>客户</th><th>产品</th><th>产品编号</th><th>原因</th><th>说明</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="未匹配产品的账号")
    def unmatched_table(self, run: BillRun) -> str:
        rows = [(r["code"], r["billable"]) for r in run.report.get("unmatched", [])]
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>账号</th><th>计费条数</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )

    @action(description="出账", icon="receipt_long", permissions=["run_bills"])
    def run_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("billing:bill_run"))


@admin.register(NoBillReason)
class NoBillReasonAdmin(ProductMonthColumns, ReadOnlyAdmin):
    list_display = ["product_label", "customer", "owner", "month", "code", "detail", "checked_at"]
    list_filter = ["code", "period"]
    search_fields = ["product__code", "product__name", "customer__name"]
    fields = ["product", "customer", "period", "code", "detail", "bill_run", "first_seen_at", "checked_at"]
    readonly_fields = fields
    actions_row = ["generate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NoBillReason]:
        return no_bill_reasons_visible_to(request.user)  # type: ignore[arg-type]

    @admin.display(description="归属销售")
    def owner(self, reason: NoBillReason) -> str:
        return str(reason.customer.owner or "—")

    @action(description="生成账单", icon="post_add", permissions=["generate_bill"])
    def generate(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        return self.generate_page_for(get_object_or_404(self.get_queryset(request), pk=object_id))


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = ["account_code", "matched", "day", "carrier", "country", "submitted", "succeeded", "billable"]
    list_filter = ["month", "carrier", ("account", admin.EmptyFieldListFilter)]
    search_fields = ["account_code"]
    show_full_result_count = False  # millions of rows: no COUNT(*) per page
    fields = ["account_code", "account", "day", "month", "carrier", "country", "submitted", "succeeded", "billable"]
    readonly_fields = fields
    actions_list = ["import_page"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Finance may remove a wrong row by hand; a re-import only adds or corrects keys.
        return request.user.has_perm("billing.delete_usagerecord")

    @display(description="匹配产品", boolean=True)
    def matched(self, record: UsageRecord) -> bool:
        return record.account_id is not None

    @action(description="导入发送量", icon="upload_file", permissions=["import_usage"])
    def import_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("billing:usage_import"))


@admin.register(UsageImport)
class UsageImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "source", "file_name", "imported_by", "rows", "created", "updated", "unchanged"]
    list_filter = ["source"]
    fields = [
        "source",
        "file_name",
        "digest",
        "imported_by",
        "imported_at",
        "rows",
        "created",
        "updated",
        "unchanged",
        "months",
        "unmatched",
    ]
    readonly_fields = fields
    actions_list = ["import_page"]

    @action(description="导入发送量", icon="upload_file", permissions=["import_usage"])
    def import_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("billing:usage_import"))
