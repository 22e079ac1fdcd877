"""Reads for the portal. Strict scoping: every query starts from the portal user's own company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from sales_erp.billing.models import Bill, BillLine, BillStatus, UsageRecord
from sales_erp.customers.models import Account, Customer
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.invoicing.models import Invoice, InvoiceBill
from sales_erp.org.models import User
from sales_erp.portal.models import PortalAccount
from sales_erp.prepaid.models import BalanceEntry
from sales_erp.prepaid.selectors import PREPAID_SETTLEMENTS, account_balance
from sales_erp.pricing.money import to_cents
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus


def portal_customer_of(user: Any) -> Customer | None:
    """The company a portal login belongs to; None for anyone else (staff, inactive, no portal account)."""
    if not (user.is_authenticated and user.is_active) or user.is_staff or user.is_superuser:
        return None
    account = PortalAccount.objects.select_related("customer").filter(user=user).first()
    return account.customer if account else None


def portal_bills(*, customer: Customer) -> QuerySet[Bill]:
    return Bill.objects.filter(customer=customer).select_related("product").order_by("-period", "name")


def portal_bill(*, customer: Customer, pk: int) -> Bill | None:
    """One of the company's bills with its lines; None (the page answers 404) for anyone else's."""
    lines = Prefetch("lines", queryset=BillLine.objects.select_related("account").order_by("account__code", "pk"))
    return portal_bills(customer=customer).prefetch_related(lines).filter(pk=pk).first()


def portal_bills_summary(*, customer: Customer) -> dict[str, Any]:
    bills = Bill.objects.filter(customer=customer)
    totals = bills.aggregate(n=Count("pk"), amount=Sum("amount"), written_off=Sum("written_off_amount"))
    unreconciled = bills.filter(status=BillStatus.ISSUED).aggregate(n=Count("pk"), amount=Sum("amount"))
    # SQLite's SUM loses the decimal places: amounts are shown to the cent again.
    return {
        "count": totals["n"],
        "open_amount": to_cents(Decimal(totals["amount"] or 0) - Decimal(totals["written_off"] or 0)),
        "unreconciled_count": unreconciled["n"],
        "unreconciled_amount": to_cents(Decimal(unreconciled["amount"] or 0)),
    }


def portal_deposits(*, customer: Customer) -> QuerySet[Deposit]:
    """到款 that belong to the company (matched to it); the deposit pool's unmatched ones are nobody's yet."""
    used = Prefetch(
        "allocations",
        queryset=Allocation.objects.filter(
            status=WriteOffStatus.POSTED, write_off__status=WriteOffStatus.POSTED, write_off__customer=customer
        )
        .select_related("write_off", "bill")
        .order_by("pk"),
        to_attr="posted_allocations",
    )
    return (
        Deposit.objects.filter(customer=customer, status=DepositStatus.MATCHED)
        .prefetch_related(used)
        .order_by("-received_on", "-pk")
    )


@dataclass(frozen=True)
class UsageDay:
    day: date
    counts: list[int]  # billable per account, in the order of `UsageMonth.accounts`
    total: int


@dataclass(frozen=True)
class UsageMonth:
    month: date
    accounts: list[str]
    days: list[UsageDay]
    totals: list[int]
    total: int


def portal_usage_months(*, customer: Customer) -> list[date]:
    """The months the company has usage in, newest first."""
    months = UsageRecord.objects.filter(account__product__customer=customer).values_list("month", flat=True)
    return sorted(set(months), reverse=True)


def portal_usage_month(*, customer: Customer, month: date) -> UsageMonth:
    """发送量: the company's billable counts per day and account for one month (carriers and countries summed)."""
    rows = (
        UsageRecord.objects.filter(account__product__customer=customer, month=month)
        .values("day", "account__code")
        .annotate(billable=Sum("billable"))
        .order_by("day", "account__code")
    )
    accounts = sorted({row["account__code"] for row in rows})
    by_day: dict[date, dict[str, int]] = {}
    for row in rows:
        by_day.setdefault(row["day"], {})[row["account__code"]] = int(row["billable"])
    days = [
        UsageDay(day=day, counts=[counts.get(code, 0) for code in accounts], total=sum(counts.values()))
        for day, counts in sorted(by_day.items())
    ]
    totals = [sum(d.counts[i] for d in days) for i in range(len(accounts))]
    return UsageMonth(month=month, accounts=accounts, days=days, totals=totals, total=sum(totals))


def portal_accounts_of(*, customer: Customer) -> QuerySet[PortalAccount]:
    return PortalAccount.objects.filter(customer=customer).select_related("user", "created_by")


def is_portal_user(user: User) -> bool:
    return portal_customer_of(user) is not None


# ------------------------------------------------------------------ documents, invoices, write-offs, prepaid
def portal_bills_chosen(*, customer: Customer, bill_ids: list[int]) -> list[Bill] | None:
    """The company's bills among `bill_ids`, newest first; None (→ 404) if any id is not the company's."""
    wanted = set(bill_ids)
    bills = list(portal_bills(customer=customer).filter(pk__in=wanted).select_related("reconciliation"))
    return bills if bills and len(bills) == len(wanted) else None


def portal_invoices(*, customer: Customer) -> QuerySet[Invoice]:
    """The company's issued invoices (an invoice exists once its process is archived), with their bills."""
    lines = Prefetch("lines", queryset=InvoiceBill.objects.select_related("bill").order_by("bill__period", "pk"))
    return (
        Invoice.objects.filter(customer=customer)
        .select_related("entity")
        .prefetch_related(lines)
        .order_by("-issued_on", "-pk")
    )


def portal_invoice(*, customer: Customer, pk: int) -> Invoice | None:
    return portal_invoices(customer=customer).filter(pk=pk).first()


def portal_write_offs(*, customer: Customer) -> QuerySet[WriteOff]:
    """The company's posted write-offs (销账), each with its allocations (bill ← deposit, amount)."""
    allocations = Prefetch(
        "allocations",
        queryset=Allocation.objects.filter(status=WriteOffStatus.POSTED)
        .select_related("bill", "deposit")
        .order_by("bill__period", "pk"),
    )
    return (
        WriteOff.objects.filter(customer=customer, status=WriteOffStatus.POSTED)
        .prefetch_related(allocations)
        .order_by("-posted_on", "-pk")
    )


def portal_write_off(*, customer: Customer, pk: int) -> WriteOff | None:
    return portal_write_offs(customer=customer).filter(pk=pk).first()


@dataclass(frozen=True)
class PrepaidAccount:
    account: Account
    balance: Decimal
    entries: list[BalanceEntry]

    @property
    def in_arrears(self) -> bool:
        return self.balance < 0


def portal_prepaid(*, customer: Customer) -> list[PrepaidAccount]:
    """预付余额: each of the company's prepaid accounts (or any with ledger rows), its balance and ledger."""
    accounts = (
        Account.objects.filter(product__customer=customer)
        .filter(Q(product__settlement__in=PREPAID_SETTLEMENTS) | Q(balance_entries__isnull=False))
        .select_related("product")
        .distinct()
        .order_by("code")
    )
    rows = []
    for account in accounts:
        entries = list(BalanceEntry.objects.filter(account=account).order_by("-entry_date", "-pk")[:50])
        rows.append(PrepaidAccount(account=account, balance=account_balance(account=account), entries=entries))
    return rows
