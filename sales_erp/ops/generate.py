"""A company at scale for benchmarks and load tests (`manage.py company_generate`).

Set-based: every table is filled with bulk inserts (no per-row history, no workflow instances), the
bills come from the real monthly bill run (`billing.services.bill_run`) over the generated usage, so
they are what production would have billed. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from sales_erp.billing.models import UsageRecord
from sales_erp.billing.services import bill_run
from sales_erp.customers.models import (
    Account,
    Contact,
    ContactLog,
    Customer,
    InvoiceTitle,
    Product,
    Settlement,
    Tier,
)
from sales_erp.customers.names import company_name_key
from sales_erp.deposits.models import Deposit
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.pricing.models import PriceSchedule, PriceTier, PriceType, ScheduleStatus

BATCH = 5000
TIER_WEIGHTS = {Tier.CONTRACT: 30, Tier.TEST: 15, Tier.INTENT: 25, Tier.SILENT: 20, Tier.POOL: 10}
PRICE_WEIGHTS = {PriceType.UNIFORM: 70, PriceType.STAGE: 20, PriceType.GRADUATED: 10}
TIERS = ((0, 5000, "0.045000"), (5000, 20000, "0.040000"), (20000, None, "0.035000"))


@dataclass(frozen=True)
class Generated:
    salespeople: int
    customers: int
    products: int
    accounts: int
    usage_rows: int
    bills: int
    contact_logs: int
    deposits: int


def _bulk(model: type[Model], objects: list[Any]) -> None:
    model.objects.bulk_create(objects, batch_size=BATCH)  # type: ignore[attr-defined]


def _month_add(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def company_generate(
    *, customers: int, months: int, seed: int = 1, today: date | None = None, bills: bool = True
) -> Generated:
    """Salespeople (a leader per ten), `customers` across the five tiers, each non-pool customer with an
    invoice title, a contact, contact logs and a product with one account (every tenth product two),
    priced by an active schedule (uniform 70 %, stage 20 %, graduated 10 %), `months` months of usage up
    to last month, the bills of those months (the bill run), and a deposit for every fifth contract customer."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    last_month = _month_add(today.replace(day=1), -1)
    first_month = _month_add(last_month, -(months - 1))

    with transaction.atomic():
        sales_group = Group.objects.get_or_create(name=Role.SALES)[0]
        leader_group = Group.objects.get_or_create(name=Role.SALES_LEADER)[0]
        n_sales = max(10, customers // 500)
        leaders = [
            User(username=f"gen_leader{i:03d}", first_name=f"领导{i}", is_staff=True) for i in range(n_sales // 10)
        ]
        _bulk(User, leaders)
        leaders = list(User.objects.filter(username__startswith="gen_leader").order_by("pk"))
        people = [
            User(username=f"gen_sales{i:04d}", first_name=f"销售{i}", is_staff=True, superior=leaders[i % len(leaders)])
            for i in range(n_sales)
        ]
        _bulk(User, people)
        people = list(User.objects.filter(username__startswith="gen_sales").order_by("pk"))
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=leader_group.pk) for u in leaders]
            + [User.groups.through(user_id=u.pk, group_id=sales_group.pk) for u in people],
            batch_size=BATCH,
        )

        tiers = rng.choices(list(TIER_WEIGHTS), weights=list(TIER_WEIGHTS.values()), k=customers)
        rows = []
        for n, tier in enumerate(tiers):
            name = f"生成客户{n:07d}{rng.choice(['科技', '信息', '网络', '传媒'])}有限公司"
            rows.append(
                Customer(
                    name=name,
                    name_key=company_name_key(name),
                    tier=tier,
                    tier_since=today - timedelta(days=rng.randint(1, 300)),
                    owner=None if tier == Tier.POOL else people[n % len(people)],
                    business_contact=f"联系人{n}",
                    mobile=f"139{n:08d}",
                    region="全国",
                    contract_date=first_month if tier == Tier.CONTRACT else None,
                )
            )
        _bulk(Customer, rows)
        ids = list(
            Customer.objects.filter(name__startswith="生成客户")
            .order_by("pk")
            .values_list("pk", "tier", "name", "owner_id")
        )

        titles, contacts, logs, products = [], [], [], []
        for n, (pk, tier_of, name, owner) in enumerate(ids):
            if tier_of == Tier.POOL:  # the pool's customers have no owner, contacts or products here
                continue
            titles.append(InvoiceTitle(customer_id=pk, company_name=name, name_key=company_name_key(name)))
            contacts.append(Contact(customer_id=pk, name=f"张{pk}", title="经理", mobile1=f"138{pk:08d}"))
            for k in range(rng.randint(1, 6)):
                logs.append(
                    ContactLog(
                        customer_id=pk,
                        date=today - timedelta(days=rng.randint(1, 200)),
                        contact_name=f"张{pk}",
                        form=rng.choice(["phone", "wechat", "visit", "email"]),
                        content=f"第{k + 1}次沟通",
                        outcome="跟进中",
                        author_id=owner,
                    )
                )
            products.append(
                Product(
                    customer_id=pk,
                    code=f"G{n:07d}",
                    name="行业短信",
                    kind="industry_sms",
                    bill_day=5,
                    payment_term_months=1,
                    settlement=Settlement.POSTPAID,
                )
            )
        for model, objects in ((InvoiceTitle, titles), (Contact, contacts), (ContactLog, logs), (Product, products)):
            _bulk(model, objects)
        del titles, contacts, logs
        codes = list(Product.objects.filter(code__startswith="G").order_by("pk").values_list("pk", "code"))
        product_ids = [pk for pk, _ in codes]

        accounts = []
        for n, (product, code) in enumerate(codes):
            accounts.append(Account(product_id=product, code=f"A{code}"))
            if n % 10 == 0:
                accounts.append(Account(product_id=product, code=f"B{code}"))
        _bulk(Account, accounts)
        kinds = rng.choices(list(PRICE_WEIGHTS), weights=list(PRICE_WEIGHTS.values()), k=len(product_ids))
        _bulk(
            PriceSchedule,
            [
                PriceSchedule(
                    product_id=product,
                    price_type=kind,
                    valid_from=date(2020, 1, 1),
                    valid_to=date(2099, 12, 31),
                    status=ScheduleStatus.ACTIVE,
                    remarks="生成",
                )
                for product, kind in zip(product_ids, kinds, strict=True)
            ],
        )
        price_tiers = []
        for schedule, kind in PriceSchedule.objects.filter(remarks="生成").values_list("pk", "price_type"):
            if kind == PriceType.UNIFORM:
                price_tiers.append(PriceTier(schedule_id=schedule, lower=0, upper=None, price=Decimal("0.040000")))
            else:
                price_tiers += [
                    PriceTier(schedule_id=schedule, lower=lo, upper=up, price=Decimal(p)) for lo, up, p in TIERS
                ]
        _bulk(PriceTier, price_tiers)

        account_rows = list(
            Account.objects.filter(product__code__startswith="G").order_by("code").values_list("pk", "code")
        )
        usage = []
        for m in range(months):
            month = _month_add(first_month, m)
            for account_id, code in account_rows:
                billable = rng.randint(1000, 40000)
                usage.append(
                    UsageRecord(
                        account_code=code,
                        account_id=account_id,
                        day=month,
                        month=month,
                        carrier="mobile",
                        submitted=billable + 10,
                        succeeded=billable,
                        billable=billable,
                    )
                )
            if len(usage) >= 100_000:
                _bulk(UsageRecord, usage)
                usage = []
        _bulk(UsageRecord, usage)

    bill_count = 0
    for m in range(months if bills else 0):
        month = _month_add(first_month, m)
        report = bill_run(month=month.isoformat()[:7], day=_month_add(month, 1) + timedelta(days=27))
        bill_count += int(report["billed"])

    # Unmatched bank deposits paid under the customer's name: what the matching job (deposits_match) finds.
    contract = [name for _, tier, name, _ in ids if tier == Tier.CONTRACT][::5]
    deposits = []
    for n, name in enumerate(contract):
        amount = Decimal(rng.randint(100, 100000))
        deposits.append(
            Deposit(
                received_on=today - timedelta(days=rng.randint(1, 60)),
                payer=name,
                payer_key=company_name_key(name),
                amount=amount,
                available=amount,
                serial=f"GEN{n:08d}",
            )
        )
    _bulk(Deposit, deposits)
    return Generated(
        salespeople=len(people) + len(leaders),
        customers=customers,
        products=len(product_ids),
        accounts=len(account_rows),
        usage_rows=len(account_rows) * months,
        bills=bill_count,
        contact_logs=ContactLog.objects.count(),
        deposits=len(contract),
    )
