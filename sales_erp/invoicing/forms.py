"""The forms of 账单开票流程 (manual 3.2) and 无账单开票流程 (manual 3.3).

Both take `target=` (the customer) and `user=` like every ProcessForm. The bill table posts one input per
bill (`bill_lines_<bill id>`) and the 开票金额 one input each (`invoice_amounts`, ⊕ adds one), so the form
works without JavaScript; the page's script only adds the live totals and refuses paste on the amount
inputs (the manual: 不可复制粘贴). Every check is made here again on the server, and the amounts per bill
once more under the bills' row locks when the process starts (services.invoice_reserve).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sales_erp.customers.models import Customer, InvoiceKind, InvoiceTitle
from sales_erp.customers.services import INVOICE_TITLE_INCOMPLETE, invoice_title_missing_fields
from sales_erp.invoicing.selectors import InvoiceableBill, bills_invoiceable
from sales_erp.org.models import InvoicingEntity
from sales_erp.pricing.money import to_cents
from sales_erp.workflow.forms import ProcessForm

BILL_TOTAL_MISMATCH = "账单合计 {bills} 元与开票合计 {invoices} 元不一致"
BILL_OVER = "{bill}: 本次开票 {amount} 元超过可开金额 {available} 元"
BILL_NOT_MONEY = "{bill}: 本次开票「{value}」不是金额（最多 2 位小数）"
BILL_NOT_POSITIVE = "{bill}: 本次开票须大于 0，填写的是 {value}"
BILL_NOT_INVOICEABLE = "账单 #{pk} 不是该客户可开票的账单（须为已对账、未开完票的账单）"
BILL_NONE = "请至少为一张账单填写本次开票金额"
BILL_REPEATED = "{bill} 在账单信息中重复出现：每张账单只填一行本次开票金额"
AMOUNT_NONE = "请填写开票金额"
AMOUNT_NOT_MONEY = "第 {n} 个开票金额「{value}」不是金额（最多 2 位小数）"
AMOUNT_NOT_POSITIVE = "第 {n} 个开票金额须大于 0，填写的是 {value}"
MAX_AMOUNT = Decimal("1000000000000")


def money_parse(raw: object) -> Decimal | None:
    """An amount as typed → Decimal with 2 places, or None when it is not one (more places, text, NaN)."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT or -int(value.normalize().as_tuple().exponent) > 2:
        return None
    return to_cents(value)


def money_sum(values: list[Decimal]) -> Decimal:
    return to_cents(sum(values, Decimal(0)))


# --------------------------------------------------------------------------------------- 开票金额 (⊕)
class MoneyListWidget(forms.Widget):
    """One input per 开票金额, all under the same name; ⊕ adds one; 开票合计 is summed as one types."""

    template_name = "invoicing/widgets/invoice_amounts.html"

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[str]:
        if hasattr(data, "getlist"):
            values = data.getlist(name)
        else:
            raw = data.get(name)
            values = raw if isinstance(raw, list) else [] if raw in (None, "") else [raw]
        return [str(v) for v in values if str(v).strip()]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list) else [value] if value not in (None, "") else []
        context["widget"]["values"] = [str(v) for v in values] or [""]
        return context


class MoneyListField(forms.Field):
    widget = MoneyListWidget

    def to_python(self, value: Any) -> list[str]:
        return list(value or [])

    def validate(self, value: Any) -> None:
        if not value and self.required:
            raise ValidationError(AMOUNT_NONE, code="required")

    def clean(self, value: Any) -> list[str]:
        values = self.to_python(value)
        self.validate(values)
        errors, amounts = [], []
        for n, raw in enumerate(values, start=1):
            amount = money_parse(raw)
            if amount is None:
                errors.append(AMOUNT_NOT_MONEY.format(n=n, value=raw))
            elif amount <= 0:
                errors.append(AMOUNT_NOT_POSITIVE.format(n=n, value=amount))
            else:
                amounts.append(format(amount, "f"))
        if errors:
            raise ValidationError(errors)
        return amounts

    def display_value(self, value: Any) -> str:
        values = value if isinstance(value, list) else [value] if value else []
        total = money_sum([Decimal(str(v)) for v in values])
        return f"{' + '.join(str(v) for v in values)}（合计 {total} 元）" if len(values) > 1 else f"{total} 元"


# ------------------------------------------------------------------------------------------ bill table
class BillLinesWidget(forms.Widget):
    """The table of the customer's bills: 账单信息, 应开金额, 可开金额, 该账单本次开票 (typed by hand)."""

    template_name = "invoicing/widgets/bill_lines.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.rows: list[InvoiceableBill] = []

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[dict[str, Any]]:
        stored = data.get(name)
        if isinstance(stored, list):  # form data as the engine keeps it: [{"bill": id, "amount": "…"}]
            return list(stored)
        prefix = f"{name}_"
        return [
            {"bill": key[len(prefix) :], "amount": data.get(key)}
            for key in data
            if key.startswith(prefix) and key[len(prefix) :].isdigit() and str(data.get(key) or "").strip()
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        typed = {str(line.get("bill")): line.get("amount", "") for line in value or [] if isinstance(line, dict)}
        context["widget"]["rows"] = [
            {"row": row, "input": f"{name}_{row.pk}", "value": typed.get(str(row.pk), "")} for row in self.rows
        ]
        return context


class BillLinesField(forms.Field):
    """[{"bill": id, "name": 账单名称, "amount": "600.00"}], each 0 < amount ≤ the bill's 可开金额."""

    widget = BillLinesWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[int, InvoiceableBill] = {}

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        return [line for line in value or [] if isinstance(line, dict)]

    def clean(self, value: Any) -> list[dict[str, Any]]:
        lines = self.to_python(value)
        if not lines:
            raise ValidationError(BILL_NONE, code="required")
        errors, cleaned = [], []
        seen: set[int] = set()
        for line in lines:
            pk = int(line["bill"]) if str(line.get("bill", "")).isdigit() else None
            row = self.rows.get(pk) if pk is not None else None
            if row is None:
                errors.append(BILL_NOT_INVOICEABLE.format(pk=line.get("bill")))
                continue
            if row.pk in seen:  # only a stored list (the API's form data) can name a bill twice
                errors.append(BILL_REPEATED.format(bill=row.bill.name))
                continue
            seen.add(row.pk)
            amount = money_parse(line.get("amount"))
            if amount is None:
                errors.append(BILL_NOT_MONEY.format(bill=row.bill.name, value=line.get("amount")))
            elif amount <= 0:
                errors.append(BILL_NOT_POSITIVE.format(bill=row.bill.name, value=amount))
            elif amount > row.available:
                errors.append(BILL_OVER.format(bill=row.bill.name, amount=amount, available=row.available))
            else:
                cleaned.append({"bill": row.pk, "name": row.bill.name, "amount": format(amount, "f")})
        if errors:
            raise ValidationError(errors)
        order = list(self.rows)
        return sorted(cleaned, key=lambda line: order.index(line["bill"]))

    def display_value(self, value: Any) -> str:
        lines = [line for line in value or [] if isinstance(line, dict)]
        parts = [f"{line.get('name') or '#' + str(line.get('bill'))}：{line.get('amount')} 元" for line in lines]
        return "；".join(parts)


# ------------------------------------------------------------------------------------------------ forms
class InvoiceForm(ProcessForm):
    """无账单开票流程 (manual 3.3): what both invoice processes ask for."""

    entity = forms.ModelChoiceField(label="我司开票信息", queryset=InvoicingEntity.objects.all(), empty_label="请选择")
    title = forms.ModelChoiceField(label="客户开票信息", queryset=InvoiceTitle.objects.all(), empty_label="请选择")
    received_amount = forms.DecimalField(
        label="已收金额(元)",
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-no-paste": "1", "placeholder": "请填写"}),
    )
    invoice_amounts = MoneyListField(label="开票金额(元)")
    invoice_type = forms.ChoiceField(label="发票类型", choices=[("", "请选择"), *InvoiceKind.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer = self.customer
        self.fields["entity"].queryset = InvoicingEntity.objects.filter(active=True)  # type: ignore[attr-defined]
        titles = InvoiceTitle.objects.filter(customer=customer) if customer else InvoiceTitle.objects.none()
        self.fields["title"].queryset = titles  # type: ignore[attr-defined]
        self.fields["title"].help_text = "普票需公司名称和税务号；专票需开票信息全部六项"
        if not self.is_bound:
            default_entity = InvoicingEntity.objects.filter(active=True, is_default=True).first()
            if default_entity and not self.initial.get("entity"):
                self.initial["entity"] = default_entity.pk
            if customer and titles.count() == 1 and not self.initial.get("title"):
                self.initial["title"] = titles.get().pk

    @property
    def customer(self) -> Customer | None:
        return self.target if isinstance(self.target, Customer) else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        title, kind = cleaned.get("title"), cleaned.get("invoice_type")
        if title is not None and kind:
            missing = invoice_title_missing_fields(title, kind)
            if missing:
                message = INVOICE_TITLE_INCOMPLETE.format(kind=InvoiceKind(kind).label, fields="、".join(missing))
                self.add_error("title", message)
        return cleaned


class BillInvoiceForm(InvoiceForm):
    """账单开票流程 (manual 3.2): the bill table, and bill total = invoice total to the cent."""

    bill_lines = BillLinesField(label="账单信息")
    field_order = ["bill_lines", "entity", "title", "received_amount", "invoice_amounts", "invoice_type"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.get("initial") or {})
        if "bill_lines" not in initial:  # a draft keeps the inputs as posted: bill_lines_<id> → amount
            lines = [
                {"bill": key.removeprefix("bill_lines_"), "amount": value}
                for key, value in initial.items()
                if key.startswith("bill_lines_") and value
            ]
            if lines:
                initial["bill_lines"] = lines
                kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        rows = bills_invoiceable(customer=self.customer) if self.customer else []
        field = self.fields["bill_lines"]
        assert isinstance(field, BillLinesField) and isinstance(field.widget, BillLinesWidget)
        field.rows = {row.pk: row for row in rows}
        field.widget.rows = rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lines, amounts = cleaned.get("bill_lines"), cleaned.get("invoice_amounts")
        if lines and amounts:
            bills = money_sum([Decimal(line["amount"]) for line in lines])
            invoices = money_sum([Decimal(a) for a in amounts])
            if bills != invoices:
                raise ValidationError(BILL_TOTAL_MISMATCH.format(bills=bills, invoices=invoices), code="mismatch")
        return cleaned
