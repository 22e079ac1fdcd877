"""Benchmark of the daily funnel job (issue 4): 100,000 customers, 1,000,000 contact logs.

    DB_ENGINE=sqlite  .venv/bin/python -m bench.funnel
    DB_ENGINE=mariadb .venv/bin/python -m bench.funnel

Builds a throwaway database (bench.harness: a temporary SQLite file, or a MariaDB database that is
dropped afterwards), fills it with bulk inserts, runs the job on 1,000 customers and then on all
100,000, and prints one line per figure:

    funnel_100k (target ≤ 20 s); funnel_queries at 100,000 customers (target: no more than at 1,000);
    floor_group_by_customer (a bare GROUP BY customer over the logs, floor); funnel_100k_rerun (the same
    day again, changes nothing; floor); warnings_100k (the early-warning list over every customer, ≤ 5 s)
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

from bench import harness

CUSTOMERS = 100_000
LOGS = 1_000_000
FIRST = 1_000  # the small run the query count is compared with
SALESPEOPLE = 200
TODAY = date(2026, 11, 26)


def rows_insert(model, rows: list[dict]) -> None:
    """executemany INSERT of plain rows (column values already in database form): the fastest bulk load."""
    from django.db import connection, transaction

    columns = list(rows[0])
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, [tuple(row[c] for c in columns) for row in rows[start : start + 50_000]])


def customer_row(pk: int, rng: random.Random, owners: list[int], now: object) -> dict:
    tier = rng.choices(["contract", "test", "intent", "silent", "pool"], weights=[10, 15, 35, 30, 10])[0]
    return {
        "id": pk,
        "name": f"基准客户{pk:06d}科技有限公司",
        "name_key": f"基准客户{pk:06d}科技有限公司",
        "tier": tier,
        "tier_since": TODAY - timedelta(days=rng.randint(1, 400)),
        "owner_id": None if tier == "pool" else rng.choice(owners),
        "claimed_by_id": None,
        "claimed_at": None,
        "test_account_approved_on": None,
        "business_contact": "王经理",
        "mobile": "13800138000",
        "legal_person": "",
        "registration_number": "",
        "registered_address": "",
        "mailing_address": "",
        "phone": "",
        "email": "",
        "website": "",
        "founded_on": None,
        "registered_capital": None,
        "nature": "private",
        "tax_id": "",
        "region": "全国",
        "contract_date": None,
        "first_use_date": None,
        "needs_invoice": True,
        "extra": "{}",
        "created_by_id": None,
        "created_at": now,
    }


def build(first: int, last: int, rng: random.Random, owners: list[int]) -> None:
    """Customers first..last-1 with ten logs each on average, a contact for half, accounts for a third,
    contracts (some expired) for the contract tier."""
    from django.db import connection
    from django.utils import timezone

    from sales_erp.customers.models import Account, Contact, ContactLog, Contract, Customer, Product

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    customers = [customer_row(pk, rng, owners, now) for pk in range(first, last)]
    rows_insert(Customer, customers)
    logs_each = LOGS // CUSTOMERS
    logs = []
    for customer in customers:
        for _ in range(rng.randint(0, 2 * logs_each)):
            logs.append(
                {
                    "customer_id": customer["id"],
                    "date": TODAY - timedelta(days=rng.randint(0, 365)),
                    "contact_name": "王经理",
                    "form": "phone",
                    "content": "电话沟通",
                    "outcome": "继续跟进",
                    "author_id": customer["owner_id"],
                    "created_at": now,
                }
            )
    rows_insert(ContactLog, logs)
    contacts = [
        {
            "customer_id": c["id"],
            "department_id": None,
            "name": "李工",
            "title": "技术负责人",
            "mobile1": "",
            "mobile2": "",
            "landline": "",
            "email": "",
            "wechat": "ligong" if c["id"] % 4 else "",
            "qq": "",
            "note": "",
        }
        for c in customers
        if c["id"] % 2
    ]
    rows_insert(Contact, contacts)
    with_product = [c for c in customers if c["id"] % 3 == 0 or c["tier"] in ("test", "contract")]
    rows_insert(
        Product,
        [
            {
                "id": c["id"],
                "customer_id": c["id"],
                "code": f"P{c['id']:06d}",
                "name": "行业短信",
                "kind": "industry_sms",
                "direct_to_supplier": False,
                "bill_type": "auto",
                "bill_day": 5,
                "payment_term_months": 1,
                "settlement": "postpaid",
                "extra": "{}",
                "created_at": now,
            }
            for c in with_product
        ],
    )
    rows_insert(
        Account,
        [
            {"product_id": c["id"], "code": f"A{c['id']:06d}", "status": "active", "created_at": now}
            for c in with_product
        ],
    )
    contracts = []
    for c in customers:
        if c["tier"] != "contract":
            continue
        start = TODAY - timedelta(days=rng.randint(30, 700))
        contracts.append(
            {
                "customer_id": c["id"],
                "number": f"HT-2026-{c['id']:06d}",
                "name": "",
                "valid_from": start,
                "valid_to": start + timedelta(days=365),
                "status": "archived",
                "archived_on": start,
                "draft_file": "",
                "signed_file": "",
                "created_by_id": None,
                "created_at": now,
            }
        )
    if contracts:
        rows_insert(Contract, contracts)


def main() -> None:
    with harness.throwaway_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from sales_erp.customers.funnel import funnel_drops_ahead, funnel_run
        from sales_erp.customers.models import ContactLog, Customer
        from sales_erp.org.models import User

        engine = connection.vendor
        started = time.perf_counter()
        leaders = [User.objects.create(username=f"leader{i}") for i in range(SALESPEOPLE // 10)]
        owners = [
            User.objects.create(username=f"sales{i}", superior=leaders[i % len(leaders)]).pk for i in range(SALESPEOPLE)
        ]
        rng = random.Random(20261126)
        build(1, FIRST + 1, rng, owners)
        funnel_run(day=TODAY - timedelta(days=1))  # creates the settings row; warms caches
        with CaptureQueriesContext(connection) as small:
            funnel_run(day=TODAY)
        build(FIRST + 1, CUSTOMERS + 1, rng, owners)
        logs = ContactLog.objects.count()
        print(
            f"# {engine}: {CUSTOMERS:,} customers, {logs:,} contact logs, "
            f"built in {time.perf_counter() - started:.0f} s"
        )

        day = TODAY + timedelta(days=1)
        with CaptureQueriesContext(connection) as large:
            began = time.perf_counter()
            report = funnel_run(day=day)
            seconds = time.perf_counter() - began
        moved = sum(report["moved"].values())
        print(f"# {moved:,} moved, {report['messages']:,} messages")
        harness.report("funnel_100k", seconds, "s", "≤ 20 s")
        # the same number of queries as at FIRST customers
        harness.report(
            "funnel_queries", len(large.captured_queries), "queries", f"≤ {len(small.captured_queries)} queries"
        )
        if os.environ.get("BENCH_VERBOSE"):
            for query in large.captured_queries:
                print(f"#   {float(query['time']):6.2f} s  {query['sql'][:110]}")
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute("SELECT customer_id, MAX(date) FROM customers_contactlog GROUP BY customer_id")
            groups = len(cursor.fetchall())
            floor = time.perf_counter() - began
        print(f"# floor: a bare GROUP BY customer over {logs:,} logs, {groups:,} groups")
        harness.report("floor_group_by_customer", floor, "s", "floor")
        began = time.perf_counter()
        again = funnel_run(day=day)
        rerun = time.perf_counter() - began
        assert again["moved"] == {} and again["messages"] == 0, again
        harness.report("funnel_100k_rerun", rerun, "s", "floor")  # second run on the same day; changed nothing
        began = time.perf_counter()
        drops = funnel_drops_ahead(customers=Customer.objects.exclude(tier="pool"), day=day, days=7)
        warned = time.perf_counter() - began
        print(f"# 预警名单 over every customer: {len(drops):,} drop")
        harness.report("warnings_100k", warned, "s", "≤ 5 s")


if __name__ == "__main__":
    main()
