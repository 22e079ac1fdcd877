"""Data for the statements tests and bench/statements.py: a customer with a month of usage and its bills."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from sales_erp.billing.models import Bill, UsageRecord
from sales_erp.billing.rating import month_end
from sales_erp.customers.models import Customer
from tests.factories import AccountFactory, CustomerFactory, ProductFactory


def usage_customer(
    *,
    accounts: int = 20,
    products: int = 4,
    months: tuple[date, ...] = (date(2026, 10, 1),),
    carriers: tuple[str, ...] = ("mobile", "unicom", "telecom"),
    name: str = "杭州𡃁子数据科技有限公司",
    seed: int = 7,
) -> tuple[Customer, list[Bill], list[UsageRecord]]:
    """A customer with `products` products sharing `accounts` accounts, each carrier's usage on every day
    of `months`, and one issued bill per product and month: at the defaults, the data-analysis report's
    full-size case (20 accounts × 31 days × 3 carriers)."""
    rng = random.Random(seed)
    customer = CustomerFactory.create(name=name)
    made = [ProductFactory.create(customer=customer, name=f"行业短信{n + 1}") for n in range(products)]
    records: list[UsageRecord] = []
    product_of: dict[str, int] = {}
    for n in range(accounts):
        account = AccountFactory.create(product=made[n % products])
        product_of[account.code] = account.product_id
        for month in months:
            day = month
            while day <= month_end(month):
                for carrier in carriers:
                    billable = rng.randint(0, 5000)
                    records.append(
                        UsageRecord(
                            account_code=account.code,
                            account=account,
                            day=day,
                            month=month,
                            carrier=carrier,
                            submitted=billable + 10,
                            succeeded=billable + 5,
                            billable=billable,
                        )
                    )
                day = date.fromordinal(day.toordinal() + 1)
    UsageRecord.objects.bulk_create(records, batch_size=300)
    bills = []
    for product in made:
        for month in months:
            count = sum(r.billable for r in records if product_of[r.account_code] == product.pk and r.month == month)
            bills.append(
                Bill.objects.create(
                    name=f"账单-{month:%Y-%m}-{product.code}",
                    product=product,
                    customer=customer,
                    period=month,
                    bill_date=month_end(month) + timedelta(days=5),
                    due_date=month_end(month) + timedelta(days=35),
                    count=count,
                    amount=(Decimal(count) * Decimal("0.04")).quantize(Decimal("0.01")),
                    generated_at=timezone.now(),
                )
            )
    return customer, bills, records
