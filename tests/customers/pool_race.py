"""Two salespeople apply for the same pool customer at the same moment (two threads, two connections).

Imported by test_pool.py; also run as `python -m tests.customers.pool_race <sqlite file>` because the
suite's in-memory SQLite database is shared-cache, where a second writer fails at once instead of
waiting as it does on a real SQLite file (busy timeout, IMMEDIATE transactions).
"""

from __future__ import annotations

import json
import os
import sys
import threading


def race(customer_id: int, users: dict) -> dict[str, str]:
    from django.db import connection

    from sales_erp.customers.services import CustomerRefused, pool_claim

    start = threading.Barrier(len(users))
    outcome: dict[str, str] = {}

    def apply(name: str) -> None:
        try:
            start.wait(timeout=10)
            pool_claim(customer=customer_id, user=users[name])
            outcome[name] = "won"
        except CustomerRefused as refused:
            outcome[name] = refused.message
        except Exception as error:  # reported to the test, which fails on it
            outcome[name] = f"error: {error!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(name,)) for name in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def main(sqlite_path: str) -> None:
    os.environ.update(DB_ENGINE="sqlite", SQLITE_PATH=sqlite_path, SALES_ERP_MODE="embedded")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from sales_erp.customers.models import Customer, Tier
    from sales_erp.org.models import User

    call_command("migrate", verbosity=0)
    s1 = User.objects.create(username="race1", last_name="张", first_name="伟", is_staff=True)
    s2 = User.objects.create(username="race2", last_name="李", first_name="娜", is_staff=True)
    customer = Customer.objects.create(
        name="抢手客户有限公司", tier=Tier.POOL, business_contact="王", mobile="13800138000"
    )
    outcome = race(customer.pk, {"s1": s1, "s2": s2})
    holder = Customer.objects.get(pk=customer.pk).claimed_by
    print(json.dumps({"outcome": outcome, "holder": str(holder), "names": {"s1": str(s1), "s2": str(s2)}}))


if __name__ == "__main__":
    main(sys.argv[1])
