"""The desk's request floor: what any authenticated desk page costs before it shows any business data.

Figures (through Django's test client, so without network or WSGI server; 300 requests each after a
warm-up); the floors are what the desk latency figures of the other benchmarks are read against:
- db_roundtrip_median: one `SELECT 1` on this database (floor);
- desk_floor_*: a desk page without business data, the password page: session, login, the menu of a
  salesperson and the desk's frame around a three-field form, which every desk page pays (floor);
- desk_home_*: the desk's home page with whatever dashboard cards the apps add (target ≤ 300 ms).
"""

from __future__ import annotations

from bench import harness

REQUESTS = 300

with harness.throwaway_database():
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from sales_erp.org.models import User
    from sales_erp.org.roles import Role

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    rounds = harness.timed(select_one, repeat=2000)
    harness.report("db_roundtrip_median", harness.median(rounds), "ms", "floor")

    salesperson = User.objects.create_user(username="bench_sales", password="x", is_staff=True)
    salesperson.groups.set(Group.objects.filter(name=Role.SALES))
    client = Client()
    client.force_login(salesperson)

    for name, path in (("desk_floor", "/desk/password_change/"), ("desk_home", "/desk/")):

        def get(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        times = harness.timed(get, repeat=REQUESTS)
        target = "floor" if name == "desk_floor" else "≤ 300 ms"
        harness.report(f"{name}_median", harness.median(times), "ms", target)
        harness.report(f"{name}_p95", harness.p95(times), "ms", target)
