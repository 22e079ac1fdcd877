"""Penalty interest (罚息, DESIGN §5.6, manual "V17 更新：计息罚息功能").

Rates are monthly (资金月 = 30 days) with effective dates. A postpaid bill is overdue from the day after
its due date (bill date + payment term); each overdue day accrues

    open amount at the end of that day × the penalty rate valid that day / 30

where the open amount is the bill amount less what posted write-offs had taken by the end of the day
(reversed ones count until their reversal day; reserved ones are still owed). A month's accrual for a bill
is one `InterestEntry`, the unrounded daily sum rounded half-up to the cent once.

Idempotent: a run recomputes every month from the one holding the day after the previous run's `through`
up to yesterday, replacing those months' entries; daily runs and one run at the end give the same entries.
Bills whose every account is on 不计息账号配置 accrue nothing.

Credit interest (计息, `InterestKind.CREDIT`) on prepaid money held, in the same run: each day a prepaid
account accrues

    its balance at the end of that day (ledger entries dated on or before it) × the credit rate that day / 30

a balance at or below zero accruing nothing; one entry per account per month, rounded half-up once,
counted for the customer's owner (as the penalty is). Exempt accounts accrue nothing. The months recomputed
are the penalty's, reaching back further when a ledger row made since the last run is dated before them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sales_erp.billing.models import Bill, BillLine
from sales_erp.customers.models import Account, Settlement
from sales_erp.jobs.checkpoint import job_checkpoint
from sales_erp.prepaid.models import BalanceEntry
from sales_erp.writeoffs.models import (
    Allocation,
    InterestEntry,
    InterestExemptAccount,
    InterestKind,
    InterestRate,
    InterestRun,
)

CENT = Decimal("0.01")
FUND_MONTH_DAYS = Decimal(30)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class RateTable:
    """The rate of one kind valid on a day (the latest effective_from ≤ day), or 0 before the first."""

    def __init__(self, kind: str) -> None:
        rows = list(InterestRate.objects.filter(kind=kind).order_by("effective_from"))
        self.starts = [r.effective_from for r in rows]
        self.rates = [r.monthly_rate for r in rows]

    def on(self, day: date) -> Decimal:
        i = bisect.bisect_right(self.starts, day) - 1
        return self.rates[i] if i >= 0 else Decimal(0)

    def __bool__(self) -> bool:
        return bool(self.starts)


def exempt_bill_ids(bill_ids: list[int]) -> set[int]:
    """Bills whose every account (its lines' accounts, else its product's) is interest-exempt."""
    exempt_accounts = set(InterestExemptAccount.objects.values_list("account_id", flat=True))
    if not exempt_accounts:
        return set()
    accounts: dict[int, set[int]] = defaultdict(set)
    for bill_id, account_id in BillLine.objects.filter(bill__in=bill_ids).values_list("bill", "account"):
        accounts[bill_id].add(account_id)
    without_lines = [b for b in bill_ids if b not in accounts]
    if without_lines:
        products = dict(Bill.objects.filter(pk__in=without_lines).values_list("pk", "product"))
        by_product: dict[int, set[int]] = defaultdict(set)
        for product_id, account_id in Account.objects.filter(product__in=set(products.values())).values_list(
            "product", "pk"
        ):
            by_product[product_id].add(account_id)
        for bill_id, product_id in products.items():
            accounts[bill_id] = by_product.get(product_id, set())
    return {b for b, ids in accounts.items() if ids and ids <= exempt_accounts}


def penalty_for_bill(
    *,
    amount: Decimal,
    due_date: date,
    postings: list[tuple[date, date | None, Decimal]],
    first: date,
    through: date,
    rates: RateTable,
) -> dict[date, tuple[int, Decimal, date]]:
    """month -> (days, rounded accrual, last day counted) for the days first..through after the due date."""
    start = max(first, due_date + timedelta(days=1))
    out: dict[date, tuple[int, Decimal, date]] = {}
    day = start
    sums: dict[date, list[Any]] = {}
    while day <= through:
        taken = sum(
            (a for posted, reversed_on, a in postings if posted <= day and (reversed_on is None or reversed_on > day)),
            Decimal(0),
        )
        open_amount = amount - taken
        if open_amount > 0:
            month = month_start(day)
            entry = sums.setdefault(month, [0, Decimal(0), day])
            entry[0] += 1
            entry[1] += open_amount * rates.on(day) / FUND_MONTH_DAYS
            entry[2] = day
        day += timedelta(days=1)
    for month, (days, total, last) in sums.items():
        rounded = total.quantize(CENT, rounding=ROUND_HALF_UP)
        if rounded > 0:
            out[month] = (days, rounded, last)
    return out


def credit_for_account(
    *,
    movements: list[tuple[date, Decimal]],
    first: date,
    through: date,
    rates: RateTable,
) -> dict[date, tuple[int, Decimal, date]]:
    """month -> (days, rounded accrual, last day counted) for the days first..through with a positive balance.

    `movements` are the account's ledger rows (entry date, signed amount); the balance of a day is the sum of
    those dated on or before it.

    The days are walked in runs where balance, rate and month stay the same (cut at each ledger date, rate
    change and month start); a month's total is Σ balance × rate × days, divided by 30 once, so it is exact
    before the one rounding.
    """
    if first > through:
        return {}
    ordered = sorted(movements)
    balance = sum((a for d, a in ordered if d < first), Decimal(0))
    pending = [(d, a) for d, a in ordered if first <= d <= through]
    cuts = {first, through + timedelta(days=1)}
    cuts.update(d for d, _ in pending)
    cuts.update(d for d in rates.starts if first < d <= through)
    month = month_start(first)
    while month <= through:
        if month > first:
            cuts.add(month)
        month = month_end(month) + timedelta(days=1)
    bounds = sorted(cuts)
    i = 0
    sums: dict[date, list[Any]] = {}
    for day, following in zip(bounds, bounds[1:], strict=False):
        while i < len(pending) and pending[i][0] <= day:
            balance += pending[i][1]
            i += 1
        if balance > 0:
            days = (following - day).days
            entry = sums.setdefault(month_start(day), [0, Decimal(0), day])
            entry[0] += days
            entry[1] += balance * rates.on(day) * days
            entry[2] = following - timedelta(days=1)
    out: dict[date, tuple[int, Decimal, date]] = {}
    for month, (days, total, last) in sums.items():
        rounded = (total / FUND_MONTH_DAYS).quantize(CENT, rounding=ROUND_HALF_UP)
        if rounded > 0:
            out[month] = (days, rounded, last)
    return out


def credit_entries(*, first: date | None, through: date, since: Any) -> tuple[date, int, list[InterestEntry]]:
    """The credit entries of the months from `first` (None: the earliest ledger row's) to `through`.

    `since` is when the previous run started: a ledger row made after it but dated before `first` moves the
    start back to that row's month, so a late or backdated row is still counted.
    """
    ledger = BalanceEntry.objects.filter(entry_date__lte=through)
    if first is None:
        earliest = ledger.order_by("entry_date").values_list("entry_date", flat=True).first()
        start = month_start(earliest or through)
    else:
        start = first
        if since is not None:
            late = (
                ledger.filter(created_at__gte=since, entry_date__lt=first)
                .order_by("entry_date")
                .values_list("entry_date", flat=True)
                .first()
            )
            if late is not None:
                start = month_start(late)
    rates = RateTable(InterestKind.CREDIT)
    if not rates:
        return start, 0, []
    exempt = set(InterestExemptAccount.objects.values_list("account_id", flat=True))
    movements: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, entry_date, amount in ledger.values_list("account", "entry_date", "amount"):
        if account_id not in exempt:
            movements[account_id].append((entry_date, amount))
    owners = {
        a["pk"]: (a["product__customer_id"], a["product__customer__owner_id"])
        for a in Account.objects.filter(pk__in=list(movements)).values(
            "pk", "product__customer_id", "product__customer__owner_id"
        )
    }
    entries = []
    for account_id, rows in movements.items():
        customer_id, owner_id = owners[account_id]
        for month, (days, amount, last_day) in credit_for_account(
            movements=rows, first=start, through=through, rates=rates
        ).items():
            entries.append(
                InterestEntry(
                    kind=InterestKind.CREDIT,
                    account_id=account_id,
                    customer_id=customer_id,
                    salesperson_id=owner_id,
                    month=month,
                    days=days,
                    amount=amount,
                    through=last_day,
                )
            )
    return start, len(movements), entries


@transaction.atomic
def interest_run(*, day: date | None = None, full: bool = False) -> dict[str, Any]:
    """计息罚息 (periodic job): penalty and credit entries up to the day before `day` (default today).

    `full=True` recomputes from the earliest overdue day instead of the month after the last run.
    """
    through = (day or timezone.localdate()) - timedelta(days=1)
    rates = RateTable(InterestKind.PENALTY)
    last = InterestRun.objects.order_by("-through", "-pk").first()
    first = month_start(last.through + timedelta(days=1)) if last and not full else None
    if first is not None and first > through:
        first = month_start(through)
    bills = Bill.objects.filter(
        due_date__lt=through,
        product__settlement=Settlement.POSTPAID,
    ).filter(Q(written_off_amount__lt=F("amount")) | Q(allocations__posted_on__isnull=False))
    if first is not None:
        # Bills fully written off before the months recomputed cannot accrue in them.
        bills = bills.filter(
            Q(written_off_amount__lt=F("amount"))
            | Q(allocations__posted_on__gte=first)
            | Q(allocations__reversed_on__gte=first)
        )
    rows = list(bills.distinct().values("pk", "amount", "due_date", "customer_id", "customer__owner_id"))
    ids = [r["pk"] for r in rows]
    exempt = exempt_bill_ids(ids)
    postings: dict[int, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for bill_id, posted_on, reversed_on, amount in Allocation.objects.filter(
        bill__in=ids, posted_on__isnull=False
    ).values_list("bill", "posted_on", "reversed_on", "amount"):
        if posted_on is not None:
            postings[bill_id].append((posted_on, reversed_on, amount))
    start_all = first or (min((r["due_date"] for r in rows), default=through) + timedelta(days=1))
    start_all = month_start(start_all)
    entries = []
    if rates:
        for r in rows:
            if r["pk"] in exempt:
                continue
            for month, (days, amount, last_day) in penalty_for_bill(
                amount=r["amount"],
                due_date=r["due_date"],
                postings=postings.get(r["pk"], []),
                first=start_all,
                through=through,
                rates=rates,
            ).items():
                entries.append(
                    InterestEntry(
                        kind=InterestKind.PENALTY,
                        bill_id=r["pk"],
                        customer_id=r["customer_id"],
                        salesperson_id=r["customer__owner_id"],
                        month=month,
                        days=days,
                        amount=amount,
                        through=last_day,
                    )
                )
    InterestEntry.objects.filter(kind=InterestKind.PENALTY, month__gte=start_all, month__lte=through).delete()
    InterestEntry.objects.bulk_create(entries, batch_size=500)
    credit_start, accounts, credits = credit_entries(
        first=first, through=through, since=last.started_at if last and not full else None
    )
    InterestEntry.objects.filter(kind=InterestKind.CREDIT, month__gte=credit_start, month__lte=through).delete()
    InterestEntry.objects.bulk_create(credits, batch_size=500)
    job_checkpoint("interest_run")  # entries replaced, the run not yet recorded
    InterestRun.objects.create(through=through, bills=len(rows), entries=len(entries) + len(credits))
    return {
        "through": through.isoformat(),
        "from": start_all.isoformat(),
        "bills": len(rows),
        "entries": len(entries),
        "credit_from": credit_start.isoformat(),
        "accounts": accounts,
        "credit_entries": len(credits),
    }
