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


def crud(app: str, *models: str, actions: str = "view add change delete") -> list[str]:
    return [f"{app}.{action}_{model}" for model in models for action in actions.split()]


# Customer data (DESIGN §2): salespeople keep their own customers' data; records the processes and the
# funnel write (accounts, contracts, tier changes) are only looked at. Which *rows* anyone sees is
# customers.selectors' visibility, not these permissions.
CUSTOMER_DATA_SALES = [
    *crud("customers", "customer", "contactlog", "product", actions="view add change"),
    *crud("customers", "invoicetitle", "customerdepartment", "contact"),
    *crud("customers", "account", "contract", "tierchange", actions="view"),
]
CUSTOMER_DATA_VIEW = crud(
    "customers",
    "customer",
    "invoicetitle",
    "customerdepartment",
    "contact",
    "contactlog",
    "product",
    "account",
    "contract",
    "tierchange",
    actions="view",
)
# Operations open and block accounts (test accounts, 账号解禁) and see every customer's data.
CUSTOMER_DATA_OPS = [*CUSTOMER_DATA_VIEW, "customers.change_account"]

# Model permissions per role, as "app_label.codename". Each domain app adds its models here when it
# adds them; `manage.py sync_roles` (run by `make run` and the tests) makes the Groups match exactly.
# "view/add/change/delete_<model>" are Django's default permissions.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [*CUSTOMER_DATA_SALES],
    Role.SALES_LEADER: [*CUSTOMER_DATA_SALES],
    Role.SALES_DIRECTOR: [*CUSTOMER_DATA_VIEW],
    Role.SALES_ADMIN: [*CUSTOMER_DATA_SALES],
    Role.FINANCE: [*CUSTOMER_DATA_VIEW],
    Role.FINANCE_HQ: [*CUSTOMER_DATA_VIEW],
    Role.BILLING_EXPERT: [*CUSTOMER_DATA_OPS],
    Role.OPS_AUDITOR: [*CUSTOMER_DATA_OPS],
    Role.RISK_EXPERT: [*CUSTOMER_DATA_OPS],
    Role.ACCOUNT_MANAGER: [*CUSTOMER_DATA_OPS],
    Role.OPS_VP: [*CUSTOMER_DATA_OPS],
    Role.ROUTING_MANAGER: [*CUSTOMER_DATA_OPS],
    Role.RESOURCE: [*CUSTOMER_DATA_VIEW],
    Role.LEGAL: [*CUSTOMER_DATA_VIEW],
    Role.TECH_SUPPORT: [*CUSTOMER_DATA_OPS],
    # every permission of every model; among them the workflow's process definitions and delegations and
    # the workbench's custom fields, which only admins manage (everyone else works through the desk pages:
    # the inbox, instance pages and 流程代理, whose access the workflow checks per instance).
    Role.ADMIN: ["*"],
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

# Records the channel_report and special_request processes write on accounts (通道报备, 客服特殊申请记录):
# whoever sees accounts sees them; only the processes write them.
for _permissions in ROLE_PERMISSIONS.values():
    if "customers.view_account" in _permissions:
        _permissions += ["customers.view_channelregistration", "customers.view_accountrequest"]
# Bank deposits (DESIGN §5.4): finance imports statements and keeps the statement layouts; 销管 assigns pool
# deposits to customers (which records the payer alias) and corrects aliases; salespeople see the pool and
# their customers' deposits (deposits.selectors' visibility decides which rows).
for _role in (Role.SALES, Role.SALES_LEADER, Role.SALES_DIRECTOR):
    ROLE_PERMISSIONS[_role] += ["deposits.view_deposit"]
ROLE_PERMISSIONS[Role.SALES_ADMIN] += [
    "deposits.view_deposit",
    "deposits.assign_deposit",
    *crud("deposits", "payeralias", actions="view change delete"),
]
for _role in (Role.FINANCE, Role.FINANCE_HQ):
    ROLE_PERMISSIONS[_role] += [
        "deposits.view_deposit",
        "deposits.import_deposits",
        "deposits.view_depositimport",
        "deposits.view_payeralias",
        *crud("deposits", "importprofile", actions="view add change"),
    ]
# Write-offs and interest (DESIGN §5.4, §5.6): sales start write-offs and see their commission basis;
# finance reverses posted write-offs; 销管 keeps the rates and the interest-exempt accounts (V19 #6).
WRITE_OFF_READ = ["writeoffs.view_writeoff", "writeoffs.view_commission", "writeoffs.view_interestentry"]
for _role in (Role.SALES, Role.SALES_LEADER, Role.SALES_ADMIN):
    ROLE_PERMISSIONS[_role] += [*WRITE_OFF_READ, "writeoffs.add_writeoff"]
ROLE_PERMISSIONS[Role.SALES_DIRECTOR] += [*WRITE_OFF_READ, "writeoffs.view_interestrate"]
for _role in (Role.FINANCE, Role.FINANCE_HQ):
    ROLE_PERMISSIONS[_role] += [*WRITE_OFF_READ, "writeoffs.reverse_writeoff", "writeoffs.view_interestrate"]
ROLE_PERMISSIONS[Role.SALES_ADMIN] += [
    *crud("writeoffs", "interestrate", "interestexemptaccount"),
]
# Invoices and prepaid balances (DESIGN §5.2–5.5): the register and the balances are read by sales (their own
# customers'), 销管 and finance; both are written only by the invoice and recharge processes.
INVOICING_PREPAID_READ = ["invoicing.view_invoice", "invoicing.view_invoicebill", "prepaid.view_balanceentry"]
for _role in (Role.SALES, Role.SALES_LEADER, Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.FINANCE, Role.FINANCE_HQ):
    ROLE_PERMISSIONS[_role] += INVOICING_PREPAID_READ
