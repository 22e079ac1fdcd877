"""The desk's menu (django-unfold sidebar), grouped as the manual groups the work.

Each item says who sees it: `perm(...)` for Django model permissions, `roles(...)` for role checks.
A group whose items are all hidden is hidden too. Apps add their items here when they add pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

Check = Callable[[HttpRequest], bool]


def perm(*codes: str) -> Check:
    """Visible to users holding any of these model permissions ("app_label.codename")."""
    return lambda request: any(request.user.has_perm(code) for code in codes)


def roles(*codes: str) -> Check:
    """Visible to users in any of these roles (and to superusers)."""
    return lambda request: bool(request.user.is_superuser or getattr(request.user, "has_role", bool)(*codes))


def staff(request: HttpRequest) -> bool:
    return bool(request.user.is_staff)


def admin_only(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_admin_role", False))


def item(title: Any, icon: str, link: Any, permission: Check, badge: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": title, "icon": icon, "link": link, "permission": permission}
    if badge:
        entry["badge"] = badge
    return entry


NAVIGATION: list[dict[str, Any]] = [
    {
        "title": _("首页"),
        "items": [item(_("工作台首页"), "dashboard", reverse_lazy("admin:index"), staff)],
    },
    {"title": _("信息添加"), "collapsible": True, "items": []},
    {
        "title": _("运营流程"),
        "collapsible": True,
        "items": [
            item(
                _("价格表/调价"),
                "sell",
                reverse_lazy("admin:pricing_priceschedule_changelist"),
                perm("pricing.view_priceschedule"),
            ),
            item(_("报价计算器"), "calculate", reverse_lazy("pricing:quote"), perm("pricing.view_priceschedule")),
        ],
    },
    {"title": _("收尾流程"), "collapsible": True, "items": []},
    {
        "title": _("财务"),
        "collapsible": True,
        "items": [
            item(_("发送量导入"), "upload_file", reverse_lazy("billing:usage_import"), perm("billing.import_usage")),
            item(
                _("发送量"),
                "bar_chart",
                reverse_lazy("admin:billing_usagerecord_changelist"),
                perm("billing.view_usagerecord"),
            ),
            item(_("账单"), "receipt", reverse_lazy("admin:billing_bill_changelist"), perm("billing.view_bill")),
            item(
                _("出账记录"),
                "receipt_long",
                reverse_lazy("admin:billing_billrun_changelist"),
                perm("billing.view_billrun"),
            ),
            item(
                _("无账单原因"),
                "report",
                reverse_lazy("admin:billing_nobillreason_changelist"),
                perm("billing.view_nobillreason"),
            ),
        ],
    },
    {"title": _("报表"), "collapsible": True, "items": []},
    {
        "title": _("管理工作台"),
        "collapsible": True,
        "items": [
            item(_("用户"), "person", reverse_lazy("admin:org_user_changelist"), admin_only),
            item(_("内部部门"), "account_tree", reverse_lazy("admin:org_department_changelist"), admin_only),
            item(_("角色"), "badge", reverse_lazy("admin:auth_group_changelist"), admin_only),
            item(
                "定时任务",
                "schedule",
                reverse_lazy("admin:django_celery_beat_periodictask_changelist"),
                admin_only,
            ),
        ],
    },
]

UNFOLD: dict[str, Any] = {
    "SITE_TITLE": "Sales ERP",
    "SITE_HEADER": "Sales ERP 销售管理系统",
    "SITE_SUBHEADER": "云通讯销售 · 运营 · 财务",
    "SITE_SYMBOL": "forum",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "sales_erp.desk.dashboard.dashboard_callback",
    "ENVIRONMENT": "sales_erp.desk.dashboard.environment_callback",
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": NAVIGATION,
    },
}
