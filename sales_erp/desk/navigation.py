"""The desk's menu (django-unfold sidebar), grouped as the manual groups the work.

Each item says who sees it: `perm(...)` for Django model permissions, `roles(...)` for role checks.
A group whose items are all hidden is hidden too. Apps add their items here when they add pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from sales_erp.reports.menu import REPORT_MENU

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


def inbox_tab(tab: str) -> Callable[[HttpRequest], str]:
    return lambda request: f"{reverse('workflow:inbox')}?tab={tab}"


WORKFLOW_BADGE = "sales_erp.workflow.selectors.{}_badge"

NAVIGATION: list[dict[str, Any]] = [
    {
        "title": _("首页"),
        "items": [
            item(_("工作台首页"), "dashboard", reverse_lazy("admin:index"), staff),
            item(_("待办"), "pending_actions", inbox_tab("todo"), staff, WORKFLOW_BADGE.format("todo")),
            item(_("已办"), "task_alt", inbox_tab("done"), staff, WORKFLOW_BADGE.format("done")),
            item(_("我发起的"), "outbox", inbox_tab("mine"), staff, WORKFLOW_BADGE.format("mine")),
            item(_("抄送我的"), "forward_to_inbox", inbox_tab("cc"), staff, WORKFLOW_BADGE.format("cc")),
            item(
                _("消息中心"),
                "notifications",
                reverse_lazy("messaging:list"),
                staff,
                "sales_erp.messaging.selectors.unread_badge",
            ),
            item(_("发起流程"), "add_circle", reverse_lazy("workflow:start_list"), staff),
            item(_("流程查询"), "manage_search", reverse_lazy("workflow:search"), staff),
            item(_("流程代理"), "supervisor_account", reverse_lazy("workflow:delegations"), staff),
        ],
    },
    {
        "title": _("信息添加"),
        "collapsible": True,
        "items": [
            item(
                _("客户"),
                "business",
                reverse_lazy("admin:customers_customer_changelist"),
                perm("customers.view_customer"),
            ),
            item(
                _("联系人"),
                "contacts",
                reverse_lazy("admin:customers_contact_changelist"),
                perm("customers.view_contact"),
            ),
            item(
                _("联系日志"),
                "edit_note",
                reverse_lazy("admin:customers_contactlog_changelist"),
                perm("customers.view_contactlog"),
            ),
            item(
                _("产品"),
                "inventory_2",
                reverse_lazy("admin:customers_product_changelist"),
                perm("customers.view_product"),
            ),
            item(_("账号"), "key", reverse_lazy("admin:customers_account_changelist"), perm("customers.view_account")),
            item(
                _("合同"),
                "contract",
                reverse_lazy("admin:customers_contract_changelist"),
                perm("customers.view_contract"),
            ),
            item(_("公共池"), "groups", reverse_lazy("customers:pool"), perm("customers.view_customer")),
            item(_("预警名单"), "warning", reverse_lazy("customers:warnings"), perm("customers.view_customer")),
        ],
    },
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
            # records of 通道报备 and 客服特殊申请 (customers.requests)
            item(
                _("通道报备"),
                "cell_tower",
                reverse_lazy("admin:customers_channelregistration_changelist"),
                perm("customers.view_channelregistration"),
            ),
            item(
                _("客服特殊申请记录"),
                "support_agent",
                reverse_lazy("admin:customers_accountrequest_changelist"),
                perm("customers.view_accountrequest"),
            ),
        ],
    },
    {
        "title": _("收尾流程"),
        "collapsible": True,
        "items": [
            item(_("对账"), "fact_check", reverse_lazy("reconciliation:customers"), staff),
            item(_("销账"), "price_check", reverse_lazy("writeoffs:home"), perm("writeoffs.view_writeoff")),
            item(
                _("提成依据"),
                "paid",
                reverse_lazy("reports:report", args=["commission"]),
                perm("writeoffs.view_commission"),
            ),
            item(
                _("计息罚息"),
                "percent",
                reverse_lazy("admin:writeoffs_interestentry_changelist"),
                perm("writeoffs.view_interestentry"),
            ),
        ],
    },
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
            item(_("到款池"), "account_balance", reverse_lazy("deposits:pool"), perm("deposits.view_deposit")),
            item(_("银行流水导入"), "upload", reverse_lazy("deposits:import"), perm("deposits.import_deposits")),
            item(
                _("银行流水格式"),
                "table_view",
                reverse_lazy("admin:deposits_importprofile_changelist"),
                perm("deposits.view_importprofile"),
            ),
            item(
                _("付款方别名"),
                "alternate_email",
                reverse_lazy("admin:deposits_payeralias_changelist"),
                perm("deposits.view_payeralias"),
            ),
            item(
                _("发票登记簿"),
                "request_quote",
                reverse_lazy("admin:invoicing_invoice_changelist"),
                perm("invoicing.view_invoice"),
            ),
            item(_("预付余额"), "savings", reverse_lazy("prepaid:balances"), perm("prepaid.view_balanceentry")),
        ],
    },
    {
        "title": _("报表"),
        "collapsible": True,
        "items": [
            # finance reports (sales_erp.reports): one page each, permission as the report says
            *(
                item(title, icon, reverse_lazy("reports:report", args=[code]), perm(permission))
                for code, title, icon, permission in REPORT_MENU
            ),
            item(
                "客户类别变动明细",
                "list_alt",
                reverse_lazy("admin:customers_tierchange_changelist"),
                perm("customers.view_tierchange"),
            ),
        ],
    },
    {
        "title": _("管理工作台"),
        "collapsible": True,
        "items": [
            item(_("管理工作台首页"), "settings", reverse_lazy("workbench:home"), admin_only),
            item(_("流程定义"), "schema", reverse_lazy("admin:workflow_processdefinition_changelist"), admin_only),
            item(_("自定义字段"), "dynamic_form", reverse_lazy("admin:workbench_customfield_changelist"), admin_only),
            item(_("用户"), "person", reverse_lazy("admin:org_user_changelist"), admin_only),
            item(_("内部部门"), "account_tree", reverse_lazy("admin:org_department_changelist"), admin_only),
            item(_("角色"), "badge", reverse_lazy("admin:auth_group_changelist"), admin_only),
            item(_("我司开票信息"), "business", reverse_lazy("admin:org_invoicingentity_changelist"), admin_only),
            item(
                _("客户漏斗设置"),
                "filter_alt",
                reverse_lazy("admin:customers_funnelsettings_changelist"),
                admin_only,
            ),
            item(
                "定时任务",
                "schedule",
                reverse_lazy("admin:django_celery_beat_periodictask_changelist"),
                admin_only,
            ),
            item(_("任务运行"), "play_circle", reverse_lazy("jobs:list"), admin_only),
            item(_("运行记录"), "history", reverse_lazy("admin:jobs_jobrun_changelist"), admin_only),
        ],
    },
]

UNFOLD: dict[str, Any] = {
    "SITE_TITLE": "Sales ERP",
    "SITE_HEADER": "Sales ERP 销售管理系统",
    "SITE_SUBHEADER": "云通讯销售 · 运营 · 财务",
    "SITE_SYMBOL": "forum",
    "SITE_FAVICONS": [{"rel": "icon", "type": "image/svg+xml", "href": "sales_erp.desk.dashboard.favicon_url"}],
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "sales_erp.desk.dashboard.dashboard_callback",
    "ENVIRONMENT": "sales_erp.desk.dashboard.environment_callback",
    "SIDEBAR": {
        "show_search": True,  # the desk's global search box (templates/unfold/helpers/search.html)
        "show_all_applications": False,
        "navigation": NAVIGATION,
    },
}
