"""Two salespeople press 立即发起 on 申请客户 for the same pool customer at the same moment: exactly one
instance is created, the other is told who has the customer (DESIGN §3, §6).

Real concurrent HTTP requests, each thread on its own database connection, in transactional tests, so the
customer's row lock (pool_claim, inside the engine's start transaction) is really taken and released by
committed transactions; run on SQLite (IMMEDIATE transactions on a file) and on MariaDB (SELECT … FOR UPDATE).
"""

from __future__ import annotations

import pytest
from django.test import Client

from sales_erp.customers.models import Customer, Tier
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import CustomerFactory, UserFactory, sales_team
from tests.workflow.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def post_as(user, url: str, data: dict[str, str]) -> tuple[int, str]:
    """The start page's answer: 302 to the new instance (not followed), or the page that tells why not —
    400 when the two met at the row lock, the pool page (after its 302) when the other had already committed."""
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    if response.status_code == 302 and response["Location"] == "/desk/customers/pool/":
        return 409, client.get(response["Location"]).content.decode()
    return response.status_code, response.content.decode()


def test_two_salespeople_apply_for_one_pool_customer_at_once(base_data):
    team = sales_team()
    UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    s1, s2 = team["s1"], team["s2"]
    for round_ in range(ROUNDS):
        customer = CustomerFactory.create(name=f"抢手客户{round_}有限公司", owner=None, tier=Tier.POOL)
        url = f"/desk/workflow/start/apply_customer/?target={customer.pk}"
        results = race(
            lambda url=url, pk=customer.pk: post_as(s1, url, {"target": str(pk), "reason": "甲先联系的"}),
            lambda url=url, pk=customer.pk: post_as(s2, url, {"target": str(pk), "reason": "乙也联系过"}),
        )
        codes = sorted(code for code, _ in results)
        assert codes in ([302, 400], [302, 409]), results
        instances = ProcessInstance.objects.filter(code="apply_customer", customer=customer)
        assert instances.count() == 1
        winner = instances.get().initiator
        assert instances.get().status == Status.RUNNING
        loser_html = next(html for code, html in results if code != 302)
        assert f"该客户已被 {winner} 申请，不能重复申请" in loser_html
        assert Customer.objects.get(pk=customer.pk).claimed_by == winner
