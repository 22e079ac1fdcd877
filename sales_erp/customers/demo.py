"""Demo customers for `make run` (hooks.SETUP_STEPS, demo=True): a handful in every tier for the demo
salespeople `sales` and `sales2`, with contacts, logs, products, accounts and contracts. Idempotent: a
customer that exists (by normalised name) is left as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sales_erp.customers.models import (
    BillType,
    Contact,
    ContactForm,
    ContactLog,
    Contract,
    ContractStatus,
    Customer,
    CustomerDepartment,
    InvoiceTitle,
    Product,
    ProductKind,
    Settlement,
    Tier,
    TierChange,
    TierRule,
)
from sales_erp.customers.names import company_name_key
from sales_erp.customers.services import accounts_create
from sales_erp.customers.validators import tax_id_check_char
from sales_erp.org.models import User


def demo_tax_id(serial: int) -> str:
    first17 = f"91310000{serial:09d}"
    return first17 + tax_id_check_char(first17)


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    owner: str | None  # username; None: in the pool
    tier: Tier
    days_in_tier: int
    log_days_ago: tuple[int, ...] = ()
    product: tuple[str, ProductKind, Settlement, tuple[str, ...]] | None = None
    contract_months: int | None = None  # an archived contract running that many months from its start
    contacts: tuple[tuple[str, str, str], ...] = field(default=())  # (name, title, mobile)


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "上海甲乙科技有限公司",
        "sales",
        Tier.CONTRACT,
        200,
        (3, 20, 45),
        ("行业短信", ProductKind.INDUSTRY_SMS, Settlement.POSTPAID, ("A8560", "A8561")),
        12,
        (("王经理", "采购经理", "13800138001"), ("赵工", "技术负责人", "13800138002")),
    ),
    DemoCustomer(
        "杭州丙丁网络科技有限公司",
        "sales",
        Tier.TEST,
        20,
        (10,),
        ("营销短信", ProductKind.MARKETING_SMS, Settlement.PREPAID, ("HZ0001",)),
        None,
        (("钱女士", "运营总监", "13900139001"),),
    ),
    DemoCustomer(
        "南京戊己信息技术有限公司", "sales", Tier.INTENT, 10, (2,), None, None, (("孙先生", "总经理", "13700137001"),)
    ),
    DemoCustomer("苏州庚辛贸易有限公司", "sales", Tier.INTENT, 14, (14,), None, None, (("李主管", "市场主管", ""),)),
    DemoCustomer("无锡壬癸电子商务有限公司", "sales", Tier.SILENT, 86, (88,)),
    DemoCustomer(
        "北京子丑传媒有限公司",
        "sales2",
        Tier.CONTRACT,
        300,
        (7,),
        ("国际短信", ProductKind.INTL_SMS, Settlement.PREPURCHASE, ("BJ-INTL-01",)),
        12,
        (("周总", "副总经理", "13600136001"),),
    ),
    DemoCustomer("天津寅卯物流有限公司", "sales2", Tier.INTENT, 30, (5,)),
    DemoCustomer("深圳辰巳餐饮管理有限公司", None, Tier.POOL, 40),
    DemoCustomer("成都午未教育咨询有限公司", None, Tier.POOL, 90),
)


@transaction.atomic
def demo_customers_create() -> list[str]:
    """Create the demo customers that are missing. Refused in production (demo data only)."""
    if settings.PRODUCTION:
        raise RuntimeError("生产模式下不创建演示客户 (demo customers are never created in production mode)")
    today = timezone.localdate()
    created = []
    for serial, demo in enumerate(DEMO_CUSTOMERS, start=1):
        if Customer.objects.filter(name_key=company_name_key(demo.name)).exists():
            continue
        _demo_customer(demo, serial=serial, today=today)
        created.append(demo.name)
    return created


def _demo_customer(demo: DemoCustomer, *, serial: int, today: date) -> None:
    owner = User.objects.get(username=demo.owner) if demo.owner else None
    since = today - timedelta(days=demo.days_in_tier)
    first_contact = demo.contacts[0] if demo.contacts else ("张先生", "经理", "13500135000")
    customer = Customer.objects.create(
        name=demo.name,
        tier=demo.tier,
        tier_since=since,
        owner=owner,
        business_contact=first_contact[0],
        mobile=first_contact[2] or "13500135000",
        tax_id=demo_tax_id(serial),
        region="上海" if "上海" in demo.name else "全国",
        created_by=owner,
    )
    InvoiceTitle.objects.create(customer=customer, company_name=demo.name, tax_id=customer.tax_id)
    if demo.contacts:
        department = CustomerDepartment.objects.create(customer=customer, name="业务部")
        for name, title, mobile in demo.contacts:
            Contact.objects.create(
                customer=customer, department=department, name=name, title=title, mobile1=mobile, email=""
            )
    for days_ago in demo.log_days_ago:
        ContactLog.objects.create(
            customer=customer,
            date=today - timedelta(days=days_ago),
            contact_name=first_contact[0],
            form=ContactForm.PHONE,
            content="电话沟通本月发送量和价格。",
            outcome="客户确认继续使用，下周回访。",
            author=owner,
        )
    if demo.product is not None:
        name, kind, settlement, codes = demo.product
        product = Product.objects.create(
            customer=customer, name=name, kind=kind, settlement=settlement, bill_type=BillType.AUTO, bill_day=5
        )
        accounts_create(product=product, codes=list(codes))
    if demo.contract_months is not None:
        start = since
        Contract.objects.create(
            customer=customer,
            name=f"{demo.name}短信服务合同",
            valid_from=start,
            valid_to=start + relativedelta(months=demo.contract_months) - timedelta(days=1),
            status=ContractStatus.ARCHIVED,
            archived_on=start,
            created_by=owner,
        )
        customer.contract_date = start
        customer.save(update_fields=["contract_date"])
    if demo.tier != Tier.INTENT:
        rule = {
            Tier.CONTRACT: TierRule.CONTRACT_REVIEW,
            Tier.TEST: TierRule.TEST_ACCOUNT,
            Tier.SILENT: TierRule.INTENT_NO_LOG,
            Tier.POOL: TierRule.SILENT_NO_LOG,
        }[demo.tier]
        from_tier = Tier.SILENT if demo.tier == Tier.POOL else Tier.INTENT
        TierChange.objects.create(
            customer=customer, from_tier=from_tier, to_tier=demo.tier, rule=rule, date=since, salesperson=owner
        )
