"""The wiring of Sales ERP in one screen: every process's form and effects, every periodic job,
and the steps that set up a new installation (like a Frappe app's hooks.py).

Everything is named by dotted path, so this file imports nothing from the apps and any app may read it.
Effects are called explicitly by the workflow engine (no Django signals): each receives the process
instance as the keyword argument ``instance`` and runs inside the engine's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessHooks:
    form: str  # dotted path of the Django form whose cleaned data is the instance's form data
    target: str | None = None  # "app_label.Model" of the object a process starts from, or None
    template: str | None = None  # a page of its own for the form (e.g. the reconciliation page), else generic
    on_submit: str | None = None
    on_archive: str | None = None
    on_reject: str | None = None
    on_withdraw: str | None = None


@dataclass(frozen=True)
class PeriodicJob:
    function: str  # dotted path of the idempotent service; called with keyword arguments only
    crontab: str  # default schedule ("minute hour day month weekday"), editable in the workbench
    description: str


# Process code -> its form and effects. The default definitions (nodes, approvers, conditions)
# are data: sales_erp/workflow/fixtures/, editable by admins in the workbench.
PROCESSES: dict[str, ProcessHooks] = {}

# Job name -> the service it runs. Each also has `manage.py run_job <name>` and a Celery task.
PERIODIC_JOBS: dict[str, PeriodicJob] = {
    "funnel_run": PeriodicJob(
        function="sales_erp.customers.funnel.funnel_run",
        crontab="30 1 * * *",
        description="客户漏斗：按联系日志、测试账号和合同每日升降级客户，并通知销售和上级",
    ),
    "job_runs_prune": PeriodicJob(
        function="sales_erp.jobs.services.job_runs_prune", crontab="30 3 * * *", description="清理半年前的任务运行记录"
    ),
    "bill_run": PeriodicJob(
        function="sales_erp.billing.services.bill_run",
        crontab="30 2 * * *",
        description="每月自动出账单：每天为账单日已到的自动产品出上月账单（已有账单的不重复出）",
    ),
}

# What `manage.py erp_setup` runs, in order, on a new installation and again on every `make run`.
# Each step is idempotent. Steps marked demo=True are skipped in production mode.
SETUP_STEPS: list[tuple[str, bool]] = [
    ("sales_erp.org.services.roles_sync", False),
    ("sales_erp.jobs.services.schedules_sync", False),
    ("sales_erp.workflow.services.definitions_load_defaults", False),
    ("sales_erp.workflow.services.definitions_load_examples", False),  # 电商购销单: a process type with no code
    ("sales_erp.org.services.demo_staff_create", True),
    ("sales_erp.org.services.demo_invoicing_entity_create", True),
    ("sales_erp.customers.demo.demo_customers_create", True),
    ("sales_erp.portal.services.demo_portal_accounts_create", True),  # portal login kehu (上海甲乙科技有限公司)
]

# What happens when a deposit becomes a customer's (matched on import, or assigned by 销管): dotted paths
# of functions (*, deposit) -> None, called in order inside the matching transaction (the automatic
# write-off of DESIGN §5.4 is one).
DEPOSIT_MATCHED: list[str] = []

# Cards on the desk's home page: dotted paths of functions (request) -> dict | None, where the dict is
# {"title": str, "template": str, **context}. A function returns None when the user may not see it.
DASHBOARD_CARDS: list[str] = [
    "sales_erp.customers.views.warning_card",
]

# Providers of the desk's global search (desk/search.py): functions (*, user, query, limit) -> list[SearchHit].
GLOBAL_SEARCH: list[str] = [
    "sales_erp.workflow.selectors.process_search",
    "sales_erp.customers.search.customer_hits",
    "sales_erp.customers.search.account_hits",
    "sales_erp.billing.selectors.bills_search",
]

# Panels on a customer's page (customers/views.CustomerPageView) that other apps fill — open processes,
# bills, balances: dotted paths of functions (*, customer, user) -> dict | None, where the dict is
# {"title": str, "template": str, **context}; the template sees that dict as `panel`. A function returns
# None when it has nothing to show.
CUSTOMER_PAGE_PANELS: list[str] = [
    "sales_erp.billing.selectors.customer_bills_panel",
    "sales_erp.portal.views.customer_portal_panel",
]
