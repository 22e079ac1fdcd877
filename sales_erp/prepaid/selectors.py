"""Reads on prepaid balances: an account's balance (the sum of its ledger), the balance list with its 欠费
flag, and the customer page's 预付余额 panel. Visibility is the account's customer's (DESIGN §1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from sales_erp.customers.models import Account, Customer, Settlement
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.org.models import User
from sales_erp.prepaid.models import BalanceEntry
from sales_erp.pricing.money import to_cents

PREPAID_SETTLEMENTS = (Settlement.PREPAID, Settlement.PREPURCHASE)
ARREARS = "欠费"


def account_balance(*, account: Account) -> Decimal:
    total = BalanceEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return to_cents(Decimal(total or 0))  # SQLite sums lose the scale


def accounts_visible_to(user: User) -> QuerySet[Account]:
    q = customer_visibility_q(user, prefix="product__customer__")
    accounts = Account.objects.select_related("product__customer")
    return accounts if q is None else accounts.filter(q)


@dataclass(frozen=True)
class BalanceRow:
    account: Account
    balance: Decimal

    @property
    def in_arrears(self) -> bool:
        return self.balance < 0


def balances_list(
    *, user: User, query: str = "", arrears_only: bool = False, customer: Customer | None = None
) -> list[BalanceRow]:
    """Every prepaid account `user` may see (and any other with ledger rows), with its balance."""
    ledger = (
        BalanceEntry.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    accounts = (
        accounts_visible_to(user)
        .filter(Q(product__settlement__in=PREPAID_SETTLEMENTS) | Q(balance_entries__isnull=False))
        .distinct()
        .annotate(balance=Coalesce(Subquery(ledger, output_field=money), Value(Decimal(0)), output_field=money))
    )
    if customer is not None:
        accounts = accounts.filter(product__customer=customer)
    if query:
        accounts = accounts.filter(Q(code__icontains=query) | Q(product__customer__name__icontains=query))
    if arrears_only:
        accounts = accounts.filter(balance__lt=0)
    return [
        BalanceRow(account=a, balance=to_cents(Decimal(a.balance)))
        for a in accounts.order_by("product__customer__name", "code")
    ]


def customer_balances_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 预付余额 panel (hooks.CUSTOMER_PAGE_PANELS): each prepaid account's balance,
    欠费 flagged; None when the customer has no prepaid account."""
    rows = balances_list(user=user, customer=customer)
    if not rows:
        return None
    return {
        "title": "预付余额",
        "template": "prepaid/customer_balances_panel.html",
        "rows": rows,
        "arrears": any(r.in_arrears for r in rows),
        "list_url": reverse("prepaid:balances") + f"?q={customer.name}",
    }
