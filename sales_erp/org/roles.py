"""The roles of DESIGN §1. Each role is a Django Group whose name is the role's code."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SALES = "sales", "销售"
    SALES_LEADER = "sales_leader", "部门领导"
    SALES_DIRECTOR = "sales_director", "销售事业部总"
    SALES_ADMIN = "sales_admin", "销管"
    FINANCE = "finance", "财务"
    FINANCE_HQ = "finance_hq", "财务(总部)"
    BILLING_EXPERT = "billing_expert", "计费专家"
    OPS_AUDITOR = "ops_auditor", "运营稽核专家"
    RISK_EXPERT = "risk_expert", "风控专家"
    ACCOUNT_MANAGER = "account_manager", "客户维护专员"
    OPS_VP = "ops_vp", "运营副总"
    ROUTING_MANAGER = "routing_manager", "智能路由经理"
    RESOURCE = "resource", "资源部"
    LEGAL = "legal", "法务"
    TECH_SUPPORT = "tech_support", "技术支持"
    ADMIN = "admin", "管理员"
    CUSTOMER = "customer", "客户"


# 运营核对: any one of these six passes the reconciliation check (manual 3.1).
OPS_CHECK_ROLES = (
    Role.BILLING_EXPERT,
    Role.OPS_AUDITOR,
    Role.RISK_EXPERT,
    Role.ACCOUNT_MANAGER,
    Role.OPS_VP,
    Role.ROUTING_MANAGER,
)

# Roles that see every customer (DESIGN §1: "finance/ops/admin see all").
SEE_ALL_ROLES = frozenset(
    {
        Role.SALES_DIRECTOR,
        Role.SALES_ADMIN,
        Role.FINANCE,
        Role.FINANCE_HQ,
        Role.ADMIN,
        Role.RESOURCE,
        Role.LEGAL,
        Role.TECH_SUPPORT,
        *OPS_CHECK_ROLES,
    }
)

# Model permissions per role, as "app_label.codename". Each domain app adds its models here when it
# adds them; `manage.py sync_roles` (run by `make run` and the tests) makes the Groups match exactly.
# "view/add/change/delete_<model>" are Django's default permissions.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [],
    Role.SALES_LEADER: [],
    Role.SALES_DIRECTOR: [],
    Role.SALES_ADMIN: [],
    Role.FINANCE: [],
    Role.FINANCE_HQ: [],
    Role.BILLING_EXPERT: [],
    Role.OPS_AUDITOR: [],
    Role.RISK_EXPERT: [],
    Role.ACCOUNT_MANAGER: [],
    Role.OPS_VP: [],
    Role.ROUTING_MANAGER: [],
    Role.RESOURCE: [],
    Role.LEGAL: [],
    Role.TECH_SUPPORT: [],
    Role.ADMIN: ["*"],  # every permission of every model
    Role.CUSTOMER: [],
}

# Pricing and bills (DESIGN §4): sales see their own customers' prices, bills and no-bill reasons and may
# press "生成账单"; finance imports usage, creates and activates schedules and runs the bills; the six ops
# roles read them for the reconciliation check.
PRICING_BILLING_READ = [
    "pricing.view_priceschedule",
    "billing.view_bill",
    "billing.view_billline",
    "billing.view_nobillreason",
]
for _role in (Role.SALES, Role.SALES_LEADER, Role.SALES_DIRECTOR, Role.SALES_ADMIN):
    ROLE_PERMISSIONS[_role] += [*PRICING_BILLING_READ, "billing.generate_bill"]
for _role in (Role.FINANCE, Role.FINANCE_HQ):
    ROLE_PERMISSIONS[_role] += [
        *PRICING_BILLING_READ,
        "pricing.add_priceschedule",
        "pricing.activate_priceschedule",
        "billing.view_usagerecord",
        "billing.delete_usagerecord",
        "billing.import_usage",
        "billing.view_usageimport",
        "billing.generate_bill",
        "billing.run_bills",
        "billing.view_billrun",
    ]
for _role in OPS_CHECK_ROLES:
    ROLE_PERMISSIONS[_role] += [*PRICING_BILLING_READ, "billing.view_usagerecord", "billing.view_billrun"]
