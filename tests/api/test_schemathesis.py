"""Schemathesis against the running server (pytest-django's live_server): every operation of the served
OpenAPI schema gets generated requests — valid and invalid bodies, query strings and ids — with a staff
token, and no response may be a 5xx. Bounded: MAX_EXAMPLES per operation and user."""

from __future__ import annotations

import time
from datetime import date

import pytest
import requests
import schemathesis
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from sales_erp.billing.services import bill_run, usage_push
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, schedule_active

pytestmark = pytest.mark.slow

MAX_EXAMPLES = {"admin": 20, "sales": 10}  # per operation; the salesperson's run checks the scoped paths
BUDGET_SECONDS = 180


@pytest.fixture
def data(base_data):
    """Some of everything, so generated ids sometimes hit real rows (ids start at 1 on a fresh database)."""
    admin = UserFactory.create(username="st_admin", roles=[Role.ADMIN])
    sales = UserFactory.create(username="st_sales", roles=[Role.SALES])
    customer = CustomerFactory.create(name="接口测试科技有限公司", owner=sales)
    product = ProductFactory.create(customer=customer)
    AccountFactory.create(product=product, code="ST001")
    schedule_active(product=product)
    usage_push(rows=[{"day": date(2026, 10, 1), "account": "ST001", "billable": 100}], user=None)
    bill_run(day=date(2026, 11, 28))
    return {"admin": admin, "sales": sales}


def fuzz(operation, *, base_url: str, headers: dict[str, str], examples: int) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error])

    run()


def test_no_operation_answers_with_a_server_error(live_server, data):
    started = time.monotonic()
    loaded = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert loaded.status_code == 200
    validate_schema(loaded.json())
    schema = schemathesis.openapi.from_dict(loaded.json())

    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15
    for who in ("admin", "sales"):
        token = Token.objects.create(user=data[who]).key
        headers = {"Authorization": f"Token {token}"}
        for operation in operations:
            fuzz(operation, base_url=live_server.url, headers=headers, examples=MAX_EXAMPLES[who])
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"schemathesis took {elapsed:.0f} s"
