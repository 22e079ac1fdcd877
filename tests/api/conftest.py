"""API test setup: a sales team with customers on both sides, and a client per user with a token."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sales_erp.billing.services import bill_run, usage_push
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, sales_team, schedule_active


@pytest.fixture
def people(db) -> dict[str, User]:
    team = sales_team()
    team["finance"] = UserFactory.create(username="t_fin", roles=[Role.FINANCE])
    team["admin"] = UserFactory.create(username="t_admin", roles=[Role.ADMIN])
    team["legal"] = UserFactory.create(username="t_legal", roles=[Role.LEGAL])
    return team


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated with that user's token (as a script would be)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def books(people):
    """s1's and s2's customers, each with a product, an account and an October 2026 bill."""
    mine = CustomerFactory.create(name="上海一号科技有限公司", owner=people["s1"])
    theirs = CustomerFactory.create(name="北京二号科技有限公司", owner=people["s2"])
    my_product = ProductFactory.create(customer=mine, name="行业短信")
    their_product = ProductFactory.create(customer=theirs, name="营销短信")
    AccountFactory.create(product=my_product, code="API001")
    AccountFactory.create(product=their_product, code="API002")
    schedule_active(product=my_product, price="0.04")
    schedule_active(product=their_product, price="0.05")
    usage_push(
        rows=[
            {"day": date(2026, 10, 3), "account": "API001", "billable": 1000},
            {"day": date(2026, 10, 4), "account": "API002", "billable": 200},
        ],
        user=None,
    )
    bill_run(day=date(2026, 11, 28))
    return {"mine": mine, "theirs": theirs, "my_product": my_product, "their_product": their_product}
