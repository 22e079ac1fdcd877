"""Reads of write-offs: open bills, deposits with balance, what a user may see, the commission basis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_visibility_q, owner_ids_of
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.org.models import User
from sales_erp.writeoffs.models import Allocation, InterestEntry, InterestKind, WriteOff, WriteOffStatus

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def reserved_subquery() -> Coalesce:
    """Per bill: the money of its allocations still awaiting approval (reserved)."""
    rows = (
        Allocation.objects.filter(bill=OuterRef("pk"), status=WriteOffStatus.RESERVED)
        .order_by()
        .values("bill")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def bills_with_open(queryset: QuerySet[Bill] | None = None) -> QuerySet[Bill]:
    """Bills annotated with `reserved` and `open_amount` = amount − written off − reserved."""
    bills = Bill.objects.all() if queryset is None else queryset
    return bills.annotate(reserved=reserved_subquery()).annotate(
        open_amount=F("amount") - F("written_off_amount") - F("reserved")
    )


def bills_open_for_customer(*, customer: Customer) -> list[Bill]:
    """The customer's open bills (reconciled, not fully written off or reserved), oldest first."""
    bills = bills_with_open(
        Bill.objects.filter(customer=customer, status=BillStatus.RECONCILED, written_off_amount__lt=F("amount"))
    ).select_related("product")
    found = []
    for bill in bills.order_by("bill_date", "period", "pk"):
        bill.open_amount = Decimal(str(bill.open_amount)).quantize(CENT)  # type: ignore[attr-defined]
        if bill.open_amount > 0:  # type: ignore[attr-defined]
            found.append(bill)
    return found


def deposits_available_for_customer(*, customer: Customer) -> QuerySet[Deposit]:
    """The customer's deposits with balance left (credit from earlier write-offs included), oldest first."""
    return Deposit.objects.filter(customer=customer, status=DepositStatus.MATCHED, available__gt=0).order_by(
        "received_on", "pk"
    )


def write_offs_visible_to(user: User) -> QuerySet[WriteOff]:
    q = customer_visibility_q(user, prefix="customer__")
    rows = WriteOff.objects.select_related("customer", "salesperson", "process")
    return rows if q is None else rows.filter(q)


def write_off_visible(user: User, pk: int) -> WriteOff | None:
    return write_offs_visible_to(user).filter(pk=pk).first()


# ----------------------------------------------------------------------------------- commission basis
@dataclass
class CommissionRow:
    salesperson_id: int
    salesperson: str
    month: date
    written_off: Decimal = ZERO
    write_off_count: int = 0
    credit_interest: Decimal = ZERO
    penalty: Decimal = ZERO
    customers: set[int] = field(default_factory=set)


def cents(value: Decimal | None) -> Decimal:
    """A sum as the database gives it (SQLite: a float-ish Decimal) to exactly 2 places."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def commission_basis(
    *, user: User, month_from: date | None = None, month_to: date | None = None
) -> list[CommissionRow]:
    """Archived (posted, not reversed) write-offs per salesperson per month, with interest beside them.

    A salesperson sees their own rows (a leader their team's through customer visibility); finance and
    management see everyone's.
    """
    visible = customer_visibility_q(user, prefix="customer__")
    own_only = not user.sees_all_customers
    write_offs = WriteOff.objects.filter(status=WriteOffStatus.POSTED)
    entries = InterestEntry.objects.all()
    if visible is not None:
        write_offs = write_offs.filter(visible)
        entries = entries.filter(visible)
    if own_only:
        owners = owner_ids_of(user)
        write_offs = write_offs.filter(salesperson_id__in=owners)
        entries = entries.filter(salesperson_id__in=owners)
    if month_from:
        write_offs = write_offs.filter(posted_month__gte=month_from)
        entries = entries.filter(month__gte=month_from)
    if month_to:
        write_offs = write_offs.filter(posted_month__lte=month_to)
        entries = entries.filter(month__lte=month_to)
    rows: dict[tuple[int, date], CommissionRow] = {}
    names = {u.pk: str(u) for u in User.objects.all()}

    def row(person: int, month: date) -> CommissionRow:
        key = (person, month)
        if key not in rows:
            rows[key] = CommissionRow(salesperson_id=person, salesperson=names.get(person, ""), month=month)
        return rows[key]

    for posted in (
        write_offs.order_by().values("salesperson_id", "posted_month").annotate(total=Sum("total"), count=Sum(Value(1)))
    ):
        r = row(posted["salesperson_id"], posted["posted_month"] or date.min)
        r.written_off = cents(posted["total"])
        r.write_off_count = posted["count"]
    for item in (
        entries.exclude(salesperson_id=None)
        .order_by()
        .values("salesperson_id", "month", "kind")
        .annotate(total=Sum("amount"))
    ):
        r = row(item["salesperson_id"], item["month"])
        if item["kind"] == InterestKind.PENALTY:
            r.penalty = cents(item["total"])
        else:
            r.credit_interest = cents(item["total"])
    return sorted(rows.values(), key=lambda r: (r.month, r.salesperson, r.salesperson_id), reverse=False)
