"""The electronic statement (电子对账单, DESIGN §5.1): the selected bills as a PDF to agree with the customer.

Our invoicing entity and the customer head it; the bill table shows each bill's three figures
(我司数据 / 客户数据 / 对账数据, count × price = amount); totals give count, average unit price to four
places (amount / count) and amount, the agreed amount also in Chinese capitals; remarks; and room for
both companies' stamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from sales_erp.customers.models import Customer
from sales_erp.org.models import InvoicingEntity
from sales_erp.statements.capital import amount_in_words
from sales_erp.statements.pdf import html_to_pdf

NO_ENTITY = "没有可用的我司开票信息：请先在「我司开票信息」中添加一家公司并设为默认"
NO_LINES = "没有选中的账单：请至少选择一张账单"
CENT = Decimal("0.01")
AVERAGE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class StatementLine:
    """One bill on the statement, with our, the customer's and the agreed figures."""

    bill_name: str
    product_name: str
    period: date  # first day of month
    unit_price: Decimal  # 6 places
    our_count: int
    our_amount: Decimal
    customer_count: int | None
    customer_amount: Decimal | None
    agreed_count: int
    agreed_amount: Decimal


class StatementRefused(ValueError):
    """A statement that cannot be made; the message says what to fix."""


@dataclass(frozen=True)
class Totals:
    """本次对账总计 for one of the three figures; None where some bill has no figure (客户数据 not entered)."""

    count: int | None
    amount: Decimal | None

    @property
    def average_price(self) -> Decimal | None:
        """Amount / count to four places, as the reconciliation page shows it (14 条, 0.56 元 → 0.0400)."""
        if self.count is None or self.amount is None or self.count == 0:
            return None
        return (self.amount / self.count).quantize(AVERAGE_PLACES, rounding=ROUND_HALF_UP)


def statement_totals(lines: Sequence[StatementLine]) -> dict[str, Totals]:
    """The three totals: "our", "customer", "agreed"."""
    customer_entered = all(line.customer_count is not None and line.customer_amount is not None for line in lines)
    return {
        "our": Totals(sum(line.our_count for line in lines), sum((line.our_amount for line in lines), Decimal(0))),
        "customer": Totals(
            sum(line.customer_count or 0 for line in lines) if customer_entered else None,
            sum((line.customer_amount or Decimal(0) for line in lines), Decimal(0)) if customer_entered else None,
        ),
        "agreed": Totals(
            sum(line.agreed_count for line in lines), sum((line.agreed_amount for line in lines), Decimal(0))
        ),
    }


def invoicing_entity_default() -> InvoicingEntity | None:
    return InvoicingEntity.objects.filter(active=True).order_by("-is_default", "name").first()


# ---------------------------------------------------------------------------------------- formatting
def money(value: Decimal | None) -> str:
    """1234.5 → 1,234.50; None → —."""
    return "—" if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def count_text(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def price_text(value: Decimal | None, *, places: int | None = None) -> str:
    """A unit price without trailing zeros past the cent (0.040000 → 0.04, 0.034567 stays); or fixed places."""
    if value is None:
        return "—"
    if places is not None:
        return f"{value:.{places}f}"
    text = f"{value:.6f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def month_text(value: date) -> str:
    return f"{value:%Y-%m}"


def period_text(lines: Sequence[StatementLine]) -> str:
    """First to last month of the bills: 2026年09月 至 2026年11月 (one month: 2026年10月)."""
    first, last = min(line.period for line in lines), max(line.period for line in lines)
    if first == last:
        return f"{first:%Y}年{first:%m}月"
    return f"{first:%Y}年{first:%m}月 至 {last:%Y}年{last:%m}月"


def _totals_row(totals: Totals) -> dict[str, str]:
    return {
        "count": count_text(totals.count),
        "average": price_text(totals.average_price, places=4),
        "amount": money(totals.amount),
    }


def statement_context(
    *,
    entity: InvoicingEntity,
    customer: Customer,
    lines: Sequence[StatementLine],
    remarks: str,
    issued_on: date,
) -> dict[str, Any]:
    totals = statement_totals(lines)
    agreed_amount = totals["agreed"].amount or Decimal(0)
    ordered = sorted(lines, key=lambda line: (line.period, line.bill_name), reverse=True)  # newest first, as §5.1
    return {
        "entity": entity,
        "customer": customer,
        "customer_address": customer.registered_address or customer.mailing_address,
        "customer_phone": customer.phone or customer.mobile,
        "period": period_text(lines),
        "issued_on": f"{issued_on:%Y}年{issued_on:%m}月{issued_on:%d}日",
        "rows": [
            {
                "number": number,
                "bill_name": line.bill_name,
                "product_name": line.product_name,
                "month": month_text(line.period),
                "unit_price": price_text(line.unit_price),
                "our_count": count_text(line.our_count),
                "our_amount": money(line.our_amount),
                "customer_count": count_text(line.customer_count),
                "customer_amount": money(line.customer_amount),
                "agreed_count": count_text(line.agreed_count),
                "agreed_amount": money(line.agreed_amount),
                "differs": line.customer_count is not None and line.customer_count != line.our_count,
            }
            for number, line in enumerate(ordered, start=1)
        ],
        "totals": {name: _totals_row(value) for name, value in totals.items()},
        "bill_count": len(lines),
        "agreed_amount": money(agreed_amount),
        "agreed_in_words": amount_in_words(agreed_amount.quantize(CENT, rounding=ROUND_HALF_UP)),
        "remarks": remarks.strip(),
    }


def statement_pdf(
    *,
    entity: InvoicingEntity | None,
    customer: Customer,
    lines: Sequence[StatementLine],
    remarks: str = "",
    issued_on: date | None = None,
) -> bytes:
    """The electronic statement of `lines` for `customer`, issued by `entity` (None: the default one)."""
    if not lines:
        raise StatementRefused(NO_LINES)
    entity = entity or invoicing_entity_default()
    if entity is None:
        raise StatementRefused(NO_ENTITY)
    context = statement_context(
        entity=entity,
        customer=customer,
        lines=lines,
        remarks=remarks,
        issued_on=issued_on or timezone.localdate(),
    )
    html = render_to_string("statements/statement.html", context)
    return html_to_pdf(html)
