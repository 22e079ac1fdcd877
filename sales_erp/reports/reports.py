"""The finance reports (DESIGN §10), each a framework.Report: filters, rows from selectors, columns."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from sales_erp.billing.models import BillStatus
from sales_erp.customers.models import InvoiceKind, Tier
from sales_erp.invoicing.models import InvoiceSource
from sales_erp.reports import selectors
from sales_erp.reports.framework import (
    DATE,
    DATE_WIDGET,
    INT,
    MONEY,
    MONTH,
    TEXT,
    Column,
    MonthField,
    Report,
    ReportForm,
)
from sales_erp.writeoffs.selectors import commission_basis


def today() -> date:
    return timezone.localdate()


def blank(choices: Any, label: str = "全部") -> list[tuple[str, str]]:
    return [("", label), *choices]


class SalespersonForm(ReportForm):
    """Adds a 销售 choice of the salespeople the user may see."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "salesperson" in self.fields:
            people = selectors.salespeople_visible_to(self.user)
            self.fields["salesperson"].choices = blank((str(p.pk), str(p)) for p in people)  # type: ignore[attr-defined]

    def clean_salesperson(self) -> int | None:
        value = self.cleaned_data.get("salesperson")
        return int(value) if value else None


# ------------------------------------------------------------------------------------------ 应收账龄
class AgeingForm(SalespersonForm):
    as_of = forms.DateField(label="统计日期", required=False, widget=DATE_WIDGET)
    by = forms.ChoiceField(
        label="汇总方式",
        choices=[("customer", "按客户"), ("salesperson", "按销售")],
        required=False,
        initial="customer",
    )
    q = forms.CharField(label="客户名称", required=False)
    salesperson = forms.ChoiceField(label="销售", required=False)


class ReceivablesAgeing(Report):
    code = "ageing"
    title = "应收账龄"
    permission = "billing.view_bill"
    icon = "hourglass_bottom"
    description = (
        "已对账且未销完的账单：未销金额 = 账单金额 − 已销账金额；账龄 = 统计日期 − 到期日（天）。"
        "到期日在统计日期之后为未到期；到期当天为 0 天，计入 0–30 天；"
        "31 天起计入 31–60 天，依此类推，91 天起为 90 天以上。"
    )
    form_class = AgeingForm
    bucket_columns = [Column(key, label, MONEY) for key, label in selectors.BUCKETS]

    @property
    def by(self) -> str:
        return self.params.get("by") or "customer"

    @property
    def as_of(self) -> date:
        return self.params.get("as_of") or today()

    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        head = [Column("customer", "客户", TEXT, 30)] if self.by == "customer" else []
        return [
            *head,
            Column("salesperson", "销售"),
            Column("bills", "账单数", INT),
            *self.bucket_columns,
            Column("overdue", "逾期合计", MONEY),
            Column("total", "未销合计", MONEY),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return selectors.receivables_ageing(
            user=self.user,
            as_of=self.as_of,
            by=self.by,
            query=self.params.get("q") or "",
            salesperson_id=self.params.get("salesperson"),
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return self.sum_totals(rows, self.columns[0].key)

    def filename(self, extension: str) -> str:
        return f"应收账龄_{self.as_of:%Y%m%d}.{extension}"


# ------------------------------------------------------------------------------------------ 账单月报
class BillsForm(SalespersonForm):
    month_from = MonthField(label="月份从")
    month_to = MonthField(label="至")
    q = forms.CharField(label="客户名称", required=False)
    salesperson = forms.ChoiceField(label="销售", required=False)
    status = forms.ChoiceField(label="状态", choices=blank(BillStatus.choices), required=False)


class BillsByMonth(Report):
    code = "bills"
    title = "账单月报"
    permission = "billing.view_bill"
    icon = "calendar_month"
    description = "按账单月份汇总：账单数、计费条数、金额、已销账、未销账与已开票金额。"
    form_class = BillsForm
    columns = [
        Column("month", "账单月份", MONTH),
        Column("bills", "账单数", INT),
        Column("count", "计费条数", INT),
        Column("amount", "账单金额(元)", MONEY),
        Column("written_off", "已销账(元)", MONEY),
        Column("open", "未销账(元)", MONEY),
        Column("invoiced", "已开票(元)", MONEY),
    ]

    def rows(self) -> list[dict[str, Any]]:
        p = self.params
        return selectors.bills_by_month(
            user=self.user,
            month_from=p.get("month_from"),
            month_to=p.get("month_to"),
            query=p.get("q") or "",
            salesperson_id=p.get("salesperson"),
            status=p.get("status") or "",
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return self.sum_totals(rows, "month")


# -------------------------------------------------------------------------------------- 销账与提成依据
class MonthRangeForm(ReportForm):
    month_from = MonthField(label="月份从")
    month_to = MonthField(label="至")


class CommissionBasis(Report):
    """The write-offs app's 提成依据 (writeoffs.selectors.commission_basis) in the report framework."""

    code = "commission"
    title = "销账与提成依据"
    permission = "writeoffs.view_commission"
    icon = "paid"
    description = "只统计已归档的销账（冲销后不再计入）；计息、罚息按月汇总，不向客户收取。"
    form_class = MonthRangeForm
    columns = [
        Column("month", "月份", MONTH),
        Column("salesperson", "销售"),
        Column("write_off_count", "销账笔数", INT),
        Column("written_off", "销账金额(元)", MONEY),
        Column("credit_interest", "计息(元)", MONEY),
        Column("penalty", "罚息(元)", MONEY),
    ]

    def rows(self) -> list[dict[str, Any]]:
        rows = commission_basis(
            user=self.user, month_from=self.params.get("month_from"), month_to=self.params.get("month_to")
        )
        return [
            {
                "month": r.month,
                "salesperson": r.salesperson,
                "write_off_count": r.write_off_count,
                "written_off": r.written_off,
                "credit_interest": r.credit_interest,
                "penalty": r.penalty,
            }
            for r in rows
        ]

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return self.sum_totals(rows, "month")


# ------------------------------------------------------------------------------------------ 开票统计
class InvoicesForm(ReportForm):
    month_from = MonthField(label="月份从")
    month_to = MonthField(label="至")
    q = forms.CharField(label="客户名称", required=False)
    invoice_type = forms.ChoiceField(label="发票类型", choices=blank(InvoiceKind.choices), required=False)
    source = forms.ChoiceField(label="开票方式", choices=blank(InvoiceSource.choices), required=False)


class InvoicesIssued(Report):
    code = "invoices"
    title = "开票统计"
    permission = "invoicing.view_invoice"
    icon = "request_quote"
    description = "已归档的发票按开票月份、客户、发票类型和我司开票主体汇总。"
    form_class = InvoicesForm
    columns = [
        Column("month", "开票月份", MONTH),
        Column("customer", "客户", TEXT, 30),
        Column("invoice_type", "发票类型", TEXT, 22),
        Column("entity", "我司开票主体", TEXT, 24),
        Column("invoices", "发票数", INT),
        Column("amount", "开票金额(元)", MONEY),
        Column("received", "已收金额(元)", MONEY),
    ]

    def rows(self) -> list[dict[str, Any]]:
        p = self.params
        return selectors.invoices_issued(
            user=self.user,
            month_from=p.get("month_from"),
            month_to=p.get("month_to"),
            query=p.get("q") or "",
            invoice_type=p.get("invoice_type") or "",
            source=p.get("source") or "",
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return self.sum_totals(rows, "month")


# ------------------------------------------------------------------------------------------ 计息罚息
class InterestForm(SalespersonForm):
    month_from = MonthField(label="月份从")
    month_to = MonthField(label="至")
    q = forms.CharField(label="客户名称", required=False)
    salesperson = forms.ChoiceField(label="销售", required=False)


class InterestPenalty(Report):
    code = "interest"
    title = "计息罚息"
    permission = "writeoffs.view_interestentry"
    icon = "percent"
    description = "计息罚息记录按月份、客户、销售汇总（内部考核用，不向客户收取）。"
    form_class = InterestForm
    columns = [
        Column("month", "月份", MONTH),
        Column("customer", "客户", TEXT, 30),
        Column("salesperson", "销售"),
        Column("entries", "记录数", INT),
        Column("penalty", "罚息(元)", MONEY),
        Column("credit", "计息(元)", MONEY),
    ]

    def rows(self) -> list[dict[str, Any]]:
        p = self.params
        return selectors.interest_by_month(
            user=self.user,
            month_from=p.get("month_from"),
            month_to=p.get("month_to"),
            query=p.get("q") or "",
            salesperson_id=p.get("salesperson"),
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return self.sum_totals(rows, "month")


# ---------------------------------------------------------------------------------------- 未匹配到款
class DepositsForm(ReportForm):
    as_of = forms.DateField(label="统计日期", required=False, widget=DATE_WIDGET)
    q = forms.CharField(label="付款方", required=False)
    received_from = forms.DateField(label="到款日期从", required=False, widget=DATE_WIDGET)
    received_to = forms.DateField(label="至", required=False, widget=DATE_WIDGET)


class UnmatchedDeposits(Report):
    code = "unmatched"
    title = "未匹配到款"
    permission = "deposits.view_deposit"
    icon = "account_balance"
    description = "到款池中未匹配客户的到款，最早的在前；账龄 = 统计日期 − 到款日期（天）。"
    form_class = DepositsForm
    columns = [
        Column("received_on", "到款日期", DATE),
        Column("payer", "付款方", TEXT, 30),
        Column("payer_account", "付款账号", TEXT, 22),
        Column("amount", "到款金额(元)", MONEY),
        Column("available", "余额(元)", MONEY),
        Column("age", "账龄(天)", INT),
        Column("serial", "银行流水号", TEXT, 20),
        Column("summary", "摘要", TEXT, 24),
    ]

    def rows(self) -> list[dict[str, Any]]:
        p = self.params
        return selectors.unmatched_deposits(
            user=self.user,
            as_of=p.get("as_of") or today(),
            query=p.get("q") or "",
            received_from=p.get("received_from"),
            received_to=p.get("received_to"),
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        total = self.sum_totals(rows, "received_on")
        total.pop("age")
        total["payer"] = f"{len(rows)} 笔"
        return total


# -------------------------------------------------------------------------------------- 客户漏斗变动
class FunnelForm(SalespersonForm):
    month_from = MonthField(label="月份从")
    month_to = MonthField(label="至")
    from_tier = forms.ChoiceField(label="原类别", choices=blank(Tier.choices), required=False)
    to_tier = forms.ChoiceField(label="新类别", choices=blank(Tier.choices), required=False)
    salesperson = forms.ChoiceField(label="销售", required=False)


class FunnelMovements(Report):
    code = "funnel"
    title = "客户漏斗变动"
    permission = "customers.view_tierchange"
    icon = "swap_vert"
    description = "客户类别变动按月份、原类别→新类别、规则和归属销售汇总。"
    form_class = FunnelForm
    columns = [
        Column("month", "月份", MONTH),
        Column("from_tier", "原类别"),
        Column("to_tier", "新类别"),
        Column("rule", "规则", TEXT, 40),
        Column("salesperson", "归属销售"),
        Column("changes", "变动次数", INT),
        Column("customers", "客户数", INT),
    ]

    def rows(self) -> list[dict[str, Any]]:
        p = self.params
        return selectors.funnel_movements(
            user=self.user,
            month_from=p.get("month_from"),
            month_to=p.get("month_to"),
            from_tier=p.get("from_tier") or "",
            to_tier=p.get("to_tier") or "",
            salesperson_id=p.get("salesperson"),
        )

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        total = self.sum_totals(rows, "month")
        total.pop("customers")  # a customer may move in several months: a sum would count it twice
        return total


REPORTS: dict[str, type[Report]] = {
    r.code: r
    for r in (
        ReceivablesAgeing,
        BillsByMonth,
        CommissionBasis,
        InvoicesIssued,
        InterestPenalty,
        UnmatchedDeposits,
        FunnelMovements,
    )
}
