"""Reads on invoices: which bills may be invoiced and how much, the register's visibility, a bill's cycle,
and the customer page's 发票 panel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.urls import reverse

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.invoicing.models import Invoice, InvoiceReservation
from sales_erp.org.models import User
from sales_erp.pricing.money import to_cents
from sales_erp.workflow.models import Status

# Which bills may be invoiced: reconciled ones only (DESIGN §5.1: on archive of the reconciliation "the bills
# carry the agreed figures and become the basis for invoices and write-offs"). An unreconciled bill may
# still be regenerated, so invoicing it could invoice a figure that later changes.
INVOICEABLE_STATUSES = (BillStatus.RECONCILED,)


@dataclass(frozen=True)
class InvoiceableBill:
    """One row of the bill table: 应开金额 (the bill's amount), what is invoiced, what running processes
    hold, and 可开金额 = amount − invoiced − reserved."""

    bill: Bill
    amount: Decimal
    invoiced: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return to_cents(max(Decimal(0), self.amount - self.invoiced - self.reserved))

    @property
    def pk(self) -> int:
        return self.bill.pk


def reserved_by_bill(*, bill_ids: list[int], exclude_instance_id: int | None = None) -> dict[int, Decimal]:
    """What running bill_invoice processes hold of each bill (`exclude_instance_id`: not counting that one)."""
    rows = InvoiceReservation.objects.filter(bill_id__in=bill_ids, process__status=Status.RUNNING)
    if exclude_instance_id is not None:
        rows = rows.exclude(process_id=exclude_instance_id)
    totals = rows.values("bill_id").annotate(total=Sum("amount")).order_by()
    return {row["bill_id"]: to_cents(Decimal(row["total"] or 0)) for row in totals}  # SQLite sums lose the scale


def bills_invoiceable(
    *, customer: Customer | None, exclude_instance_id: int | None = None, bill_ids: list[int] | None = None
) -> list[InvoiceableBill]:
    """The customer's bills that may be invoiced and are not wholly invoiced yet, oldest month first."""
    bills = Bill.objects.filter(status__in=INVOICEABLE_STATUSES).select_related("product")
    if customer is not None:
        bills = bills.filter(customer=customer)
    if bill_ids is not None:
        bills = bills.filter(pk__in=bill_ids)
    rows = [b for b in bills.order_by("period", "name") if b.invoiced_amount < b.amount]
    reserved = reserved_by_bill(bill_ids=[b.pk for b in rows], exclude_instance_id=exclude_instance_id)
    return [
        InvoiceableBill(bill=b, amount=b.amount, invoiced=b.invoiced_amount, reserved=reserved.get(b.pk, Decimal(0)))
        for b in rows
    ]


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    q = customer_visibility_q(user, prefix="customer__")
    invoices = Invoice.objects.select_related("customer", "entity", "process")
    return invoices if q is None else invoices.filter(q)


def bill_cycle_complete(bill: Bill) -> bool:
    """DESIGN §5.4: a bill's cycle ends when it is written off and, for a customer who needs invoices
    (Customer.needs_invoice, 需要开票), invoiced too — both in full, on a reconciled bill."""
    if bill.status != BillStatus.RECONCILED or bill.written_off_amount < bill.amount:
        return False
    return not bill.customer.needs_invoice or bill.invoiced_amount >= bill.amount


def bill_cycle_label(bill: Bill) -> str:
    """The bill page's 账单周期: what is still missing, in the words finance uses."""
    if bill_cycle_complete(bill):
        return "已完成"
    missing = []
    if bill.status != BillStatus.RECONCILED:
        missing.append("未对账")
    if bill.written_off_amount < bill.amount:
        missing.append(f"未销账 {to_cents(bill.amount - bill.written_off_amount)} 元")
    if bill.customer.needs_invoice and bill.invoiced_amount < bill.amount:
        missing.append(f"未开票 {to_cents(bill.amount - bill.invoiced_amount)} 元")
    return "未完成：" + "，".join(missing)


PANEL_INVOICES = 10


def customer_invoices_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 发票 panel (hooks.CUSTOMER_PAGE_PANELS): the latest invoices, what may still be
    invoiced, and the two invoice processes to start."""
    invoices = invoices_visible_to(user).filter(customer=customer)  # the page itself checked the customer
    open_rows = bills_invoiceable(customer=customer)
    return {
        "title": "发票",
        "template": "invoicing/customer_invoices_panel.html",
        "invoices": list(invoices[:PANEL_INVOICES]),
        "more": invoices.count() > PANEL_INVOICES,
        "invoiceable": to_cents(sum((r.available for r in open_rows), Decimal(0))),
        "invoiceable_count": sum(1 for r in open_rows if r.available > 0),
        "needs_invoice": customer.needs_invoice,
        "start_bill": reverse("workflow:start", args=["bill_invoice"]) + f"?target={customer.pk}",
        "start_free": reverse("workflow:start", args=["free_invoice"]) + f"?target={customer.pk}",
        "list_url": reverse("admin:invoicing_invoice_changelist") + f"?customer__id__exact={customer.pk}",
    }
