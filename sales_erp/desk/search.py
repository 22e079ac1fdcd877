"""The desk's global search: customers, accounts, bills and processes by name or number (DESIGN §2).

Each domain contributes a provider, listed in hooks.GLOBAL_SEARCH: a function
`(*, user, query, limit) -> list[SearchHit]` that returns only what `user` may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.org.models import User


@dataclass(frozen=True)
class SearchHit:
    kind: str  # shown as the group heading: 客户, 账号, 账单, 流程
    label: str
    url: str
    detail: str = ""


def global_search(*, user: User, query: str, limit: int = 10) -> list[SearchHit]:
    query = query.strip()
    if not query:
        return []
    hits: list[SearchHit] = []
    for path in hooks.GLOBAL_SEARCH:
        hits.extend(import_string(path)(user=user, query=query, limit=limit))
    return hits
