"""Prepaid fixtures: a salesperson's prepaid product with one account, and the 销管 and 财务 who approve."""

from __future__ import annotations

import pytest

from sales_erp.customers.models import Account, Settlement
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, sales_team


@pytest.fixture
def people(db) -> dict[str, User]:
    team = sales_team()
    team["sales_admin"] = UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    team["finance"] = UserFactory.create(username="t_finance", roles=[Role.FINANCE])
    return team


@pytest.fixture
def account(people) -> Account:
    customer = CustomerFactory.create(name="上海预付科技有限公司", owner=people["s1"])
    product = ProductFactory.create(customer=customer, settlement=Settlement.PREPAID)
    return AccountFactory.create(product=product, code="YF0001")
