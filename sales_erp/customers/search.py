"""The customers app's providers for the desk's global search (hooks.GLOBAL_SEARCH): customers by name
or tax ID, accounts by code — only what the asking user may see."""

from __future__ import annotations

from sales_erp.customers.selectors import accounts_visible_to, customer_page_url, customer_search
from sales_erp.desk.search import SearchHit
from sales_erp.org.models import User


def customer_hits(*, user: User, query: str, limit: int) -> list[SearchHit]:
    customers = customer_search(user=user, query=query).select_related("owner")[:limit]
    return [
        SearchHit(
            kind="客户",
            label=customer.name,
            url=customer_page_url(customer),
            detail=f"{customer.get_tier_display()} · {customer.owner or '公共池'}",
        )
        for customer in customers
    ]


def account_hits(*, user: User, query: str, limit: int) -> list[SearchHit]:
    code = query.strip()
    accounts = (
        accounts_visible_to(user)
        .filter(code__icontains=code)
        .select_related("product__customer")
        .order_by("code")[:limit]
    )
    return [
        SearchHit(
            kind="账号",
            label=account.code,
            url=customer_page_url(account.product.customer_id),
            detail=f"{account.product.customer.name} · {account.product.name} · {account.get_status_display()}",
        )
        for account in accounts
    ]
