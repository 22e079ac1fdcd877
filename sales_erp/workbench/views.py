"""管理工作台 home: the configuration pages grouped by category (V19 #7). Apps add their entries here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from sales_erp.desk.views import DeskView

# (category, [(title, url name, description)]). Domain apps append their configuration pages
# (interest rates, interest-exempt accounts, funnel windows, invoicing entities …) to the right category.
CATEGORIES: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "流程",
        [
            (
                "流程定义",
                "admin:workflow_processdefinition_changelist",
                "新建无代码流程（如电商购销单）；表单字段、节点、审批人、会签/或签、自动通过条件、抄送",
            ),
            ("流程代理", "admin:workflow_delegation_changelist", "某人外出时由谁代为审批"),
            ("流程查询", "workflow:search", "查询和导出全部流程"),
        ],
    ),
    ("表单", [("自定义字段", "admin:workbench_customfield_changelist", "客户、产品和各流程表单上的自定义字段")]),
    (
        "组织与权限",
        [
            ("用户", "admin:org_user_changelist", "账号、部门、上级、角色"),
            ("内部部门", "admin:org_department_changelist", "公司内部的部门"),
            ("角色", "admin:auth_group_changelist", "角色及其权限"),
        ],
    ),
    (
        "客户",
        [("客户漏斗设置", "admin:customers_funnelsettings_changelist", "升降级时间窗口、信息完善率阈值、预警天数")],
    ),
    (
        "财务",
        [
            ("我司开票信息", "admin:org_invoicingentity_changelist", "对账单和发票上的我司公司信息"),
            ("息率配置", "admin:writeoffs_interestrate_changelist", "罚息、计息的月息率（资金月 30 天）及生效日期"),
            ("不计息账号配置", "admin:writeoffs_interestexemptaccount_changelist", "不计罚息和计息的账号（销管维护）"),
        ],
    ),
    (
        "系统",
        [
            ("定时任务", "admin:django_celery_beat_periodictask_changelist", "出账单、漏斗、计息等定时任务的时间表"),
            ("任务运行", "jobs:list", "每个任务的最近一次运行，立即运行"),
            ("运行记录", "admin:jobs_jobrun_changelist", "全部任务运行记录"),
        ],
    ),
]


class WorkbenchView(DeskView):
    template_name = "workbench/home.html"
    title = "管理工作台"

    def allowed(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_admin_role", False))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        groups = []
        for category, entries in CATEGORIES:
            rows = []
            for title, name, description in entries:
                try:
                    rows.append({"title": title, "url": reverse(name), "description": description})
                except NoReverseMatch:
                    continue
            groups.append({"category": category, "rows": rows})
        context["groups"] = groups
        return context
