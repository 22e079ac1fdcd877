"""账期更改流程 (payment_term, manual V17) through the desk: 部门领导 → 财务; on archive the product's term is
the new one, bills not fully written off are due their bill date + the new term (history says why), fully
written-off bills keep theirs, and new bills use the new term. A 13-month term is refused; reject changes nothing."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from sales_erp.billing.models import Bill
from sales_erp.billing.services import bill_generate, usage_push
from sales_erp.customers.models import BillType
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import AccountFactory, ProductFactory, UserFactory, sales_team, schedule_active
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    team = sales_team()
    team["finance"] = UserFactory.create(username="t_pt_fin", roles=[Role.FINANCE])
    team["outsider"] = UserFactory.create(username="t_pt_outsider", roles=[Role.SALES])
    return team


@pytest.fixture
def product(people):
    product = ProductFactory.create(
        customer__owner=people["s1"], bill_type=BillType.MANUAL, bill_day=5, payment_term_months=1
    )
    AccountFactory.create(product=product, code="PT001")
    return product


def bill(product, period: date, *, amount: str, written_off: str) -> Bill:
    bill_date = date(period.year + period.month // 12, period.month % 12 + 1, 5)
    due = date(bill_date.year + bill_date.month // 12, bill_date.month % 12 + 1, 5)
    return Bill.objects.create(
        name=f"账单-{period:%Y-%m}-PT001",
        product=product,
        customer=product.customer,
        period=period,
        bill_date=bill_date,
        due_date=due,
        amount=Decimal(amount),
        written_off_amount=Decimal(written_off),
        generated_at=timezone.now(),
    )


def url(product) -> str:
    return f"/desk/workflow/start/payment_term/?target={product.pk}"


def act(client, user, instance, action, **extra):
    client.force_login(user)
    return client.post(f"/desk/workflow/{instance.pk}/act/", {"action": action, **extra})


def start(client, people, product, months="3") -> ProcessInstance:
    client.force_login(people["s1"])
    response = client.post(url(product), {"payment_term_months": months, "note": "合同约定按季度付款"})
    assert response.status_code == 302, html.unescape(response.content.decode())
    return ProcessInstance.objects.get(code="payment_term")


def test_payment_term_walks_leader_and_finance_and_moves_open_bills(client, people, product):
    open_bill = bill(product, date(2026, 9, 1), amount="100.00", written_off="40.00")
    unpaid = bill(product, date(2026, 10, 1), amount="80.00", written_off="0.00")
    paid = bill(product, date(2026, 8, 1), amount="50.00", written_off="50.00")
    client.force_login(people["s1"])
    page = html.unescape(client.get(url(product)).content.decode())
    assert "发起账期更改流程" in page and "当前账期：1 个月；最多不超过 12 个月" in page and "12 个月" in page

    instance = start(client, people, product)

    product.refresh_from_db()
    assert (instance.status, instance.form_data) == (
        Status.RUNNING,
        {"payment_term_months": 3, "note": "合同约定按季度付款"},
    )
    assert product.payment_term_months == 1  # nothing changes before the archive
    assert act(client, people["leader"], instance, "approve").status_code == 302
    assert pending(instance) == ["t_pt_fin"]
    assert act(client, people["finance"], instance, "approve", opinion="已核合同").status_code == 302

    instance.refresh_from_db()
    product.refresh_from_db()
    for b in (open_bill, unpaid, paid):
        b.refresh_from_db()
    assert instance.status == Status.ARCHIVED
    assert product.payment_term_months == 3
    assert (open_bill.bill_date, open_bill.due_date) == (date(2026, 10, 5), date(2027, 1, 5))
    assert (unpaid.bill_date, unpaid.due_date) == (date(2026, 11, 5), date(2027, 2, 5))
    assert paid.due_date == date(2026, 10, 5)  # fully written off: its cycle is over
    latest = open_bill.history.order_by("-history_id").first()
    assert (latest.due_date, latest.history_user, latest.history_change_reason) == (
        date(2027, 1, 5),
        people["finance"],
        f"账期更改流程 {instance.number}：账期改为 3 个月",
    )
    assert paid.history.count() == 1
    assert product.history.order_by("-history_id").first().history_change_reason == latest.history_change_reason


def test_new_bills_use_the_new_term(client, people, product):
    schedule_active(product=product, price="0.04")
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "PT001", "billable": 10}], user=None)
    instance = start(client, people, product, months="6")
    act(client, people["leader"], instance, "approve")
    act(client, people["finance"], instance, "approve")

    new = bill_generate(product=product, period="2026-10", user=None)

    assert (new.bill_date, new.due_date) == (date(2026, 11, 5), date(2027, 5, 5))


def test_a_shorter_term_brings_open_bills_forward_too(client, people, product):
    product.payment_term_months = 3
    product.save(update_fields=["payment_term_months"])
    open_bill = bill(product, date(2026, 10, 1), amount="80.00", written_off="0.00")
    open_bill.due_date = date(2027, 2, 5)
    open_bill.save(update_fields=["due_date"])

    instance = start(client, people, product, months="1")
    act(client, people["leader"], instance, "approve")
    act(client, people["finance"], instance, "approve")

    open_bill.refresh_from_db()
    assert open_bill.due_date == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("months", "error"),
    [
        ("13", "新账单周期为 1–12 个月，不能是 13"),
        ("0", "新账单周期为 1–12 个月，不能是 0"),
        ("", "新账单周期请选择 1–12 个月"),
        ("1", "产品 {code} 的账期已是 1 个月，请选择新的账单周期"),
    ],
)
def test_a_term_out_of_range_or_unchanged_is_refused_and_nothing_changes(client, people, product, months, error):
    open_bill = bill(product, date(2026, 10, 1), amount="80.00", written_off="0.00")
    client.force_login(people["s1"])
    before = state()

    response = client.post(url(product), {"payment_term_months": months, "note": "合同约定"})

    assert response.status_code == 400
    assert response.context["form"].errors["payment_term_months"] == [error.format(code=product.code)]
    assert state() == before
    product.refresh_from_db()
    open_bill.refresh_from_db()
    assert (product.payment_term_months, open_bill.due_date) == (1, date(2026, 12, 5))


def test_the_note_is_required(client, people, product):
    client.force_login(people["s1"])
    response = client.post(url(product), {"payment_term_months": "3", "note": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["note"] == ["请填写备注：简要说明合同约定的付款周期"]
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()


def test_reject_and_withdraw_change_nothing(client, people, product):
    open_bill = bill(product, date(2026, 10, 1), amount="80.00", written_off="0.00")
    instance = start(client, people, product)
    act(client, people["leader"], instance, "approve")
    assert act(client, people["finance"], instance, "reject", opinion="缺合同").status_code == 302
    assert act(client, people["s1"], instance, "withdraw").status_code == 302

    instance.refresh_from_db()
    product.refresh_from_db()
    open_bill.refresh_from_db()
    assert instance.status == Status.WITHDRAWN
    assert (product.payment_term_months, open_bill.due_date) == (1, date(2026, 12, 5))


def test_another_salespersons_product_is_404(client, people, product):
    client.force_login(people["outsider"])
    assert client.get(url(product)).status_code == 404
    assert client.post(url(product), {"payment_term_months": "3", "note": "x"}).status_code == 404
    product.refresh_from_db()
    assert product.payment_term_months == 1
