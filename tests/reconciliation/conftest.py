"""Bills as the manual draws them (账单-2019-11/10/09-8560 of 3, 11 and 57 units at 0.04) and the
people who act on a reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from sales_erp.billing.models import Bill, BillLine, Carrier
from sales_erp.customers.models import Customer, Product
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, sales_team


def bill_make(*, product: Product, period: date, count: int, amount: str, name: str = "") -> Bill:
    """A 未对账 bill with one line, as the bill run leaves it."""
    account = product.accounts.first() or AccountFactory.create(product=product)
    bill = Bill.objects.create(
        name=name or f"账单-{period:%Y-%m}-{account.code}",
        product=product,
        customer=product.customer,
        period=period,
        bill_date=date(period.year + period.month // 12, period.month % 12 + 1, 5),
        due_date=date(period.year + period.month // 12, period.month % 12 + 1, 28),
        count=count,
        amount=Decimal(amount),
        generated_at=timezone.now(),
    )
    price = (Decimal(amount) / count).quantize(Decimal("0.000001")) if count else Decimal(0)
    BillLine.objects.create(
        bill=bill, account=account, carrier=Carrier.NONE, count=count, unit_price=price, amount=Decimal(amount)
    )
    return bill


@dataclass
class Manual:
    customer: Customer
    product: Product
    nov: Bill
    oct: Bill
    sep: Bill
    sales: User
    other_sales: User
    ops: User
    finance: User


@pytest.fixture
def manual(db) -> Manual:
    team = sales_team()
    customer = CustomerFactory.create(name="上海甲乙科技有限公司", owner=team["s1"])
    product = ProductFactory.create(customer=customer, name="行业短信")
    AccountFactory.create(product=product, code="8560")
    return Manual(
        customer=customer,
        product=product,
        nov=bill_make(product=product, period=date(2019, 11, 1), count=3, amount="0.12"),
        oct=bill_make(product=product, period=date(2019, 10, 1), count=11, amount="0.44"),
        sep=bill_make(product=product, period=date(2019, 9, 1), count=57, amount="2.28"),
        sales=team["s1"],
        other_sales=team["s2"],
        ops=UserFactory.create(username="t_billing", roles=[Role.BILLING_EXPERT]),
        finance=UserFactory.create(username="t_finance", roles=[Role.FINANCE]),
    )
