"""Automatic write-off of a matched deposit (DESIGN §5.4, cases/writeoff.yaml W01–W04), through the
hooks.DEPOSIT_MATCHED path the deposits import calls."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.billing.models import Bill
from sales_erp.deposits.models import Deposit
from sales_erp.workflow.models import ProcessInstance, Status, TaskStatus
from sales_erp.workflow.services import instance_approve
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import bills_with_open
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


def deposit_matched(deposit: Deposit) -> None:
    """What the deposits import does once a deposit is a customer's."""
    for path in hooks.DEPOSIT_MATCHED:
        import_string(path)(deposit=deposit)


def open_by_period(customer) -> dict[str, Decimal]:
    return {
        f"{b.period:%Y-%m}": b.open_amount  # type: ignore[attr-defined]
        for b in bills_with_open(Bill.objects.filter(customer=customer)).order_by("period")
    }


def pending(instance: ProcessInstance) -> list[str]:
    return sorted(
        t.assignee.username for t in instance.tasks.filter(status=TaskStatus.PENDING).select_related("assignee")
    )


def test_W01_oldest_first_stop_at_first_uncovered(people, customer, postpaid):
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    bill_make(product=postpaid, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    bill_make(product=postpaid, period="2026-10", bill_date=date(2026, 11, 5), amount="200.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="850.00")

    deposit_matched(deposit)

    deposit.refresh_from_db()
    assert deposit.available == Decimal("50.00")
    assert open_by_period(customer) == {
        "2026-08": Decimal("0.00"),
        "2026-09": Decimal("0.00"),
        "2026-10": Decimal("200.00"),
    }
    write_off = WriteOff.objects.get()
    assert (write_off.auto, write_off.status, write_off.total) == (True, WriteOffStatus.RESERVED, Decimal("800.00"))
    assert sorted((f"{a.bill.period:%Y-%m}", a.amount) for a in Allocation.objects.all()) == [
        ("2026-08", Decimal("500.00")),
        ("2026-09", Decimal("300.00")),
    ]
    instance = write_off.process
    assert instance.status == Status.RUNNING and instance.current_node_name == "销售确认"
    assert instance.form_data["auto_write_off"] == "1" and instance.form_data["note"] == "自动销账流程"
    auto = [(e.node_name, e.opinion) for e in instance.timeline.filter(action="auto_pass")]
    assert auto == [
        ("销售事业部总", "满足条件: 自动销账 = 1，系统自动通过"),
        ("财务(总部)", "满足条件: 自动销账 = 1，系统自动通过"),
    ]
    assert pending(instance) == ["t_sales1"]
    # Nothing is final before the salesperson confirms.
    assert sorted(Bill.objects.values_list("written_off_amount", flat=True)) == [0, 0, 0]

    instance_approve(instance=instance, user=people["s1"], opinion="确认")

    write_off.refresh_from_db()
    assert write_off.status == WriteOffStatus.POSTED
    assert dict(Bill.objects.values_list("period", "written_off_amount")) == {
        date(2026, 8, 1): Decimal("500.00"),
        date(2026, 9, 1): Decimal("300.00"),
        date(2026, 10, 1): Decimal("0.00"),
    }
    assert open_by_period(customer)["2026-10"] == Decimal("200.00")
    deposit.refresh_from_db()
    assert deposit.available == Decimal("50.00")


def test_W02_deposit_smaller_than_oldest_open_bill(people, customer, postpaid):
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="400.00")

    deposit_matched(deposit)

    deposit.refresh_from_db()
    assert deposit.available == Decimal("400.00")
    assert not WriteOff.objects.exists() and not ProcessInstance.objects.filter(code="write_off").exists()
    assert open_by_period(customer) == {"2026-08": Decimal("500.00")}


def test_W03_prepaid_bill_deposit_after_bill_date_not_auto(people, customer, prepaid):
    bill_make(product=prepaid, period="2026-10", bill_date=date(2026, 11, 5), amount="300.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 20), amount="1000.00")

    deposit_matched(deposit)

    deposit.refresh_from_db()
    assert deposit.available == Decimal("1000.00")
    assert not WriteOff.objects.exists()
    assert open_by_period(customer) == {"2026-10": Decimal("300.00")}


def test_W04_postpaid_bill_deposit_after_bill_date_written_off(people, customer, postpaid):
    bill_make(product=postpaid, period="2026-10", bill_date=date(2026, 11, 5), amount="300.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 20), amount="1000.00")

    deposit_matched(deposit)

    deposit.refresh_from_db()
    assert deposit.available == Decimal("700.00")
    assert open_by_period(customer) == {"2026-10": Decimal("0.00")}
    write_off = WriteOff.objects.get()
    instance_approve(instance=write_off.process, user=people["s1"])
    assert Bill.objects.get().written_off_amount == Decimal("300.00")


def test_prepaid_bill_paid_before_its_bill_date_is_auto_written_off(people, customer, prepaid):
    bill_make(product=prepaid, period="2026-10", bill_date=date(2026, 11, 5), amount="300.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 5), amount="300.00")
    deposit_matched(deposit)
    deposit.refresh_from_db()
    assert deposit.available == Decimal("0.00")


def test_an_unreconciled_bill_is_not_written_off(people, customer, postpaid):
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00", status="issued")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="850.00")
    deposit_matched(deposit)
    assert not WriteOff.objects.exists()


def test_a_pool_customers_deposit_waits_for_a_salesperson(people, postpaid):
    from tests.factories import CustomerFactory

    pool = CustomerFactory.create(owner=None, tier="pool")
    product = type(postpaid).objects.create(
        customer=pool,
        name="行业短信",
        kind=postpaid.kind,
        bill_type=postpaid.bill_type,
        bill_day=5,
        payment_term_months=1,
        settlement=postpaid.settlement,
    )
    bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount="100.00")
    deposit = deposit_make(customer=pool, received_on=date(2026, 11, 10), amount="100.00")
    deposit_matched(deposit)
    assert not WriteOff.objects.exists()


def test_the_write_off_page_shows_one_note(client, people, customer, postpaid):
    """The write_off form has its own 备注 (the system's note): the start's empty 备注 is not shown beside it."""
    from sales_erp.writeoffs.services import AUTO_NOTE, write_off_auto

    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    write_off_auto(deposit=deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="500.00"))
    instance = ProcessInstance.objects.get(customer=customer)
    client.force_login(people["s1"])
    html = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    form = html.split("<h2>表单</h2>")[1].split("</dl>")[0]
    assert form.count("<dt>备注</dt>") == 1
    assert AUTO_NOTE in form
