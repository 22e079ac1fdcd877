"""The write-off tests' people: customer 上海甲乙科技有限公司 owned by salesperson s1 (writeoff.yaml), the
director and finance HQ who approve manual write-offs, a finance clerk who may reverse."""

from __future__ import annotations

import pytest

from sales_erp.customers.models import Customer, Product, Settlement
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import CustomerFactory, ProductFactory, UserFactory, sales_team


@pytest.fixture
def people() -> dict[str, User]:
    team = sales_team()
    team["hq"] = UserFactory.create(username="t_hq", roles=[Role.FINANCE_HQ])
    team["finance"] = UserFactory.create(username="t_finance", roles=[Role.FINANCE])
    team["sales_admin"] = UserFactory.create(username="t_sales_admin", roles=[Role.SALES_ADMIN])
    return team


@pytest.fixture
def customer(people) -> Customer:
    return CustomerFactory.create(name="上海甲乙科技有限公司", owner=people["s1"])


@pytest.fixture
def postpaid(customer) -> Product:
    return ProductFactory.create(customer=customer, settlement=Settlement.POSTPAID)


@pytest.fixture
def prepaid(customer) -> Product:
    return ProductFactory.create(customer=customer, name="营销短信", settlement=Settlement.PREPAID)
