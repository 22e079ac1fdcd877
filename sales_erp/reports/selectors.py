"""The reports' rows (DESIGN §10): aggregation in SQL, scoped to what the user may see.

Scope: a salesperson sees their own customers' figures, a leader their team's, see-all roles (finance,
销管, directors, operations, admins) everyone's — `customers.selectors.customer_edit_q`, i.e. pool
customers are not anyone's figures. Unmatched deposits follow the deposit pool's own visibility.

Ageing (应收账龄): open = amount − written_off of reconciled (已对账) bills not fully written off; the age is
as_of − due_date in days. 未到期: due after as_of. A bill due on as_of is 0 days past due and falls in 0–30
(the bucket's label says so); 31 days past due is 31–60; 90 days is 61–90; 91 days and more is 90+.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer, InvoiceKind, Tier, TierChange, TierRule
from sales_erp.customers.selectors import customer_edit_q, customer_visibility_q, owner_ids_of
from sales_erp.deposits.models import DepositStatus
from sales_erp.deposits.selectors import deposits_visible_to
from sales_erp.invoicing.models import Invoice
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.reports.framework import cents
from sales_erp.writeoffs.models import InterestEntry, InterestKind, WriteOff, WriteOffStatus

AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
NOT_DUE, D30, D60, D90, D90_PLUS = "not_due", "d0_30", "d31_60", "d61_90", "d90_plus"
BUCKETS: list[tuple[str, str]] = [
    (NOT_DUE, "未到期"),
    (D30, "0–30天"),
    (D60, "31–60天"),
    (D90, "61–90天"),
    (D90_PLUS, "90天以上"),
]


def scoped(queryset: QuerySet, *, user: User, prefix: str = "customer__") -> QuerySet:
    """Rows of the customers whose figures `user` may see (own / team; see-all roles: all)."""
    q = customer_edit_q(user, prefix=prefix)
    return queryset if q is None else queryset.filter(q)


def user_names(ids: Any) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in={i for i in ids if i})}


def salespeople_visible_to(user: User) -> QuerySet[User]:
    """The salespeople a filter may offer: oneself and the team, or every salesperson for see-all roles."""
    people = User.objects.filter(groups__name__in=[Role.SALES, Role.SALES_LEADER]).distinct()
    if not user.sees_all_customers:
        people = people.filter(pk__in=owner_ids_of(user))
    return people.order_by("last_name", "first_name", "username")


def month_range(queryset: QuerySet, field: str, month_from: date | None, month_to: date | None) -> QuerySet:
    if month_from:
        queryset = queryset.filter(**{f"{field}__gte": month_from})
    if month_to:
        next_month = (month_to.replace(day=28) + timedelta(days=4)).replace(day=1)
        queryset = queryset.filter(**{f"{field}__lt": next_month})
    return queryset


# ---------------------------------------------------------------------------------------- ageing
def open_bills(*, user: User) -> QuerySet[Bill]:
    bills = Bill.objects.filter(status=BillStatus.RECONCILED, written_off_amount__lt=F("amount"))
    return scoped(bills, user=user)


def bucket_sums(as_of: date) -> dict[str, Sum]:
    """The open amount summed per ageing bucket, as conditional sums the database computes."""
    open_amount = F("amount") - F("written_off_amount")

    def when(condition: Q) -> Sum:
        return Sum(Case(When(condition, then=open_amount), default=Value(ZERO), output_field=AMOUNT))

    def day(*, days: int) -> date:
        return as_of - timedelta(days=days)

    return {
        NOT_DUE: when(Q(due_date__gt=as_of)),
        D30: when(Q(due_date__lte=as_of, due_date__gte=day(days=30))),
        D60: when(Q(due_date__lt=day(days=30), due_date__gte=day(days=60))),
        D90: when(Q(due_date__lt=day(days=60), due_date__gte=day(days=90))),
        D90_PLUS: when(Q(due_date__lt=day(days=90))),
    }


def receivables_ageing(
    *, user: User, as_of: date, by: str = "customer", query: str = "", salesperson_id: int | None = None
) -> list[dict[str, Any]]:
    """One row per customer (by="customer") or per salesperson (by="salesperson"): open amount per bucket."""
    bills = open_bills(user=user)
    if query:
        bills = bills.filter(customer__name__icontains=query)
    if salesperson_id:
        bills = bills.filter(customer__owner_id=salesperson_id)
    keys = ["customer__owner_id"] if by == "salesperson" else ["customer_id", "customer__name", "customer__owner_id"]
    grouped = bills.order_by().values(*keys).annotate(bills=Count("pk"), **bucket_sums(as_of))
    names = user_names(r["customer__owner_id"] for r in grouped)
    rows = []
    for r in grouped:
        row: dict[str, Any] = {
            "customer": r.get("customer__name", ""),
            "customer_id": r.get("customer_id"),
            "salesperson": names.get(r["customer__owner_id"], "（无归属）"),
            "bills": r["bills"],
        }
        for key, _label in BUCKETS:
            row[key] = cents(r[key])
        row["overdue"] = row[D30] + row[D60] + row[D90] + row[D90_PLUS]
        row["total"] = row[NOT_DUE] + row["overdue"]
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["total"], r["customer"], r["salesperson"]))


def ageing_by_bucket(*, user: User, as_of: date) -> dict[str, Decimal]:
    """The whole of what `user` may see, per bucket (the dashboard's chart)."""
    sums = open_bills(user=user).aggregate(**bucket_sums(as_of))
    return {key: cents(sums[key]) for key, _label in BUCKETS}


# ---------------------------------------------------------------------------------- bills by month
def bills_by_month(
    *,
    user: User,
    month_from: date | None = None,
    month_to: date | None = None,
    query: str = "",
    salesperson_id: int | None = None,
    status: str = "",
) -> list[dict[str, Any]]:
    bills = month_range(scoped(Bill.objects.all(), user=user), "period", month_from, month_to)
    if query:
        bills = bills.filter(customer__name__icontains=query)
    if salesperson_id:
        bills = bills.filter(customer__owner_id=salesperson_id)
    if status:
        bills = bills.filter(status=status)
    grouped = (
        bills.order_by()
        .values("period")
        .annotate(
            bills=Count("pk"),
            count=Sum("count"),
            amount=Sum("amount"),
            written_off=Sum("written_off_amount"),
            invoiced=Sum("invoiced_amount"),
        )
        .order_by("period")
    )
    rows = []
    for r in grouped:
        amount, written_off = cents(r["amount"]), cents(r["written_off"])
        rows.append(
            {
                "month": r["period"],
                "bills": r["bills"],
                "count": int(r["count"] or 0),
                "amount": amount,
                "written_off": written_off,
                "open": amount - written_off,
                "invoiced": cents(r["invoiced"]),
            }
        )
    return rows


# ------------------------------------------------------------------------------------ write-offs
def write_offs_by_month(*, user: User, month_from: date) -> list[dict[str, Any]]:
    """Archived write-offs per posted month from `month_from` (the dashboard's chart)."""
    write_offs = scoped(WriteOff.objects.filter(status=WriteOffStatus.POSTED, posted_month__gte=month_from), user=user)
    grouped = write_offs.order_by().values("posted_month").annotate(total=Sum("total"), n=Count("pk"))
    return [{"month": r["posted_month"], "total": cents(r["total"]), "count": r["n"]} for r in grouped]


# -------------------------------------------------------------------------------------- invoices
def invoices_issued(
    *,
    user: User,
    month_from: date | None = None,
    month_to: date | None = None,
    query: str = "",
    invoice_type: str = "",
    source: str = "",
) -> list[dict[str, Any]]:
    """Issued invoices per month, customer, invoice type and our invoicing entity."""
    invoices = month_range(scoped(Invoice.objects.all(), user=user), "issued_on", month_from, month_to)
    if query:
        invoices = invoices.filter(customer__name__icontains=query)
    if invoice_type:
        invoices = invoices.filter(invoice_type=invoice_type)
    if source:
        invoices = invoices.filter(source=source)
    grouped = (
        invoices.order_by()
        .annotate(month=TruncMonth("issued_on"))
        .values("month", "customer_id", "customer__name", "invoice_type", "entity__name")
        .annotate(invoices=Count("pk"), amount=Sum("amount"), received=Sum("received_amount"))
    )
    rows = [
        {
            "month": r["month"],
            "customer": r["customer__name"],
            "invoice_type": InvoiceKind(r["invoice_type"]).label if r["invoice_type"] in InvoiceKind.values else "",
            "entity": r["entity__name"],
            "invoices": r["invoices"],
            "amount": cents(r["amount"]),
            "received": cents(r["received"]),
        }
        for r in grouped
    ]
    return sorted(rows, key=lambda r: (r["month"], r["customer"], r["invoice_type"], r["entity"]))


# -------------------------------------------------------------------------------------- interest
def interest_by_month(
    *,
    user: User,
    month_from: date | None = None,
    month_to: date | None = None,
    query: str = "",
    salesperson_id: int | None = None,
) -> list[dict[str, Any]]:
    """Penalty (罚息) and credit interest (计息) entries per month, customer and salesperson."""
    entries = month_range(scoped(InterestEntry.objects.all(), user=user), "month", month_from, month_to)
    if query:
        entries = entries.filter(customer__name__icontains=query)
    if salesperson_id:
        entries = entries.filter(salesperson_id=salesperson_id)

    def kind_sum(kind: str) -> Sum:
        return Sum(Case(When(kind=kind, then=F("amount")), default=Value(ZERO), output_field=AMOUNT))

    grouped = (
        entries.order_by()
        .values("month", "customer_id", "customer__name", "salesperson_id")
        .annotate(penalty=kind_sum(InterestKind.PENALTY), credit=kind_sum(InterestKind.CREDIT), entries=Count("pk"))
    )
    names = user_names(r["salesperson_id"] for r in grouped)
    rows = [
        {
            "month": r["month"],
            "customer": r["customer__name"],
            "salesperson": names.get(r["salesperson_id"], ""),
            "entries": r["entries"],
            "penalty": cents(r["penalty"]),
            "credit": cents(r["credit"]),
        }
        for r in grouped
    ]
    return sorted(rows, key=lambda r: (r["month"], r["customer"], r["salesperson"]))


# ---------------------------------------------------------------------------------------- deposits
def unmatched_deposits(
    *, user: User, as_of: date, query: str = "", received_from: date | None = None, received_to: date | None = None
) -> list[dict[str, Any]]:
    """The deposit pool (未匹配) as `user` sees it, oldest first, with each deposit's age in days."""
    deposits = deposits_visible_to(user).filter(status=DepositStatus.UNMATCHED)
    if query:
        deposits = deposits.filter(payer__icontains=query)
    if received_from:
        deposits = deposits.filter(received_on__gte=received_from)
    if received_to:
        deposits = deposits.filter(received_on__lte=received_to)
    fields = ("received_on", "payer", "payer_account", "amount", "available", "serial", "summary")
    return [
        {**r, "age": (as_of - r["received_on"]).days} for r in deposits.order_by("received_on", "pk").values(*fields)
    ]


# ------------------------------------------------------------------------------------------- funnel
def funnel_movements(
    *,
    user: User,
    month_from: date | None = None,
    month_to: date | None = None,
    from_tier: str = "",
    to_tier: str = "",
    salesperson_id: int | None = None,
) -> list[dict[str, Any]]:
    """Tier changes per month, from → to, rule and salesperson (whom the move concerns)."""
    changes = month_range(TierChange.objects.all(), "date", month_from, month_to)
    if not user.sees_all_customers:
        owners = owner_ids_of(user)
        changes = changes.filter(Q(salesperson_id__in=owners) | Q(customer__owner_id__in=owners))
    if from_tier:
        changes = changes.filter(from_tier=from_tier)
    if to_tier:
        changes = changes.filter(to_tier=to_tier)
    if salesperson_id:
        changes = changes.filter(salesperson_id=salesperson_id)
    grouped = (
        changes.order_by()
        .annotate(month=TruncMonth("date"))
        .values("month", "from_tier", "to_tier", "rule", "salesperson_id")
        .annotate(changes=Count("pk"), customers=Count("customer_id", distinct=True))
    )
    names = user_names(r["salesperson_id"] for r in grouped)
    rows = [
        {
            "month": r["month"],
            "from_tier": Tier(r["from_tier"]).label,
            "to_tier": Tier(r["to_tier"]).label,
            "rule": TierRule(r["rule"]).label if r["rule"] in TierRule.values else r["rule"],
            "salesperson": names.get(r["salesperson_id"], ""),
            "changes": r["changes"],
            "customers": r["customers"],
        }
        for r in grouped
    ]
    return sorted(rows, key=lambda r: (r["month"], r["from_tier"], r["to_tier"], r["rule"], r["salesperson"]))


@dataclass
class TierCount:
    tier: str
    label: str
    count: int


def tier_counts(*, user: User) -> list[TierCount]:
    """How many customers `user` may see in each funnel tier (the dashboard's chart)."""
    q = customer_visibility_q(user)
    customers = Customer.objects.all() if q is None else Customer.objects.filter(q)
    counts = dict(customers.order_by().values_list("tier").annotate(n=Count("pk")))
    return [TierCount(tier=t.value, label=t.label, count=counts.get(t.value, 0)) for t in Tier]
