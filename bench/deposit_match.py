"""BENCH deposit_match_10k: 10,000 deposits imported, matched and automatically written off against
100,000 open bills.

    DB_ENGINE=sqlite  .venv/bin/python -m bench.deposit_match
    DB_ENGINE=mariadb .venv/bin/python -m bench.deposit_match

10,000 customers (50 salespeople), each with one postpaid product and ten reconciled open bills (100,000).
A bank statement of 10,000 credits (one per customer, payer = the customer's name; GBK, the shipped layout
debit-credit-columns-gbk) goes through `deposits.services.deposits_import` end to end: parsing, storing the
deposits, matching each to its customer, the owners' notices, and hooks.DEPOSIT_MATCHED — the automatic
write-off of the whole statement, each deposit starting a write_off instance that auto-passes two nodes and
waits for the salesperson. Deposits cover 0–10 bills. Target: ≤ 10 s.

The floor, measured in the same run: a bare executemany of the same 10,000 deposit rows (rolled back).
DEPOSIT_MATCH_N scales it down for a quick look.
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


def data_create() -> bytes:
    """The customers and their open bills; returns the bank statement file (GBK CSV) to import."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from sales_erp.billing.models import Bill, BillStatus
    from sales_erp.customers.models import Customer, Product, Settlement, Tier
    from sales_erp.customers.names import company_name_key
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
                name_key=company_name_key(f"基准客户{n}有限公司"),
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
    lines = ["交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要"]
    for n, customer in enumerate(customers):
        covered = rng.randint(0, BILLS_EACH)
        money = sum(amounts[customer.pk][:covered], Decimal(0)) + Decimal(rng.randint(0, 5000)) / 100
        money = max(money, Decimal("1.00"))
        lines.append(f'20261110,10:{n // 600 % 60:02d}:{n % 60:02d},,"{money:,.2f}",{customer.name},,K{n:08d},货款')
    return ("\n".join(lines) + "\n").encode("gbk")


def floor_seconds(n: int) -> float:
    """A bare executemany of n deposit rows like the import's (same table, columns and values), rolled back."""
    from django.db import connection, transaction

    from sales_erp.deposits.models import Deposit

    table = connection.ops.quote_name(Deposit._meta.db_table)
    columns = ["received_on", "payer", "payer_key", "payer_account", "amount", "available", "serial", "summary"]
    columns += ["import_key", "status", "match_reason"]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = [
        (
            "2026-11-10",
            f"基准客户{i}有限公司",
            f"基准客户{i}",
            "",
            "100.00",
            "100.00",
            f"F{i}",
            "货款",
            f"floor{i}",
            "unmatched",
            "",
        )
        for i in range(n)
    ]
    with transaction.atomic():
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def main() -> None:
    with harness.throwaway_database():
        from sales_erp.deposits.models import ImportProfile
        from sales_erp.deposits.services import deposits_import
        from sales_erp.writeoffs.models import Allocation, WriteOff

        data = data_create()
        profile = ImportProfile.objects.get(code="debit-credit-columns-gbk")
        floor = floor_seconds(N)
        start = time.perf_counter()
        result = deposits_import(data=data, name="bench_statement.csv", profile=profile, user=None)
        seconds = time.perf_counter() - start
        print(
            f"{result.record.created:,} deposits imported, {result.record.matched:,} matched,"
            f" {N * BILLS_EACH:,} open bills: {WriteOff.objects.count():,} write-offs,"
            f" {Allocation.objects.count():,} allocations"
        )
        harness.report(f"deposit_match_{N // 1000}k", round(seconds, 2), "s", "≤ 10 s")
        harness.report(f"deposit_insert_floor_{N // 1000}k", round(floor, 3), "s", "floor")


if __name__ == "__main__":
    main()
