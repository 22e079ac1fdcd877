"""Desk latency at scale: 100,000 customers and about 1,000,000 bills (issue 9).

    DB_ENGINE=sqlite  .venv/bin/python -m bench.desk_scale
    DB_ENGINE=mariadb .venv/bin/python -m bench.desk_scale

The company comes from `manage.py company_generate` (sales_erp/ops/generate.py; the bills from the real
bill run). Through Django's test client (no network, no WSGI server), after a warm-up, median and p95 of:
the customer list, the customer search (the list's ?q= and 客户定位 /desk/customers/locate/?q=) and the
bill list (first page and a later one), as a salesperson (sees only his own) and as finance (sees all).
Target p95 ≤ 300 ms. Floors from the same run: one `SELECT 1`, and a bare desk page (the password page).
DESK_SCALE_CUSTOMERS / DESK_SCALE_MONTHS / DESK_SCALE_REQUESTS scale it down for a quick look.
"""

from __future__ import annotations

import os
import time

from bench import harness

CUSTOMERS = int(os.environ.get("DESK_SCALE_CUSTOMERS", "100000"))
MONTHS = int(os.environ.get("DESK_SCALE_MONTHS", "12"))  # 90 % of customers have a product: ~1.08 M bills
REQUESTS = int(os.environ.get("DESK_SCALE_REQUESTS", "60"))
TARGET = "≤ 300 ms"


def main() -> None:
    from django.core.management import call_command
    from django.db import connection

    from sales_erp.billing.models import Bill
    from sales_erp.customers.models import Customer

    started = time.perf_counter()
    call_command("company_generate", customers=CUSTOMERS, months=MONTHS, seed=9)
    print(
        f"# {connection.vendor}: {Customer.objects.count():,} customers, {Bill.objects.count():,} bills,"
        f" generated in {time.perf_counter() - started:.0f} s; load average {os.getloadavg()}",
        flush=True,
    )
    pages_measure()


def pages_measure() -> None:
    """The figures, on a database `company_generate` filled (this script's, or one kept for a closer look)."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from sales_erp.billing.models import Bill
    from sales_erp.customers.models import Customer
    from sales_erp.org.models import User
    from sales_erp.org.roles import Role

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    harness.report(
        "desk_scale_db_roundtrip_median", harness.median(harness.timed(select_one, repeat=1000)), "ms", "floor"
    )

    salesperson = User.objects.filter(username__startswith="gen_sales").order_by("pk").first()
    assert salesperson is not None
    finance, _ = User.objects.get_or_create(username="bench_finance", defaults={"is_staff": True})
    finance.groups.set(Group.objects.filter(name=Role.FINANCE))
    mine = Customer.objects.filter(owner=salesperson).order_by("pk").first()
    assert mine is not None
    name = mine.name[:10]  # 生成客户000000: ten customers (and the salesperson's view of one of them)
    month = Bill.objects.order_by("-period").values_list("period", flat=True).first()
    assert month is not None

    pages = {
        "sales": [
            ("floor", "/desk/password_change/"),
            ("customer_list", "/desk/customers/customer/"),
            ("customer_search", f"/desk/customers/customer/?q={name}&all=1"),
            ("customer_search_open", f"/desk/customers/customer/?q={name}"),  # opens the first match: 302
            ("customer_locate", f"/desk/customers/locate/?q={name}"),
            ("bill_list", "/desk/billing/bill/"),
        ],
        "finance": [
            ("floor", "/desk/password_change/"),
            ("customer_list", "/desk/customers/customer/"),
            ("customer_locate", f"/desk/customers/locate/?q={name}"),
            ("bill_list", "/desk/billing/bill/"),
            ("bill_list_page_50", "/desk/billing/bill/?p=50"),
            ("bill_search", f"/desk/billing/bill/?q={name}"),
            ("bill_search_month", f"/desk/billing/bill/?q={month:%Y-%m}"),  # 90,000 bills
        ],
    }
    for role, user in (("sales", salesperson), ("finance", finance)):
        client = Client()
        client.force_login(user)
        for page, path in pages[role]:

            def get(path: str = path, client: Client = client) -> None:
                response = client.get(path)
                # The list's search and 客户定位 open the match they find (302); the rest are pages (200).
                expected = {200, 302} if path.endswith(f"?q={name}") and "/customers/" in path else {200}
                assert response.status_code in expected, (path, response.status_code)

            times = harness.timed(get, repeat=REQUESTS)
            target = "floor" if page == "floor" else TARGET
            harness.report(f"desk_{role}_{page}_median", harness.median(times), "ms", target)
            harness.report(f"desk_{role}_{page}_p95", harness.p95(times), "ms", target)
    print(f"# load average after: {os.getloadavg()}")


if __name__ == "__main__":
    with harness.throwaway_database():
        main()
