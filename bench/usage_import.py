"""BENCH usage_import_3M: importing 3,000,000 usage rows from a CSV file, against the same run's floor —
a bare executemany of the same rows into an equivalent table (same columns, keys and indexes).

    DB_ENGINE=sqlite  .venv/bin/python -m bench.usage_import
    DB_ENGINE=mariadb .venv/bin/python -m bench.usage_import

Target: the import takes at most 3 × the floor's time. Also prints the re-import of the same file
(idempotent: nothing changes).
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from bench import harness

ACCOUNTS, DAYS = 100_000, 30
CARRIERS = (("移动", "mobile"), ("联通", "unicom"), ("电信", "telecom"))
MONTH = date(2026, 11, 1)


def accounts_create() -> dict[str, int]:
    """Customers, products and 100,000 accounts, inserted directly (setup, not measured)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(
            "INSERT INTO customers_customer (name, name_key, tier, tier_since, business_contact, mobile, legal_person,"
            " registration_number, registered_address, mailing_address, phone, email, website, nature, tax_id,"
            " region, needs_invoice, extra, created_at) VALUES ('基准客户', '基准客户', 'contract', '2026-01-01',"
            " '王', '1', '', '', '', '', '', '', '', 'private', '', '全国', 1, '{}', '2026-01-01 00:00:00')"
        )
        customer_id = cursor.lastrowid
        cursor.executemany(
            "INSERT INTO customers_product (customer_id, code, name, kind, direct_to_supplier, bill_type, bill_day,"
            " payment_term_months, settlement, extra, created_at) VALUES"
            " (%s, %s, '行业短信', 'industry_sms', 0, 'auto', 5, 1, 'postpaid', '{}', '2026-01-01 00:00:00')",
            [(customer_id, f"P{n:06d}") for n in range(1000)],
        )
        cursor.execute("SELECT id FROM customers_product ORDER BY id")
        products = [row[0] for row in cursor.fetchall()]
        cursor.executemany(
            "INSERT INTO customers_account (product_id, code, status, created_at)"
            " VALUES (%s, %s, 'active', '2026-01-01 00:00:00')",
            [(products[n % len(products)], f"A{n:06d}") for n in range(ACCOUNTS)],
        )
        cursor.execute("SELECT code, id FROM customers_account")
        return dict(cursor.fetchall())


def usage_file(accounts: dict[str, int]) -> tuple[bytes, list[tuple]]:
    """The platform's export as bytes, and the same rows as the import stores them (for the floor)."""
    lines = ["日期,账号,运营商,提交条数,成功条数,计费条数"]
    rows = []
    for d in range(DAYS):
        day = MONTH + timedelta(days=d)
        day_iso, month_iso = day.isoformat(), MONTH.isoformat()
        for n in range(ACCOUNTS):
            code = f"A{n:06d}"
            text, carrier = CARRIERS[n % 3]
            submitted = 100 + (n * 7 + d) % 900
            succeeded = submitted - (n + d) % 5
            billable = succeeded + (n % 3)
            lines.append(f"{day_iso},{code},{text},{submitted},{succeeded},{billable}")
            rows.append((code, accounts[code], day_iso, month_iso, carrier, "", submitted, succeeded, billable))
    return ("\n".join(lines) + "\n").encode("utf-8"), rows


def floor_table_create() -> str:
    """A table like billing_usagerecord — same columns, unique key and indexes — to insert into bare."""
    from django.db import connection

    from sales_erp.billing.models import UsageRecord

    table = UsageRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
            for (sql,) in cursor.fetchall():
                sql = re.sub(r'INDEX "([^"]+)"', r'INDEX "floor_\1"', sql.replace(f'"{table}"', '"bench_floor"'))
                cursor.execute(sql)
        else:
            cursor.execute(f"CREATE TABLE bench_floor LIKE {table}")
    return "bench_floor"


def main() -> None:
    from django.db import connection, transaction

    from sales_erp.billing.services import usage_import

    accounts = accounts_create()
    data, rows = usage_file(accounts)
    floor_table = floor_table_create()
    columns = "account_code, account_id, day, month, carrier, country, submitted, succeeded, billable"

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {floor_table} ({columns}) VALUES ({', '.join(['%s'] * 9)})", rows)
    floor = time.perf_counter() - started
    del rows

    started = time.perf_counter()
    result = usage_import(data=data, name="usage_bench.csv", user=None)
    elapsed = time.perf_counter() - started
    assert (result.rows, result.created) == (ACCOUNTS * DAYS, ACCOUNTS * DAYS), result

    started = time.perf_counter()
    again = usage_import(data=data, name="usage_bench.csv", user=None)
    elapsed_again = time.perf_counter() - started
    assert (again.created, again.updated, again.unchanged) == (0, 0, ACCOUNTS * DAYS), again

    n = ACCOUNTS * DAYS
    print(
        f"# {connection.vendor}: {n:,} rows; import {elapsed:.1f} s, bare executemany {floor:.1f} s,"
        f" again {elapsed_again:.1f} s"
    )
    harness.report("usage_import_3M", n / elapsed, "rows/s", f"≥ {n / (3 * floor):.0f} rows/s")
    harness.report("usage_import_3M_floor", n / floor, "rows/s", "floor")
    harness.report("usage_import_3M_ratio", elapsed / floor, "x", "≤ 3 x")
    harness.report("usage_import_3M_again", n / elapsed_again, "rows/s", "floor")  # the same file again, no change


if __name__ == "__main__":
    with harness.throwaway_database():
        main()
