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
PROCESSES: dict[str, ProcessHooks] = {
    # customers (DESIGN §3, §6): the public pool, test accounts, contracts — sales_erp/customers/processes.py
    "apply_customer": ProcessHooks(
        form="sales_erp.customers.processes.ApplyCustomerForm",
        target="customers.Customer",
        on_submit="sales_erp.customers.processes.customer_apply_submit",  # leaves the pool (row lock)
        on_archive="sales_erp.customers.processes.customer_apply_archive",  # the applicant's 意向客户
        on_reject="sales_erp.customers.processes.customer_apply_release",  # back to the pool
        on_withdraw="sales_erp.customers.processes.customer_apply_release",
    ),
    "test_account": ProcessHooks(
        form="sales_erp.customers.processes.TestAccountForm",
        target="customers.Product",
        on_submit="sales_erp.customers.processes.test_account_submit",  # codes still free
        on_archive="sales_erp.customers.processes.test_account_archive",  # accounts opened, tier ≥ 测试客户
    ),
    "contract_review": ProcessHooks(
        form="sales_erp.customers.processes.ContractReviewForm",
        target="customers.Customer",
        on_submit="sales_erp.customers.processes.contract_review_submit",  # contract HT-<year>-<id> under review
        on_archive="sales_erp.customers.processes.contract_review_archive",  # contract date, tier 合同客户
        on_reject="sales_erp.customers.processes.contract_review_withdraw",
        on_withdraw="sales_erp.customers.processes.contract_review_withdraw",
    ),
    # products and accounts: prices, payment terms, channels, special requests (pricing/process.py,
    # billing/payment_term.py, customers/requests.py)
    "price_change": ProcessHooks(
        form="sales_erp.pricing.forms.PriceChangeForm",
        target="customers.Product",
        template="pricing/_price_change_fields.html",
        on_submit="sales_erp.pricing.process.price_change_submit",
        on_archive="sales_erp.pricing.process.price_change_archive",
        on_reject="sales_erp.pricing.process.price_change_return",
        on_withdraw="sales_erp.pricing.process.price_change_return",
    ),
    "payment_term": ProcessHooks(
        form="sales_erp.billing.payment_term.PaymentTermForm",
        target="customers.Product",
        on_archive="sales_erp.billing.payment_term.payment_term_archive",
    ),
    "channel_report": ProcessHooks(
        form="sales_erp.customers.requests.ChannelReportForm",
        target="customers.Account",
        on_archive="sales_erp.customers.requests.channel_report_archive",
    ),
    "special_request": ProcessHooks(
        form="sales_erp.customers.requests.SpecialRequestForm",
        target="customers.Account",
        template="customers/_special_request_fields.html",
        on_archive="sales_erp.customers.requests.special_request_archive",
    ),
    "reconciliation": ProcessHooks(
        form="sales_erp.reconciliation.forms.ReconciliationForm",
        target="customers.Customer",
        template="reconciliation/_form.html",
        on_submit="sales_erp.reconciliation.services.reconciliation_submit",
        on_archive="sales_erp.reconciliation.services.reconciliation_archive",
        on_reject="sales_erp.reconciliation.services.reconciliation_reject",
        on_withdraw="sales_erp.reconciliation.services.reconciliation_withdraw",
    ),
    # 销账流程 (DESIGN §5.4): allocations reserved on submit, posted on archive, released on reject/withdraw.
    "write_off": ProcessHooks(
        form="sales_erp.writeoffs.forms.WriteOffForm",
        target="customers.Customer",
        template="writeoffs/start_form.html",
        on_submit="sales_erp.writeoffs.services.write_off_reserve",
        on_archive="sales_erp.writeoffs.services.write_off_post",
        on_reject="sales_erp.writeoffs.services.write_off_release",
        on_withdraw="sales_erp.writeoffs.services.write_off_release",
    ),
    # Invoices and prepaid recharges (DESIGN §5.2, §5.3, §5.5): invoicing/ and prepaid/.
    "bill_invoice": ProcessHooks(
        form="sales_erp.invoicing.forms.BillInvoiceForm",
        target="customers.Customer",
        template="invoicing/invoice_form.html",
        on_submit="sales_erp.invoicing.services.invoice_reserve",
        on_archive="sales_erp.invoicing.services.invoice_issue",
        on_reject="sales_erp.invoicing.services.invoice_release",
        on_withdraw="sales_erp.invoicing.services.invoice_release",
    ),
    "free_invoice": ProcessHooks(
        form="sales_erp.invoicing.forms.InvoiceForm",
        target="customers.Customer",
        template="invoicing/invoice_form.html",
        on_submit="sales_erp.invoicing.services.free_invoice_check",
        on_archive="sales_erp.invoicing.services.free_invoice_issue",
    ),
    "recharge": ProcessHooks(
        form="sales_erp.prepaid.forms.RechargeForm",
        target="customers.Account",
        template="prepaid/recharge_form.html",
        on_submit="sales_erp.prepaid.services.recharge_check",
        on_archive="sales_erp.prepaid.services.recharge_credit",
    ),
}

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
    "deposits_match": PeriodicJob(
        function="sales_erp.deposits.services.deposits_match",
        crontab="*/30 * * * *",
        description="到款池重新匹配：新增客户或开票信息后，未匹配的到款若只对应一个客户即自动匹配",
    ),
    "interest_run": PeriodicJob(
        function="sales_erp.writeoffs.interest.interest_run",
        crontab="45 0 * * *",
        description="计息罚息：逾期账单按未销金额每日计罚息，预付账号按余额每日计息（至昨日），每张账单、每个账号每月一条记录",
    ),
    "prepaid_usage_debit": PeriodicJob(
        function="sales_erp.prepaid.services.balance_usage_debit",
        crontab="0 4 * * *",
        description="预付余额扣费：按预付费产品的账单明细，每个账号每月扣一次（已扣的月份不重复扣）",
    ),
}

# What `manage.py erp_setup` runs, in order, on a new installation and again on every `make run`.
# Each step is idempotent. Steps marked demo=True are skipped in production mode.
SETUP_STEPS: list[tuple[str, bool]] = [
    ("sales_erp.org.services.roles_sync", False),
    ("sales_erp.jobs.services.schedules_sync", False),
    ("sales_erp.workflow.services.definitions_load_defaults", False),
    ("sales_erp.workflow.services.definitions_load_examples", False),  # 电商购销单: a process type with no code
    ("sales_erp.deposits.services.import_profiles_load_defaults", False),  # the bank statement layouts
    ("sales_erp.org.services.demo_staff_create", True),
    ("sales_erp.org.services.demo_invoicing_entity_create", True),
    ("sales_erp.customers.demo.demo_customers_create", True),
    ("sales_erp.portal.services.demo_portal_accounts_create", True),  # portal login kehu (上海甲乙科技有限公司)
]

# What happens when a deposit becomes a customer's (matched on import, or assigned by 销管): dotted paths
# of functions (*, deposit) -> None, called in order inside the matching transaction (the automatic
# write-off of DESIGN §5.4 is one).
DEPOSIT_MATCHED: list[str] = [
    "sales_erp.writeoffs.services.write_off_auto",
]
# The same for a whole bank statement at once: a DEPOSIT_MATCHED function's set-based variant
# (*, deposits: Sequence[Deposit]) -> Any, used by the import instead of calling it once per deposit.
DEPOSIT_MATCHED_MANY: dict[str, str] = {
    "sales_erp.writeoffs.services.write_off_auto": "sales_erp.writeoffs.batch.write_off_auto_many",
}

# Cards on the desk's home page: dotted paths of functions (request) -> dict | None, where the dict is
# {"title": str, "template": str, **context}. A function returns None when the user may not see it.
DASHBOARD_CARDS: list[str] = [
    "sales_erp.customers.views.warning_card",
    "sales_erp.reports.dashboard.ageing_card",
    "sales_erp.reports.dashboard.bills_card",
    "sales_erp.reports.dashboard.write_offs_card",
    "sales_erp.reports.dashboard.funnel_card",
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
    "sales_erp.customers.processes.customer_processes_panel",
    "sales_erp.customers.selectors.customer_account_records_panel",
    "sales_erp.reconciliation.selectors.customer_reconciliation_panel",
    "sales_erp.writeoffs.views.customer_write_offs_panel",
    "sales_erp.invoicing.selectors.customer_invoices_panel",
    "sales_erp.prepaid.selectors.customer_balances_panel",
    "sales_erp.portal.views.customer_portal_panel",
]
