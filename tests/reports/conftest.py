"""The report tests' people and data: salespeople s1 and s2 under a leader, a finance clerk; customers
甲 (s1) and 乙 (s2); records made directly, as the processes and jobs would leave them."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer, Product
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import CustomerFactory, ProductFactory, UserFactory, sales_team


@pytest.fixture
def people() -> dict[str, User]:
    team = sales_team()
    team["finance"] = UserFactory.create(username="t_finance", roles=[Role.FINANCE])
    return team


@pytest.fixture
def jia(people) -> Customer:
    return CustomerFactory.create(name="上海甲科技有限公司", owner=people["s1"])


@pytest.fixture
def yi(people) -> Customer:
    return CustomerFactory.create(name="北京乙信息有限公司", owner=people["s2"])


def product_of(customer: Customer) -> Product:
    """A new product each time: a product has one bill per month."""
    return ProductFactory.create(customer=customer)


def bill_make(
    customer: Customer,
    *,
    amount: str,
    due: date,
    period: date = date(2026, 8, 1),
    written_off: str = "0",
    invoiced: str = "0",
    count: int = 0,
    status: str = BillStatus.RECONCILED,
) -> Bill:
    product = product_of(customer)
    return Bill.objects.create(
        name=f"账单-{period:%Y-%m}-{product.code}",
        product=product,
        customer=customer,
        period=period,
        bill_date=period,
        due_date=due,
        count=count,
        amount=Decimal(amount),
        written_off_amount=Decimal(written_off),
        invoiced_amount=Decimal(invoiced),
        status=status,
        generated_at=timezone.now(),
    )


def archived_process(code: str, user: User, customer: Customer) -> ProcessInstance:
    return ProcessInstance.objects.create(
        code=code, title=f"{code} {customer}", initiator=user, customer=customer, status=Status.ARCHIVED
    )


def csv_rows(response: Any) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
