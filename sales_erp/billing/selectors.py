"""Reads on usage and bills: visibility, the global search provider, and the set-based load of what the
bill run prices (a handful of queries for any number of products)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse

from sales_erp.billing.models import Bill, BillStatus, NoBillReason, UsageRecord
from sales_erp.billing.rating import ScheduleTerms, Usage, month_end, needs_daily
from sales_erp.customers.models import Account, Customer, Product, ProductKind
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.desk.search import SearchHit
from sales_erp.org.models import User
from sales_erp.pricing.models import CountryPrice, PriceSchedule, PriceTier, ScheduleStatus
from sales_erp.pricing.money import to_cents
from sales_erp.pricing.price_models import Tier

DAILY_CHUNK = 500  # products per query when their usage is read day by day


def bills_visible_to(user: User) -> QuerySet[Bill]:
    # A pool customer with a bill has a product. Saying so lets MariaDB read the small product table
    # instead of looking up the bills of every pool customer (450 ms → 50 ms a query at 10,000 pool
    # customers, 1,080,000 bills); SQLite's planner does better without it (a salesperson's count: 20 ms
    # without, 120 ms with). Same rows either way; tests run on both.
    has_product = Exists(Product.objects.filter(customer_id=OuterRef("customer_id")))
    pool_only = has_product if connection.vendor == "mysql" else None
    q = customer_visibility_q(user, prefix="customer__", pool_only=pool_only)
    bills = Bill.objects.select_related("customer", "product")
    return bills if q is None else bills.filter(q)


def no_bill_reasons_visible_to(user: User) -> QuerySet[NoBillReason]:
    q = customer_visibility_q(user, prefix="customer__")
    reasons = NoBillReason.objects.select_related("customer__owner", "product")
    return reasons if q is None else reasons.filter(q)


def products_visible_to(user: User) -> QuerySet[Product]:
    q = customer_visibility_q(user, prefix="customer__")
    products = Product.objects.select_related("customer")
    return products if q is None else products.filter(q)


# A bill's name is 账单-<YYYY-MM>-<product code>: a query shaped like it (or like a month) names a month.
BILL_NAME = re.compile(r"^(?:账单-?)?(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<code>\S+))?$")
IDS_INLINE = 500  # matching customers / products passed as a list; more: as a subquery


def bills_matching(bills: QuerySet[Bill], query: str) -> QuerySet[Bill]:
    """The bills `query` finds: by customer name, product code or account code (each a substring), or, for a
    query shaped like a bill name (2026-10, 账单-2026-10, 账单-2026-10-G0001), that month's bills (of that
    product).

    The customers and products are found first, then their bills through the (customer, period) and
    (product, period) indexes: the admin's substring search over a million bills and three joins scanned
    them all (1.6 s median at 1,080,000 bills on SQLite).
    """
    query = query.strip()
    named = BILL_NAME.match(query)
    if named and int(named["year"]) >= 1 and 1 <= int(named["month"]) <= 12:  # 0000-01 is no month
        bills = bills.filter(period=date(int(named["year"]), int(named["month"]), 1))
        return bills.filter(product__in=products_matching(named["code"])) if named["code"] else bills
    customers = Customer.objects.filter(name__icontains=query).values_list("pk", flat=True)
    return bills.filter(
        Q(customer__in=ids_or_subquery(customers)) | Q(product__in=ids_or_subquery(products_matching(query)))
    )


def products_matching(code: str) -> QuerySet[Product, int]:
    """The ids of the products whose code or one of whose accounts' codes contains `code` (a bill's name
    ends in one of them)."""
    accounts = Account.objects.filter(code__icontains=code).values("product_id")
    return Product.objects.filter(Q(code__icontains=code) | Q(pk__in=accounts)).values_list("pk", flat=True)


def ids_or_subquery(ids: QuerySet[Any, int]) -> Any:
    """A few ids as a list (the planner then reads the bills by index); many as the subquery itself."""
    found = list(ids[: IDS_INLINE + 1])
    return found if len(found) <= IDS_INLINE else ids


def bills_search(*, user: User, query: str, limit: int) -> list[SearchHit]:
    """Global search provider (hooks.GLOBAL_SEARCH): bills by name, product code, account or customer."""
    matches = bills_matching(bills_visible_to(user), query)
    return [
        SearchHit(
            kind="账单",
            label=bill.name,
            url=reverse("admin:billing_bill_change", args=[bill.pk]),
            detail=f"{bill.customer.name} · {bill.get_status_display()} · {bill.amount} 元",
        )
        for bill in matches.order_by("-period", "name")[:limit]
    ]


def code_key(code: str) -> str:
    """An account code as people mistype it: full-width, case and blanks do not matter."""
    return "".join(unicodedata.normalize("NFKC", code).casefold().split())


@dataclass
class ProductMonth:
    """Everything the bill run needs about one product for one month."""

    pk: int
    code: str
    name: str
    customer_id: int
    customer_name: str
    owner_id: int | None
    intl: bool
    bill_day: int
    payment_term_months: int
    account_codes: dict[int, str] = field(default_factory=dict)
    schedules: list[ScheduleTerms] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    daily: bool = False


def product_months_load(*, products: QuerySet[Product], period: date) -> list[ProductMonth]:
    last = month_end(period)
    loaded = {
        row["pk"]: ProductMonth(
            pk=row["pk"],
            code=row["code"] or "",
            name=row["name"],
            customer_id=row["customer_id"],
            customer_name=row["customer__name"],
            owner_id=row["customer__owner_id"],
            intl=row["kind"] == ProductKind.INTL_SMS,
            bill_day=row["bill_day"],
            payment_term_months=row["payment_term_months"],
        )
        for row in products.values(
            "pk",
            "code",
            "name",
            "customer_id",
            "customer__name",
            "customer__owner_id",
            "kind",
            "bill_day",
            "payment_term_months",
        )
    }
    product_ids = products.values("pk")
    account_product: dict[int, int] = {}
    for account_id, code, product_id in Account.objects.filter(product__in=product_ids).values_list(
        "pk", "code", "product_id"
    ):
        loaded[product_id].account_codes[account_id] = code
        account_product[account_id] = product_id
    schedules = PriceSchedule.objects.filter(
        product__in=product_ids, status=ScheduleStatus.ACTIVE, valid_from__lte=last, valid_to__gte=period
    )
    tiers: dict[int, dict[str, list[Tier]]] = defaultdict(lambda: defaultdict(list))
    for schedule_id, carrier, lower, upper, price in (
        PriceTier.objects.filter(schedule__in=schedules.values("pk"))
        .order_by("schedule_id", "carrier", "lower")
        .values_list("schedule_id", "carrier", "lower", "upper", "price")
    ):
        tiers[schedule_id][carrier].append(Tier(lower, upper, price))
    countries: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for schedule_id, country, price in CountryPrice.objects.filter(schedule__in=schedules.values("pk")).values_list(
        "schedule_id", "country", "price"
    ):
        countries[schedule_id][country] = price
    for pk, product_id, account_id, price_type, valid_from, valid_to in schedules.values_list(
        "pk", "product_id", "account_id", "price_type", "valid_from", "valid_to"
    ):
        loaded[product_id].schedules.append(
            ScheduleTerms(
                pk=pk,
                account_id=account_id,
                price_type=price_type,
                valid_from=valid_from,
                valid_to=valid_to,
                tiers={carrier: tuple(group) for carrier, group in tiers[pk].items()},
                country_prices=countries[pk],
            )
        )
    daily_ids = []
    for product in loaded.values():
        product.schedules.sort(key=lambda s: s.valid_from)
        product.daily = needs_daily(period=period, account_ids=list(product.account_codes), schedules=product.schedules)
        if product.daily:
            daily_ids.append(product.pk)
    # The month's totals per account, for every product whose price is one schedule all month long …
    monthly = (
        UsageRecord.objects.filter(month=period, account__product__in=product_ids)
        .values_list("account_id", "carrier", "country")
        .annotate(total=Sum("billable"))
        .order_by()
    )
    for account_id, carrier, country, total in monthly:
        product = loaded[account_product[account_id]]
        if not product.daily:
            product.usage.append(Usage(account_id, None, carrier, country, int(total or 0)))
    # … and day by day for the few whose price changes within the month.
    for start in range(0, len(daily_ids), DAILY_CHUNK):
        rows = UsageRecord.objects.filter(
            month=period, account__product_id__in=daily_ids[start : start + DAILY_CHUNK]
        ).values_list("account_id", "day", "carrier", "country", "billable")
        for account_id, day, carrier, country, billable in rows:
            loaded[account_product[account_id]].usage.append(Usage(account_id, day, carrier, country, billable))
    return list(loaded.values())


def unmatched_usage(*, period: date) -> list[dict[str, object]]:
    """The month's usage under codes that match no account: each code and its billable count."""
    rows = (
        UsageRecord.objects.filter(month=period, account__isnull=True)
        .values("account_code")
        .annotate(billable=Sum("billable"))
        .order_by("-billable")
    )
    return [{"code": row["account_code"], "billable": int(row["billable"] or 0)} for row in rows]


PANEL_BILLS = 12


def customer_bills_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 账单 panel (hooks.CUSTOMER_PAGE_PANELS): the latest bills, the open amount,
    and the products that got no bill, as far as `user` may see them."""
    bills = bills_visible_to(user).filter(customer=customer)
    reasons = no_bill_reasons_visible_to(user).filter(customer=customer).order_by("-period")
    latest = list(bills.order_by("-period", "name")[:PANEL_BILLS])
    if not latest and not reasons.exists():
        return None
    issued = bills.filter(status=BillStatus.ISSUED).aggregate(total=Sum("amount"), n=Count("pk"))
    return {
        "title": "账单",
        "template": "billing/customer_bills_panel.html",
        "bills": latest,
        "more": bills.count() > len(latest),
        "issued_count": issued["n"],
        "issued_amount": to_cents(issued["total"] or Decimal(0)),  # SQLite sums lose the scale
        "reasons": list(reasons[:PANEL_BILLS]),
        "list_url": reverse("admin:billing_bill_changelist") + f"?customer__id__exact={customer.pk}",
    }
