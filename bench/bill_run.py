"""BENCH bill_run_100k: the monthly bill run for 100,000 accounts with a month of usage (3,000,000 rows).

    DB_ENGINE=sqlite  .venv/bin/python -m bench.bill_run
    DB_ENGINE=mariadb .venv/bin/python -m bench.bill_run

70,000 products: 60,000 with one account and 10,000 with four; 70 % uniform, 20 % stage, 10 % graduated
prices; every 50th product changes price mid-month (priced day by day). Target: 60 s. Also prints the
second run of the same month, which creates nothing.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from bench import harness

SINGLE, MULTI, PER_MULTI, DAYS = 60_000, 10_000, 4, 30
MONTH = date(2026, 11, 1)
STAMP = "2026-01-01 00:00:00"
TIERS = ((0, 5000, "0.045"), (5000, 20000, "0.040"), (20000, None, "0.035"))


def insert(sql: str, rows: list[tuple]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def ids(table: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def data_create() -> int:
    """Everything inserted directly (setup, not measured). Returns the number of products."""
    from django.db import transaction

    with transaction.atomic():
        return _data_insert()


def _data_insert() -> int:
    from django.db import connection

    products_n = SINGLE + MULTI
    insert(
        "INSERT INTO customers_customer (name, name_key, tier, tier_since, business_contact, mobile, legal_person,"
        " registration_number, registered_address, mailing_address, phone, email, website, nature, tax_id, region,"
        " needs_invoice, extra, created_at) VALUES (%s, %s, 'contract', '2026-01-01', '王', '1', '', '', '', '',"
        " '', '', '', 'private', '', '全国', 1, '{}', %s)",
        [(f"基准客户{n}", f"基准客户{n}", STAMP) for n in range(products_n // 10)],
    )
    customers = ids("customers_customer")
    insert(
        "INSERT INTO customers_product (customer_id, code, name, kind, direct_to_supplier, bill_type, bill_day,"
        " payment_term_months, settlement, extra, created_at)"
        " VALUES (%s, %s, '行业短信', 'industry_sms', 0, 'auto', 5, 1, 'postpaid', '{}', %s)",
        [(customers[n // 10], f"P{n:06d}", STAMP) for n in range(products_n)],
    )
    products = ids("customers_product")
    accounts = [(products[n], f"A{n:06d}", STAMP) for n in range(SINGLE)]
    accounts += [(products[SINGLE + n // PER_MULTI], f"M{n:06d}", STAMP) for n in range(MULTI * PER_MULTI)]
    insert(
        "INSERT INTO customers_account (product_id, code, status, created_at) VALUES (%s, %s, 'active', %s)", accounts
    )
    schedules = []
    for n, product in enumerate(products):
        kind = "uniform" if n % 10 < 7 else "stage" if n % 10 < 9 else "graduated"
        spans = [("2020-01-01", "2099-12-31")]
        if n % 50 == 0:
            spans = [("2020-01-01", "2026-11-15"), ("2026-11-16", "2099-12-31")]
        schedules += [(product, kind, start, end, STAMP) for start, end in spans]
    insert(
        "INSERT INTO pricing_priceschedule (product_id, price_type, valid_from, valid_to, remarks, status, created_at)"
        " VALUES (%s, %s, %s, %s, '基准', 'active', %s)",
        schedules,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, price_type FROM pricing_priceschedule ORDER BY id")
        tiers: list[tuple[int, int, int | None, str]] = []
        for schedule_id, kind in cursor.fetchall():
            if kind == "uniform":
                tiers.append((schedule_id, 0, None, "0.040000"))
            else:
                tiers += [(schedule_id, lower, upper, price) for lower, upper, price in TIERS]
    insert(
        "INSERT INTO pricing_pricetier (schedule_id, carrier, lower, upper, price) VALUES (%s, '', %s, %s, %s)", tiers
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code FROM customers_account ORDER BY id")
        all_accounts = cursor.fetchall()
    usage = []
    for d in range(DAYS):
        day = (MONTH + timedelta(days=d)).isoformat()
        usage += [
            (code, account_id, day, MONTH.isoformat(), "mobile", "", 300, 295, 290 + (account_id + d) % 20)
            for account_id, code in all_accounts
        ]
    insert(
        "INSERT INTO billing_usagerecord (account_code, account_id, day, month, carrier, country, submitted,"
        " succeeded, billable) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        usage,
    )
    return products_n


def main() -> None:
    from django.db import connection
    from django.db.models import Sum

    from sales_erp.billing.models import Bill, UsageRecord
    from sales_erp.billing.services import bill_run

    products = data_create()
    accounts = SINGLE + MULTI * PER_MULTI

    started = time.perf_counter()
    report = bill_run(month="2026-11", day=date(2026, 12, 28))
    elapsed = time.perf_counter() - started
    assert report["billed"] == products, report
    usage_total = UsageRecord.objects.aggregate(total=Sum("billable"))["total"]
    assert Bill.objects.aggregate(total=Sum("count"))["total"] == usage_total

    started = time.perf_counter()
    again = bill_run(month="2026-11", day=date(2026, 12, 29))
    elapsed_again = time.perf_counter() - started
    assert (again["billed"], again["existing"]) == (0, products), again

    print(f"# {connection.vendor}: {accounts:,} accounts, {accounts * DAYS:,} usage rows, {products:,} bills")
    harness.report("bill_run_100k", elapsed, "s", "≤ 60 s")
    harness.report("bill_run_100k_again", elapsed_again, "s", "floor")  # the same month again creates nothing


if __name__ == "__main__":
    with harness.throwaway_database():
        main()
