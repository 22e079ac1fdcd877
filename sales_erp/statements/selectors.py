"""Reads for the documents of a reconciliation: the usage behind a set of bills (数据分析报告, DESIGN §5.1),
and which bills a user may put on one document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet, Sum

from sales_erp.billing.models import Bill, Carrier, UsageRecord
from sales_erp.billing.rating import month_end
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.org.models import User

# Column order of carriers wherever they are shown; 不区分 last (products priced without a carrier split).
CARRIER_ORDER = [Carrier.MOBILE, Carrier.UNICOM, Carrier.TELECOM, Carrier.NONE]
CARRIER_LABELS = {c.value: c.label for c in Carrier}
CARRIER_RANK = {c.value: rank for rank, c in enumerate(CARRIER_ORDER)}

MIXED_CUSTOMERS = "所选账单属于不同客户（{names}）：数据分析报告只能针对一个客户，请只选择同一客户的账单"
NO_BILLS = "没有选中的账单：请至少选择一张账单"


class BillsRefused(ValueError):
    """A selection of bills that makes no document; the message says what to fix."""


@dataclass(frozen=True)
class UsageDetail:
    """One account's billable usage on one day with one carrier (countries summed)."""

    account_code: str
    product_name: str
    day: date
    carrier: str
    submitted: int
    succeeded: int
    billable: int


@dataclass
class CarrierCounts:
    """计费条数 by carrier, and their total."""

    by_carrier: dict[str, int] = field(default_factory=dict)

    def add(self, carrier: str, count: int) -> None:
        self.by_carrier[carrier] = self.by_carrier.get(carrier, 0) + count

    @property
    def total(self) -> int:
        return sum(self.by_carrier.values())

    def get(self, carrier: str) -> int:
        return self.by_carrier.get(carrier, 0)


@dataclass
class AccountUsage:
    code: str
    product_name: str
    days: dict[date, CarrierCounts] = field(default_factory=dict)
    totals: CarrierCounts = field(default_factory=CarrierCounts)


@dataclass
class UsageReport:
    customer: Customer
    bills: list[Bill]
    carriers: list[str]  # the carriers that occur, in CARRIER_ORDER
    accounts: list[AccountUsage]  # by account code
    daily: dict[date, CarrierCounts]  # every day of the bills' months, zero days included
    totals: CarrierCounts
    details: list[UsageDetail]  # by account, day, carrier

    @property
    def first_day(self) -> date:
        return min(bill.period for bill in self.bills)

    @property
    def last_day(self) -> date:
        return month_end(max(bill.period for bill in self.bills))


def bills_for_document(*, user: User, bill_ids: Sequence[int]) -> list[Bill]:
    """The bills `user` asked for, newest first. Any id unknown or of a customer hidden from the user
    raises Bill.DoesNotExist (the view answers 404, never a hint); bills of two customers, BillsRefused."""
    wanted = set(bill_ids)
    if not wanted:
        raise BillsRefused(NO_BILLS)
    bills = Bill.objects.select_related("customer", "product").filter(pk__in=wanted)
    visible = customer_visibility_q(user, prefix="customer__")
    if visible is not None:
        bills = bills.filter(visible)
    found = sorted(bills, key=lambda bill: (bill.period, bill.name), reverse=True)
    if len(found) != len(wanted):
        raise Bill.DoesNotExist
    customers = {bill.customer_id: bill.customer.name for bill in found}
    if len(customers) > 1:
        raise BillsRefused(MIXED_CUSTOMERS.format(names="、".join(sorted(customers.values()))))
    return found


def usage_of_bills(bills: Sequence[Bill]) -> QuerySet[UsageRecord]:
    """The usage rows behind the bills: their products' accounts in their months."""
    terms = {(bill.product_id, bill.period) for bill in bills}
    match = reduce(or_, (Q(account__product_id=product, month=month) for product, month in sorted(terms)))
    return UsageRecord.objects.filter(match)


def usage_report_load(*, customer: Customer, bills: Sequence[Bill]) -> UsageReport:
    """Per account per day per carrier (计费条数 = billable), read in one grouped query."""
    bills = list(bills)
    if not bills:
        raise BillsRefused(NO_BILLS)
    if any(bill.customer_id != customer.pk for bill in bills):
        names = sorted({customer.name, *(bill.customer.name for bill in bills)})
        raise BillsRefused(MIXED_CUSTOMERS.format(names="、".join(names)))
    grouped = (
        usage_of_bills(bills)
        .values("account__code", "account__product__name", "day", "carrier")
        .annotate(submitted=Sum("submitted"), succeeded=Sum("succeeded"), billable=Sum("billable"))
        .order_by()
    )
    details = [
        UsageDetail(
            account_code=row["account__code"],
            product_name=row["account__product__name"],
            day=row["day"],
            carrier=row["carrier"],
            submitted=int(row["submitted"] or 0),
            succeeded=int(row["succeeded"] or 0),
            billable=int(row["billable"] or 0),
        )
        for row in grouped
    ]
    details.sort(key=lambda d: (d.account_code, d.day, CARRIER_RANK[d.carrier]))
    accounts: dict[str, AccountUsage] = {}
    daily: dict[date, CarrierCounts] = defaultdict(CarrierCounts)
    totals = CarrierCounts()
    seen: set[str] = set()
    for detail in details:
        account = accounts.setdefault(detail.account_code, AccountUsage(detail.account_code, detail.product_name))
        account.days.setdefault(detail.day, CarrierCounts()).add(detail.carrier, detail.billable)
        account.totals.add(detail.carrier, detail.billable)
        daily[detail.day].add(detail.carrier, detail.billable)
        totals.add(detail.carrier, detail.billable)
        seen.add(detail.carrier)
    every_day: dict[date, CarrierCounts] = {}
    for month in sorted({bill.period for bill in bills}):
        day = month
        while day <= month_end(month):
            every_day[day] = daily.get(day, CarrierCounts())
            day += timedelta(days=1)
    return UsageReport(
        customer=customer,
        bills=sorted(bills, key=lambda bill: (bill.period, bill.name), reverse=True),
        carriers=[c.value for c in CARRIER_ORDER if c.value in seen],
        accounts=[accounts[code] for code in sorted(accounts)],
        daily=every_day,
        totals=totals,
        details=details,
    )
