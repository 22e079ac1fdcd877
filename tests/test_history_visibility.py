"""DESIGN §1 on the audit trail: one historical version of a record (simple_history's
…/<id>/history/<version>/ page) is 404 for a user who may not see the record, like its change page."""

from __future__ import annotations

import pytest

from sales_erp.customers.models import Customer
from tests.factories import CustomerFactory, sales_team

pytestmark = pytest.mark.django_db


def test_a_hidden_customers_history_version_is_404(client):
    team = sales_team()
    customer = CustomerFactory.create(name="上海甲乙科技有限公司", owner=team["s1"])
    version = Customer.history.filter(id=customer.pk).latest("history_id").history_id
    base = f"/desk/customers/customer/{customer.pk}"

    client.force_login(team["s1"])
    assert client.get(f"{base}/history/{version}/").status_code == 200

    client.force_login(team["s2"])
    assert client.get(f"{base}/change/").status_code == 404
    assert client.get(f"{base}/history/").status_code == 404
    page = client.get(f"{base}/history/{version}/")
    assert page.status_code == 404
    assert "上海甲乙科技有限公司" not in page.content.decode()


def test_a_hidden_bills_history_version_is_404(client):
    """Bill's desk page hides other salespeople's bills by its queryset only; the version page read past it."""
    from datetime import date

    from sales_erp.billing.models import Bill
    from tests.factories import ProductFactory
    from tests.writeoffs.factories import bill_make

    team = sales_team()
    customer = CustomerFactory.create(name="上海甲乙科技有限公司", owner=team["s1"])
    product = ProductFactory.create(customer=customer)
    bill = bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    version = Bill.history.filter(id=bill.pk).latest("history_id").history_id
    url = f"/desk/billing/bill/{bill.pk}/history/{version}/"

    client.force_login(team["s1"])
    assert client.get(url).status_code == 200
    client.force_login(team["s2"])
    assert client.get(f"/desk/billing/bill/{bill.pk}/change/").status_code == 404
    assert client.get(url).status_code == 404
