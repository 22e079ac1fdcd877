"""The reconciliation process's form (hooks.PROCESSES["reconciliation"]): the ticked bills of one
customer, the customer's figures (客户数据) and the agreed figures (对账数据) of each.

The page (templates/reconciliation/_form.html) posts `bills` (the ticked bill ids) and, per bill,
`customer_<id>` and `agreed_<id>`. `form_data()` keeps them with the computed `lines` and totals, and
reads back as its own input, which is how the engine validates a start and a resubmit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from sales_erp.billing.models import Bill, BillStatus, NoBillReason
from sales_erp.customers.models import Customer
from sales_erp.reconciliation import figures
from sales_erp.reconciliation.selectors import OurFigures, bill_our_figures, bills_unreconciled, no_bill_reasons
from sales_erp.workflow.forms import ProcessForm

NO_BILLS = "请至少勾选一张未对账账单"
BILL_TAKEN = "{name} 当前为{status}，不能再发起对账；请刷新页面重新勾选"
AGREED_MISSING = "{name}：请填写对账数据（条数）"
# A bill's amount is at most 12 integer digits (Bill.amount: 14 digits, 2 places); a count beyond that
# is a typo, and a longer one would make the amount's rounding raise.
MAX_COUNT = 999_999_999_999
MAX_AMOUNT = Decimal("999999999999.99")
COUNT_TOO_LARGE = "{name}：{what} {value} 条过大（最多 {max} 条）"
AMOUNT_TOO_LARGE = "{name}：{what} {count} 条 × 单价 {price} 超过 999999999999.99 元"


@dataclass
class BillRow:
    """One bill on the page: its three rows' inputs and our figures."""

    bill: Bill
    ours: OurFigures
    checked: bool
    customer_field: forms.BoundField
    agreed_field: forms.BoundField


@dataclass(frozen=True)
class Line:
    bill: Bill
    ours: OurFigures
    customer_count: int | None
    agreed_count: int

    @property
    def customer_amount(self) -> Decimal | None:
        return None if self.customer_count is None else self.ours.amount_of(self.customer_count)

    @property
    def customer_text(self) -> str:
        return "—" if self.customer_count is None else str(self.customer_count)

    @property
    def agreed_amount(self) -> Decimal:
        return self.ours.amount_of(self.agreed_count)

    def stored(self) -> dict[str, Any]:
        customer_amount = self.customer_amount
        return {
            "bill": self.bill.pk,
            "name": self.bill.name,
            "product": self.bill.product.name,
            "period": self.bill.period.isoformat(),
            "unit_price": str(self.ours.unit_price),
            "our_count": self.ours.count,
            "our_amount": str(self.ours.amount),
            "customer_count": self.customer_count,
            "customer_amount": None if customer_amount is None else str(customer_amount),
            "agreed_count": self.agreed_count,
            "agreed_amount": str(self.agreed_amount),
        }


class ReconciliationForm(ProcessForm):
    bills = forms.ModelMultipleChoiceField(
        label="账单",
        queryset=Bill.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_BILLS},
    )
    # Computed from the bills in clean(); disabled, so whatever is posted for them is ignored.
    total_count = forms.IntegerField(label="对账条数", required=False, disabled=True, widget=forms.HiddenInput)
    total_amount = forms.DecimalField(label="对账金额(元)", required=False, disabled=True, widget=forms.HiddenInput)
    details = forms.CharField(label="对账明细", required=False, disabled=True, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial")
        if initial and isinstance(initial.get("bills"), str | int):  # a draft with one ticked bill
            kwargs["initial"] = {**initial, "bills": [initial["bills"]]}
        super().__init__(*args, **kwargs)
        customer = self.target if isinstance(self.target, Customer) else None
        self.open_bills: list[Bill] = list(bills_unreconciled(customer=customer)) if customer else []
        self.fields["bills"].queryset = (  # type: ignore[attr-defined]
            Bill.objects.filter(customer=customer).select_related("product") if customer else Bill.objects.none()
        )
        for bill in self.open_bills:
            self.fields[f"customer_{bill.pk}"] = forms.IntegerField(
                label=f"{bill.name} 客户数据", min_value=0, required=False, initial=bill.customer_count
            )
            self.fields[f"agreed_{bill.pk}"] = forms.IntegerField(
                label=f"{bill.name} 对账数据", min_value=0, required=False, initial=bill.count
            )
            for kind, what in (("customer", "客户数据"), ("agreed", "对账数据")):
                field = self.fields[f"{kind}_{bill.pk}"]
                field.error_messages = {
                    **field.error_messages,
                    "invalid": f"{bill.name}：{what}须是不小于 0 的整数条数",
                    "min_value": f"{bill.name}：{what}须是不小于 0 的整数条数",
                }
        self.lines: list[Line] = []

    # ---------------------------------------------------------------------------------- the page
    def rows(self) -> list[BillRow]:
        ticked = {str(v) for v in (self["bills"].value() or [])}
        return [
            BillRow(
                bill=bill,
                ours=bill_our_figures(bill),
                checked=str(bill.pk) in ticked,
                customer_field=self[f"customer_{bill.pk}"],
                agreed_field=self[f"agreed_{bill.pk}"],
            )
            for bill in self.open_bills
        ]

    def missing(self) -> list[NoBillReason]:
        """Products of the customer without a bill (未找到？), each with the reason, for 生成账单."""
        return list(no_bill_reasons(customer=self.target)) if isinstance(self.target, Customer) else []

    # ---------------------------------------------------------------------------------- validation
    def clean_bills(self) -> list[Bill]:
        bills = list(self.cleaned_data["bills"])
        for bill in bills:
            if bill.status != BillStatus.ISSUED:
                raise forms.ValidationError(BILL_TAKEN.format(name=bill.name, status=bill.get_status_display()))
        return sorted(bills, key=lambda b: (b.period, b.name), reverse=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines = []
        for bill in cleaned.get("bills") or []:
            if not self.figures_in_range(bill, cleaned):
                continue
            agreed = cleaned.get(f"agreed_{bill.pk}")
            if agreed is None:
                if f"agreed_{bill.pk}" not in self.errors:
                    self.add_error(None, AGREED_MISSING.format(name=bill.name))
                continue
            lines.append(
                Line(
                    bill=bill,
                    ours=bill_our_figures(bill),
                    customer_count=cleaned.get(f"customer_{bill.pk}"),
                    agreed_count=agreed,
                )
            )
        self.lines = lines
        total = figures.total_of((line.agreed_count, line.agreed_amount) for line in lines)
        cleaned["total_count"], cleaned["total_amount"] = total.count, total.amount
        cleaned["details"] = "；".join(
            f"{line.bill.name}：我司 {line.ours.count}，客户 {line.customer_text}，"
            f"对账 {line.agreed_count} × {line.ours.unit_price} = {line.agreed_amount}"
            for line in lines
        )
        return cleaned

    def figures_in_range(self, bill: Bill, cleaned: dict[str, Any]) -> bool:
        """A count and its amount that fit a bill; else the error names the bill and the figure."""
        ours = bill_our_figures(bill)
        for kind, what in (("customer", "客户数据"), ("agreed", "对账数据")):
            count = cleaned.get(f"{kind}_{bill.pk}")
            if count is None:
                continue
            if count > MAX_COUNT:
                message = COUNT_TOO_LARGE.format(name=bill.name, what=what, value=count, max=MAX_COUNT)
            elif ours.amount_of(count) > MAX_AMOUNT:
                message = AMOUNT_TOO_LARGE.format(name=bill.name, what=what, count=count, price=ours.unit_price)
            else:
                continue
            self.add_error(None, message)
            cleaned.pop(f"{kind}_{bill.pk}", None)
            return False
        return True

    def form_data(self) -> dict[str, Any]:
        data = super().form_data()
        ticked = {f"{kind}_{line.bill.pk}" for line in self.lines for kind in ("customer", "agreed")}
        data = {k: v for k, v in data.items() if not k.startswith(("customer_", "agreed_")) or k in ticked}
        data["lines"] = [line.stored() for line in self.lines]
        return data
