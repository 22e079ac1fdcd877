"""Two salespeople's invoice processes for the same bill money started at the same moment: exactly one
reserves it, the other is refused with 可开金额 named. Real concurrent requests, each thread on its own
connection, in transactional tests (the bills' row locks are really taken); SQLite and MariaDB."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sales_erp.customers.models import InvoiceTitle
from sales_erp.invoicing.models import InvoiceReservation
from sales_erp.org.models import InvoicingEntity
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import CustomerFactory, ProductFactory, UserFactory
from tests.invoicing.conftest import COMPANY, TAX_ID, invoice_post, reconciled_bill, start_url

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


def race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def post_as(user, url: str, data: dict[str, Any]) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    return response.status_code, response.content.decode()


def test_two_invoice_processes_cannot_reserve_the_same_money(base_data):
    leader = UserFactory.create(username="t_leader", roles=[Role.SALES_LEADER])
    a = UserFactory.create(username="t_sales1", roles=[Role.SALES], superior=leader)
    UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    entity = InvoicingEntity.objects.create(name="大汉云通讯有限公司", tax_id="91320100MA1MXXXX0X")
    customer = CustomerFactory.create(name=COMPANY, owner=a)
    title = InvoiceTitle.objects.create(customer=customer, company_name=COMPANY, tax_id=TAX_ID)
    product = ProductFactory.create(customer=customer)
    for n in range(ROUNDS):
        bill = reconciled_bill(product=product, name=f"账单-2026-0{n + 1}-A8560", amount="1000.00", invoiced="400.00")
        bill.period = bill.period.replace(month=n + 1)
        bill.save(update_fields=["period"])
        data = invoice_post(
            entity=entity, title=title, lines={bill: "600.00"}, amounts=["600.00"], invoice_type="ordinary"
        )
        url = start_url("bill_invoice", customer)
        # The leader sees the customer too (his subordinate's), so both may start it.
        results = race(partial(post_as, a, url, data), partial(post_as, leader, url, data))
        codes = sorted(code for code, _ in results)
        assert codes == [302, 400], results
        refused = next(body for code, body in results if code == 400)
        assert "超过可开金额" in refused
        assert (
            ProcessInstance.objects.filter(code="bill_invoice", status=Status.RUNNING, target_id=customer.pk).count()
            == n + 1
        )
        held = InvoiceReservation.objects.filter(bill=bill)
        assert [r.amount for r in held] == [Decimal("600.00")]
