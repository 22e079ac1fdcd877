"""The demo month (`manage.py demo_month`, run by `make run` after erp_setup; never in production):
October 2026 of the demo company, walked through the same services and process actions the desk calls,
as the demo users who would do each step.

1. Customers of the sample files: 上海甲乙 (A8560, A8561; demo.py), 杭州壬癸 (B2001) and 成都子丑 (C3001),
   each with an active price schedule; processes in every state (草稿, 审批中, 已驳回, 已撤回, 已归档).
2. finance imports `usage_2026-10.csv`; the bill run bills October.
3. sales reconciles 上海甲乙's bill (对账, approved through), then invoices it (账单开票).
4. finance imports both bank statements; the deposits whose payer is a customer are matched, the
   automatic write-off reaches the salesperson, who confirms it.
5. the interest job (计息罚息) runs: 成都子丑's bill (账单日 1, due 12-01) is overdue and only partly covered.

Idempotent: every step first looks for what it would make and skips when it is there, so a second run
changes nothing. Returns a line per step saying what it did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import (
    Customer,
    InvoiceKind,
    InvoiceTitle,
    Product,
    ProductKind,
    Settlement,
    Tier,
)
from sales_erp.customers.names import company_name_key
from sales_erp.org.models import InvoicingEntity, User

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "demo"
USAGE_FILE = FIXTURES / "usage_2026-10.csv"
BANK_FILES = (
    (FIXTURES / "bank_statement_gbk.csv", "debit-credit-columns-gbk"),
    (FIXTURES / "bank_statement_utf8bom.csv", "direction-flag-utf8"),
)
MONTH = date(2026, 10, 1)
BILL_RUN_DAY = date(2026, 11, 5)  # the products' bill day in November
PENALTY_RATE = Decimal("0.015")  # 罚息 1.5% per 资金月, as an admin would configure it


@dataclass(frozen=True)
class DemoPrice:
    customer: str
    price: str
    bill_day: int | None = None  # set on the product when given (demo.py makes every product bill on the 5th)


# The sample usage file's accounts and the customers who own them (the bank statements' payers).
DEMO_PRICES: tuple[DemoPrice, ...] = (
    DemoPrice("上海甲乙科技有限公司", "0.02"),  # A8560 + A8561: 36,500 units = 730.00
    DemoPrice("杭州壬癸网络科技有限公司", "0.05"),  # B2001: 17,267 units = 863.35
    DemoPrice("成都子丑科技有限公司", "0.06", bill_day=1),  # C3001: 19,249 units = 1154.94, due 12-01
)


@transaction.atomic
def demo_month_run() -> list[str]:
    """Run every step of the demo month that has not run yet (see the module's docstring)."""
    if settings.PRODUCTION:
        raise RuntimeError("生产模式下不生成演示月 (the demo month is never made in production mode)")
    done: list[str] = []
    done += customers_step()
    done += processes_step()
    done += billing_step()
    done += reconciliation_step()
    done += invoice_step()
    done += deposits_step()
    done += write_off_step()
    done += interest_step()
    return done


def user(username: str) -> User:
    return User.objects.get(username=username)


def customer_named(name: str) -> Customer:
    return Customer.objects.get(name_key=company_name_key(name))


def approve_through(instance: Any) -> Any:
    """Approve every pending task, each as its own assignee, until the instance leaves 审批中."""
    from sales_erp.workflow.models import Status, TaskStatus
    from sales_erp.workflow.services import instance_approve

    for _ in range(20):
        instance.refresh_from_db()
        if instance.status != Status.RUNNING:
            return instance
        task = instance.tasks.filter(status=TaskStatus.PENDING).order_by("pk").first()
        if task is None:
            return instance
        instance = instance_approve(instance=instance, user=task.assignee, opinion="同意", task_id=task.pk)
    return instance


# ------------------------------------------------------------------------------------------- customers
def customers_step() -> list[str]:
    """The sample accounts B2001 and C3001 get their customers (上海甲乙 with A8560/A8561 is in demo.py);
    each sample customer an active price schedule."""
    from sales_erp.customers.demo import DemoCustomer, _demo_customer
    from sales_erp.pricing.models import PriceSchedule, PriceType
    from sales_erp.pricing.price_models import Tier as PriceTier
    from sales_erp.pricing.services import price_schedule_activate, price_schedule_create

    done = []
    extra = (
        DemoCustomer(
            "杭州壬癸网络科技有限公司",
            "sales2",
            Tier.CONTRACT,
            120,
            (6,),
            ("验证码短信", ProductKind.INDUSTRY_SMS, Settlement.POSTPAID, ("B2001",)),
            12,
            (("吴经理", "财务经理", "13300133001"),),
        ),
        DemoCustomer(
            "成都子丑科技有限公司",
            "sales",
            Tier.CONTRACT,
            150,
            (9,),
            ("行业短信", ProductKind.INDUSTRY_SMS, Settlement.POSTPAID, ("C3001",)),
            12,
            (("郑女士", "行政主管", "13200132001"),),
        ),
    )
    today = timezone.localdate()
    for serial, demo in enumerate(extra, start=31):
        if not Customer.objects.filter(name_key=company_name_key(demo.name)).exists():
            _demo_customer(demo, serial=serial, today=today)
            done.append(f"客户 {demo.name}")
    finance = user("finance")
    for demo_price in DEMO_PRICES:
        customer = customer_named(demo_price.customer)
        product = Product.objects.filter(customer=customer).order_by("pk").first()
        assert product is not None, demo_price.customer
        if demo_price.bill_day is not None and product.bill_day != demo_price.bill_day:
            product.bill_day = demo_price.bill_day
            product.save(update_fields=["bill_day"])
        if PriceSchedule.objects.filter(product=product).exists():
            continue
        schedule = price_schedule_create(
            product=product,
            price_type=PriceType.UNIFORM,
            tiers={"": (PriceTier(0, None, Decimal(demo_price.price)),)},
            valid_from=date(2026, 1, 1),
            valid_to=date(2099, 12, 31),
            remarks="演示价格",
            user=finance,
        )
        price_schedule_activate(schedule=schedule, user=finance)
        done.append(f"价格表 {customer.name} {demo_price.price}")
    return done


# ------------------------------------------------------------------------------------------- processes
def processes_step() -> list[str]:
    """申请客户 on the pool customers in every state: 已撤回, 审批中, 已驳回, 草稿; 已归档 ones come from the
    month's own 对账, 开票 and 销账 below."""
    from sales_erp.workflow.models import ProcessInstance, Status
    from sales_erp.workflow.services import draft_save, instance_reject, instance_start, instance_withdraw

    if ProcessInstance.objects.filter(code="apply_customer").exists():
        return []
    sales, sales2, leader = user("sales"), user("sales2"), user("leader")
    shenzhen = customer_named("深圳辰巳餐饮管理有限公司")
    chengdu = customer_named("成都午未教育咨询有限公司")
    withdrawn = instance_start(
        code="apply_customer", initiator=sales2, target=shenzhen, form_data={"reason": "客户主动来电咨询短信业务。"}
    )
    instance_withdraw(instance=withdrawn, user=sales2, opinion="客户已另有对接人")
    instance_start(
        code="apply_customer",
        initiator=sales,
        target=shenzhen,
        form_data={"reason": "展会上认识的客户，有营销短信需求，计划本月上门拜访。"},
    )
    rejected = instance_start(
        code="apply_customer", initiator=sales2, target=chengdu, form_data={"reason": "想跟进这个客户。"}
    )
    rejected.refresh_from_db()
    task = rejected.tasks.filter(status="pending").first()
    instance_reject(instance=rejected, user=task.assignee if task else leader, opinion="申请理由不够具体，请补充需求。")
    draft_save(code="apply_customer", user=sales, target=chengdu, data={"reason": "客户有教育类通知短信需求"})
    states = sorted(set(ProcessInstance.objects.filter(code="apply_customer").values_list("status", flat=True)))
    assert Status.DRAFT in states, states
    return ["申请客户：草稿、审批中、已驳回、已撤回"]


# ------------------------------------------------------------------------------------------- billing
def billing_step() -> list[str]:
    from sales_erp.billing.models import UsageImport
    from sales_erp.billing.services import bill_run, usage_import

    done = []
    if not UsageImport.objects.filter(file_name=USAGE_FILE.name).exists():
        usage_import(data=USAGE_FILE.read_bytes(), name=USAGE_FILE.name, user=user("finance"))
        done.append(f"用量导入 {USAGE_FILE.name}")
    if not Bill.objects.filter(period=MONTH, product__accounts__code="A8560").exists():
        report = bill_run(day=BILL_RUN_DAY, month=MONTH, user=user("admin"))
        done.append(f"出账 2026-10: {report}")
    return done


def october_bill(customer_name: str) -> Bill:
    return Bill.objects.get(period=MONTH, customer=customer_named(customer_name))


# ------------------------------------------------------------------------------------------- reconciliation
def reconciliation_step() -> list[str]:
    from sales_erp.workflow.models import ProcessInstance
    from sales_erp.workflow.services import instance_start

    if ProcessInstance.objects.filter(code="reconciliation").exists():
        return []
    bill = october_bill("上海甲乙科技有限公司")
    instance = instance_start(
        code="reconciliation",
        initiator=user("sales"),
        target=bill.customer,
        form_data={
            "target": bill.customer.pk,
            "bills": [bill.pk],
            f"agreed_{bill.pk}": str(bill.count),
            f"customer_{bill.pk}": str(bill.count),
            "remarks": "10月数据与客户核对一致",
        },
    )
    approve_through(instance)
    return [f"对账 {bill.name}"]


# ------------------------------------------------------------------------------------------- invoice
def invoice_step() -> list[str]:
    from sales_erp.workflow.models import ProcessInstance
    from sales_erp.workflow.services import instance_start

    if ProcessInstance.objects.filter(code="bill_invoice").exists():
        return []
    bill = october_bill("上海甲乙科技有限公司")
    title = InvoiceTitle.objects.filter(customer=bill.customer).order_by("pk").first()
    entity = InvoicingEntity.objects.order_by("pk").first()
    assert title is not None and entity is not None
    amount = f"{bill.amount:.2f}"
    instance = instance_start(
        code="bill_invoice",
        initiator=user("sales"),
        target=bill.customer,
        form_data={
            "entity": entity.pk,
            "title": title.pk,
            "received_amount": "0.00",
            "invoice_amounts": [amount],
            "invoice_type": InvoiceKind.ORDINARY,
            "remarks": "10月短信费",
            f"bill_lines_{bill.pk}": amount,
        },
    )
    approve_through(instance)
    return [f"开票 {bill.name} {amount}"]


# ------------------------------------------------------------------------------------------- deposits
def deposits_step() -> list[str]:
    from sales_erp.deposits.models import DepositImport, ImportProfile
    from sales_erp.deposits.services import deposits_import

    done = []
    for path, profile_code in BANK_FILES:
        if DepositImport.objects.filter(file_name=path.name).exists():
            continue
        profile = ImportProfile.objects.get(code=profile_code)
        result = deposits_import(data=path.read_bytes(), name=path.name, profile=profile, user=user("finance"))
        done.append(f"银行流水 {path.name}: {result.record.deposits.count()} 笔到款")
    return done


def write_off_step() -> list[str]:
    """The automatic write-offs the deposits started wait for their salesperson: confirm them."""
    from sales_erp.workflow.models import ProcessInstance, Status

    done = []
    for instance in ProcessInstance.objects.filter(code="write_off", status=Status.RUNNING).order_by("pk"):
        approve_through(instance)
        done.append(f"销账 {instance.title}")
    return done


def interest_step() -> list[str]:
    from sales_erp.writeoffs.interest import interest_run
    from sales_erp.writeoffs.models import InterestKind, InterestRate, InterestRun

    InterestRate.objects.get_or_create(
        kind=InterestKind.PENALTY,
        effective_from=date(2026, 1, 1),
        defaults={"monthly_rate": PENALTY_RATE, "note": "演示罚息率"},
    )
    if InterestRun.objects.exists():
        return []
    report = interest_run()
    return [f"计息罚息: {report}"]


__all__ = ["BillStatus", "demo_month_run"]
