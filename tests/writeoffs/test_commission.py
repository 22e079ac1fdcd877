"""提成依据: archived write-offs per salesperson per month with interest beside them; XLSX with real numbers."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sales_erp.workflow.services import instance_approve
from sales_erp.writeoffs import services
from sales_erp.writeoffs.interest import interest_run
from sales_erp.writeoffs.models import InterestKind, InterestRate
from tests.factories import CustomerFactory, ProductFactory
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


def archived_write_off(people, customer, amount: str, day: date, monkeypatch) -> None:
    product = ProductFactory.create(customer=customer)
    bill = bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount=amount)
    deposit = deposit_make(customer=customer, received_on=day, amount=amount)
    monkeypatch.setattr(services, "today", lambda: day)
    instance = services.write_off_start(
        user=customer.owner,
        customer=customer,
        bills=[(bill.pk, Decimal(amount))],
        deposits=[(deposit.pk, Decimal(amount))],
    )
    for user in (people["director"], people["hq"], customer.owner):
        instance = instance_approve(instance=instance, user=user)


@pytest.fixture
def report(people, customer, monkeypatch):
    InterestRate.objects.create(
        kind=InterestKind.PENALTY, monthly_rate=Decimal("0.015"), effective_from=date(2026, 1, 1)
    )
    archived_write_off(people, customer, "1000.00", date(2026, 10, 20), monkeypatch)
    archived_write_off(people, customer, "250.50", date(2026, 10, 25), monkeypatch)
    theirs = CustomerFactory.create(owner=people["s2"])
    archived_write_off(people, theirs, "77.00", date(2026, 11, 3), monkeypatch)
    overdue = bill_make(
        product=ProductFactory.create(customer=customer),
        period="2026-09",
        bill_date=date(2026, 9, 5),
        amount="10000.00",
    )
    interest_run(day=date(2026, 11, 1))
    services.write_off_start(  # running, not archived: not counted
        user=people["s1"],
        customer=customer,
        bills=[(overdue.pk, Decimal("10.00"))],
        deposits=[
            (deposit_make(customer=customer, received_on=date(2026, 10, 1), amount="10.00").pk, Decimal("10.00"))
        ],
    )
    return people


def test_salesperson_sees_own_rows_only(client, report):
    client.force_login(report["s1"])
    rows = client.get("/desk/writeoffs/commission/", follow=True).context["report"].rows()
    rows = [
        (f"{r['month']:%Y-%m}", r["salesperson"], r["write_off_count"], r["written_off"], r["penalty"]) for r in rows
    ]
    # Penalty: the overdue 10000.00 bill's October (130.00) plus the two bills written off late in October:
    # 1000.00 × 0.015 / 30 × 14 days (Oct 6..19) = 7.00 and 250.50 × 0.0005 × 19 days = 2.38.
    assert rows == [("2026-10", str(report["s1"]), 2, Decimal("1250.50"), Decimal("139.38"))]


def test_finance_sees_everyone_and_exports_xlsx_with_numbers(client, report):
    client.force_login(report["finance"])
    response = client.get("/desk/writeoffs/commission/?export=xlsx")  # the old address forwards to the report
    assert response.status_code == 302 and response["Location"] == "/desk/reports/commission/?format=xlsx"
    response = client.get(response["Location"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("月份", "销售", "销账笔数", "销账金额(元)", "计息(元)", "罚息(元)")
    # s2's 77.00 bill was written off on Nov 3: 26 days of October at 77.00 × 0.0005 = 1.00 penalty.
    assert sorted((f"{v[0]:%Y-%m}", *v[1:]) for v in values[1:-1]) == sorted(
        [
            ("2026-10", str(report["s1"]), 2, 1250.5, 0, 139.38),
            ("2026-10", str(report["s2"]), 0, 0, 0, 1),
            ("2026-11", str(report["s2"]), 1, 77, 0, 0),
        ]
    )
    assert values[-1] == ("合计", None, 3, 1327.5, 0, 140.38)
    assert sheet["D2"].number_format == "#,##0.00"


def test_a_reversed_write_off_leaves_the_commission_basis(client, report):
    from sales_erp.writeoffs.models import WriteOff

    write_off = WriteOff.objects.get(total=Decimal("250.50"))
    services.write_off_reverse(write_off=write_off, user=report["finance"], reason="退款")
    client.force_login(report["s1"])
    rows = client.get("/desk/writeoffs/commission/?from=2026-10&to=2026-10", follow=True).context["report"].rows()
    assert [(r["write_off_count"], r["written_off"]) for r in rows] == [(1, Decimal("1000.00"))]
