"""BENCH deposit_match_10k: 10,000 matched deposits automatically written off against 100,000 open bills.

    DB_ENGINE=sqlite  .venv/bin/python -m bench.deposit_match
    DB_ENGINE=mariadb .venv/bin/python -m bench.deposit_match

10,000 customers (50 salespeople), each with one postpaid product and ten reconciled open bills (100,000),
and one deposit each, already matched (the bank import and the matching are the deposits app's; this
measures what happens after a match: every hooks.DEPOSIT_MATCHED function, i.e. the automatic write-off,
each starting a write_off instance that auto-passes two nodes and waits for the salesperson). Deposits
cover 0–10 bills. Target: 10 s. DEPOSIT_MATCH_N scales it down for a quick look.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench import harness

N = int(os.environ.get("DEPOSIT_MATCH_N", "10000"))
BILLS_EACH = 10


def data_create() -> list[int]:
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from sales_erp.billing.models import Bill, BillStatus
    from sales_erp.customers.models import Customer, Product, Settlement, Tier
    from sales_erp.deposits.models import Deposit, DepositStatus
    from sales_erp.org.models import User

    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        sales = Group.objects.get(name="sales")
        people = User.objects.bulk_create(
            User(username=f"bench_sales{i}", last_name="基", first_name=f"准{i}", is_staff=True) for i in range(50)
        )
        for person in people:
            person.groups.add(sales)
        customers = Customer.objects.bulk_create(
            Customer(
                name=f"基准客户{n}有限公司",
                name_key=f"基准客户{n}有限公司",
                tier=Tier.CONTRACT,
                owner=people[n % 50],
                business_contact="王",
                mobile="13800138000",
            )
            for n in range(N)
        )
        products = Product.objects.bulk_create(
            Product(customer=c, code=f"B{c.pk:07d}", name="行业短信", bill_day=5, settlement=Settlement.POSTPAID)
            for c in customers
        )
        bills = []
        amounts: dict[int, list[Decimal]] = {}
        for product in products:
            row = []
            for m in range(BILLS_EACH):
                period = date(2025 + (m + 1) // 12, (m + 1) % 12 + 1, 1)
                amount = Decimal(rng.randint(1000, 100000)) / 100
                row.append(amount)
                bills.append(
                    Bill(
                        name=f"账单-{period:%Y-%m}-{product.code}",
                        product=product,
                        customer_id=product.customer_id,
                        period=period,
                        bill_date=period + timedelta(days=35),
                        due_date=period + timedelta(days=65),
                        amount=amount,
                        status=BillStatus.RECONCILED,
                        generated_at=now,
                    )
                )
            amounts[product.customer_id] = row
        Bill.objects.bulk_create(bills, batch_size=2000)
        deposits = []
        for customer in customers:
            covered = rng.randint(0, BILLS_EACH)
            money = sum(amounts[customer.pk][:covered], Decimal(0)) + Decimal(rng.randint(0, 5000)) / 100
            money = max(money, Decimal("1.00"))
            deposits.append(
                Deposit(
                    received_on=date(2026, 11, 10),
                    payer=customer.name,
                    amount=money,
                    available=money,
                    customer=customer,
                    salesperson=customer.owner,
                    status=DepositStatus.MATCHED,
                    match_reason="客户名称一致",
                )
            )
        Deposit.objects.bulk_create(deposits, batch_size=2000)
    return list(Deposit.objects.order_by("pk").values_list("pk", flat=True))


def main() -> None:
    with harness.throwaway_database():
        from sales_erp.deposits.models import Deposit
        from sales_erp.writeoffs.batch import write_off_auto_many
        from sales_erp.writeoffs.models import Allocation, WriteOff

        ids = data_create()
        start = time.perf_counter()
        write_off_auto_many(deposits=list(Deposit.objects.filter(pk__in=ids).only("pk")))
        seconds = time.perf_counter() - start
        print(
            f"{len(ids):,} deposits, {len(ids) * BILLS_EACH:,} open bills: {WriteOff.objects.count():,} write-offs,"
            f" {Allocation.objects.count():,} allocations"
        )
        harness.report(f"deposit_match_{N // 1000}k", round(seconds, 2), "s", "≤ 10 s")


if __name__ == "__main__":
    main()
