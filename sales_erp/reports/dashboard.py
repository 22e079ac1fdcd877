"""The desk home's charts (hooks.DASHBOARD_CARDS), drawn with unfold's Chart.js components and scoped to
the user like the reports: receivables by ageing bucket, bills and write-offs of the last 6 months, the
funnel's tier counts. A card is None for a user without the report's permission."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from sales_erp.org.models import User
from sales_erp.reports import selectors

MONTHS = 6
CHART = "reports/chart_card.html"


def months_back(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, this month last."""
    index = today.year * 12 + today.month - 1
    return [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(count - 1, -1, -1)]


def chart(labels: list[str], datasets: list[dict[str, Any]]) -> str:
    return json.dumps({"labels": labels, "datasets": datasets}, ensure_ascii=False)


def staff_user(request: HttpRequest, permission: str) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.has_perm(permission) else None


def ageing_card(request: HttpRequest) -> dict[str, Any] | None:
    user = staff_user(request, "billing.view_bill")
    if user is None:
        return None
    sums = selectors.ageing_by_bucket(user=user, as_of=timezone.localdate())
    total = sum(sums.values())
    return {
        "title": "应收账龄（未销金额，元）",
        "template": CHART,
        "kind": "bar",
        "summary": f"合计 {total:,.2f} 元",
        "data": chart(
            [label for _key, label in selectors.BUCKETS],
            [{"label": "未销金额", "data": [float(sums[k]) for k, _label in selectors.BUCKETS]}],
        ),
        "url": reverse("reports:report", args=["ageing"]),
    }


def bills_card(request: HttpRequest) -> dict[str, Any] | None:
    user = staff_user(request, "billing.view_bill")
    if user is None:
        return None
    months = months_back(timezone.localdate())
    rows = {r["month"]: r for r in selectors.bills_by_month(user=user, month_from=months[0], month_to=months[-1])}
    return {
        "title": f"近{MONTHS}个月账单（元）",
        "template": CHART,
        "kind": "bar",
        "summary": f"共 {sum(r['bills'] for r in rows.values())} 张账单",
        "data": chart(
            [f"{m:%Y-%m}" for m in months],
            [
                {"label": "账单金额", "data": [float(rows[m]["amount"]) if m in rows else 0 for m in months]},
                {"label": "已销账", "data": [float(rows[m]["written_off"]) if m in rows else 0 for m in months]},
            ],
        ),
        "url": reverse("reports:report", args=["bills"]),
    }


def write_offs_card(request: HttpRequest) -> dict[str, Any] | None:
    user = staff_user(request, "writeoffs.view_commission")
    if user is None:
        return None
    months = months_back(timezone.localdate())
    rows = {r["month"]: r for r in selectors.write_offs_by_month(user=user, month_from=months[0])}
    return {
        "title": f"近{MONTHS}个月销账（元）",
        "template": CHART,
        "kind": "line",
        "summary": f"共 {sum(r['count'] for r in rows.values())} 笔已归档销账",
        "data": chart(
            [f"{m:%Y-%m}" for m in months],
            [{"label": "销账金额", "data": [float(rows[m]["total"]) if m in rows else 0 for m in months]}],
        ),
        "url": reverse("reports:report", args=["commission"]),
    }


def funnel_card(request: HttpRequest) -> dict[str, Any] | None:
    user = staff_user(request, "customers.view_customer")
    if user is None:
        return None
    counts = selectors.tier_counts(user=user)
    return {
        "title": "客户漏斗（客户数）",
        "template": CHART,
        "kind": "bar",
        "summary": f"共 {sum(c.count for c in counts)} 个客户",
        "data": chart([c.label for c in counts], [{"label": "客户数", "data": [c.count for c in counts]}]),
        "url": reverse("reports:report", args=["funnel"]) if user.has_perm("customers.view_tierchange") else "",
    }
