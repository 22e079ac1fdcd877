"""Reads for reconciliation (DESIGN §5.1): a customer's unreconciled bills with their figures, the
customers that have some, and the customer page's 对账 panel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, QuerySet, Sum
from django.urls import reverse

from sales_erp.billing.models import Bill, BillStatus, NoBillReason
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.org.models import User
from sales_erp.reconciliation import figures
from sales_erp.statements.documents import StatementLine


def bills_unreconciled(*, customer: Customer) -> QuerySet[Bill]:
    """Every 未对账 bill of every product of the customer, newest month first."""
    return (
        Bill.objects.filter(customer=customer, status=BillStatus.ISSUED)
        .select_related("product", "customer_count_by")
        .order_by("-period", "name", "pk")
    )


def no_bill_reasons(*, customer: Customer) -> QuerySet[NoBillReason]:
    """The customer's products that got no bill, and why (the page's 未找到？生成账单)."""
    return NoBillReason.objects.filter(customer=customer).select_related("product").order_by("-period", "product__code")


@dataclass(frozen=True)
class OurFigures:
    """我司数据 of a bill: before archive its count/amount, after it the figures kept in our_count/our_amount."""

    count: int
    amount: Decimal
    unit_price: Decimal

    def amount_of(self, count: int) -> Decimal:
        return figures.amount_of(count=count, price=self.unit_price, our_count=self.count, our_amount=self.amount)

    @property
    def price_text(self) -> str:
        """The price as the manual prints a bill's: 0.04 (at least 2 places, no trailing zeros beyond)."""
        return figures.price_text(self.unit_price)

    @property
    def price_micro(self) -> int:  # for the page's script: exact integer arithmetic
        return int(self.unit_price * 1_000_000)

    @property
    def cents(self) -> int:
        return int(self.amount * 100)


def bill_our_figures(bill: Bill) -> OurFigures:
    count = bill.our_count if bill.our_count is not None else bill.count
    amount = bill.our_amount if bill.our_amount is not None else bill.amount
    return OurFigures(count=count, amount=Decimal(amount), unit_price=figures.unit_price(count=count, amount=amount))


def statement_line(*, bill: Bill, customer_count: int | None, agreed_count: int) -> StatementLine:
    """One bill's line on the electronic statement: our figures, the customer's and the agreed count
    (amounts at our unit price, our amount where the count is ours). The desk page and the portal both use it."""
    ours = bill_our_figures(bill)
    return StatementLine(
        bill_name=bill.name,
        product_name=bill.product.name,
        period=bill.period,
        unit_price=ours.unit_price,
        our_count=ours.count,
        our_amount=ours.amount,
        customer_count=customer_count,
        customer_amount=None if customer_count is None else ours.amount_of(customer_count),
        agreed_count=agreed_count,
        agreed_amount=ours.amount_of(agreed_count),
    )


def bill_agreed_count(bill: Bill) -> int:
    """对账数据 as stored: 已对账 → the bill's count; 对账中 → the count on its reconciliation's form; else ours."""
    if bill.status == BillStatus.RECONCILING and bill.reconciliation_id:
        for line in (bill.reconciliation.form_data or {}).get("lines") or []:  # type: ignore[union-attr]
            if line.get("bill") == bill.pk and line.get("agreed_count") is not None:
                return int(line["agreed_count"])
    return bill.count


def bill_statement_line(bill: Bill) -> StatementLine:
    """The statement line of a stored bill (the portal's 对账单): the figures as they stand now."""
    return statement_line(bill=bill, customer_count=bill.customer_count, agreed_count=bill_agreed_count(bill))


def customers_with_unreconciled_bills(*, user: User) -> QuerySet[Customer]:
    """The entry page's list: visible customers with 未对账 bills, most bills first."""
    customers = Customer.objects.all()
    q = customer_visibility_q(user)
    if q is not None:
        customers = customers.filter(q)
    return (
        customers.filter(bills__status=BillStatus.ISSUED)
        .annotate(open_bills=Count("bills"), open_amount=Sum("bills__amount"), oldest=Min("bills__period"))
        .select_related("owner")
        .order_by("-open_bills", "name")
    )


def customer_visible(*, user: User, pk: int) -> Customer | None:
    customers = Customer.objects.filter(pk=pk)
    q = customer_visibility_q(user)
    return (customers if q is None else customers.filter(q)).first()


def customer_reconciliation_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 对账 panel (hooks.CUSTOMER_PAGE_PANELS): how many bills wait, and the page."""
    issued = Bill.objects.filter(customer=customer, status=BillStatus.ISSUED)
    waiting = issued.aggregate(n=Count("pk"), total=Sum("amount"))
    holding = Bill.objects.filter(customer=customer, status=BillStatus.RECONCILING).count()
    if not waiting["n"] and not holding:
        return None
    return {
        "title": "对账",
        "template": "reconciliation/customer_panel.html",
        "waiting": waiting["n"],
        "waiting_amount": Decimal(waiting["total"] or 0).quantize(figures.CENT),
        "holding": holding,
        "url": reverse("reconciliation:page", args=[customer.pk]),
    }
