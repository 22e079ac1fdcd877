"""The set-based automatic write-off of a whole import (batch.write_off_auto_many) leaves exactly what the
one-deposit path (services.write_off_auto, through instance_start) leaves: same money, same instance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill
from sales_erp.messaging.models import Message
from sales_erp.workflow.models import ProcessInstance, Status, TaskStatus
from sales_erp.workflow.services import instance_approve
from sales_erp.writeoffs.batch import write_off_auto_many
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import bills_with_open
from sales_erp.writeoffs.services import write_off_auto
from tests.factories import CustomerFactory, ProductFactory
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


def books(customer, product):
    bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    bill_make(product=product, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    bill_make(product=product, period="2026-10", bill_date=date(2026, 11, 5), amount="200.00")
    return deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="850.00")


def picture(customer) -> dict:
    instance = ProcessInstance.objects.get(customer=customer)
    return {
        "open": sorted(bills_with_open(Bill.objects.filter(customer=customer)).values_list("period", "open_amount")),  # type: ignore[misc]
        "available": sorted(customer.deposits.values_list("available", flat=True)),
        "allocations": sorted(
            Allocation.objects.filter(write_off__customer=customer).values_list("bill__period", "amount", "status")
        ),
        "instance": (instance.status, instance.current_node_name, instance.by_system, instance.title),
        "form": {k: v for k, v in instance.form_data.items() if k not in ("bills", "deposits")},
        "bills_table": [{k: v for k, v in r.items() if k not in ("bill", "name")} for r in instance.form_data["bills"]],
        "timeline": [(e.action, e.actor_id, e.role, e.node_name, e.opinion) for e in instance.timeline.order_by("pk")],
        "tasks": [(t.node_name, t.assignee_id, t.status) for t in instance.tasks.all()],
        "messages": sorted(
            Message.objects.filter(target_id=instance.pk).values_list("recipient", "kind", "body", "target_type")
        ),
        "titles": [m.title.replace(customer.name, "#") for m in Message.objects.filter(target_id=instance.pk)],
        "links": [m.link.replace(str(instance.pk), "#") for m in Message.objects.filter(target_id=instance.pk)],
        "number": instance.number.replace(f"{instance.pk:06d}", "#") if instance.number else None,
        "deposits_table": [
            {k: v for k, v in r.items() if k not in ("deposit", "payer")} for r in instance.form_data["deposits"]
        ],
    }


def test_the_batch_equals_the_single_deposit_path(people, customer, postpaid):
    one = books(customer, postpaid)
    write_off_auto(deposit=one)
    single = picture(customer)

    other = CustomerFactory.create(name="上海甲乙科技有限公司二", owner=people["s1"])
    many = books(other, ProductFactory.create(customer=other))
    assert write_off_auto_many(deposits=[many]) == 1
    batch = picture(other)

    single["instance"] = single["instance"][:3]
    batch["instance"] = batch["instance"][:3]
    assert batch["timeline"][0][4] == single["timeline"][0][4]
    assert batch == single
    assert batch["available"] == [Decimal("50.00")]
    # The audit trail is written for the bulk rows too.
    instance = ProcessInstance.objects.get(customer=other)
    assert instance.history.count() == 1
    assert WriteOff.objects.get(customer=other).history.count() == 1
    assert [h.available for h in many.history.order_by("history_id")] == [Decimal("850.00"), Decimal("50.00")]


def test_a_batch_of_several_deposits_of_one_customer_uses_each_in_turn(people, customer, postpaid):
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    bill_make(product=postpaid, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    first = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="600.00")
    second = deposit_make(customer=customer, received_on=date(2026, 11, 11), amount="300.00")
    assert write_off_auto_many(deposits=[second, first]) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.available, second.available) == (Decimal("100.00"), Decimal("0.00"))
    for write_off in WriteOff.objects.all():
        instance_approve(instance=write_off.process, user=people["s1"])
    assert sorted(Bill.objects.values_list("written_off_amount", flat=True)) == [Decimal("300.00"), Decimal("500.00")]
    assert set(WriteOff.objects.values_list("status", flat=True)) == {WriteOffStatus.POSTED}
    assert set(ProcessInstance.objects.values_list("status", flat=True)) == {Status.ARCHIVED}
    assert not Allocation.objects.filter(status="reserved").exists()
    assert ProcessInstance.objects.filter(tasks__status=TaskStatus.PENDING).count() == 0


BATCH_CALLS: list[list[int]] = []


def batch_probe(*, deposits) -> int:
    """hooks.DEPOSIT_MATCHED_MANY's write-off, recording each call's deposits."""
    BATCH_CALLS.append([d.pk for d in deposits])
    return write_off_auto_many(deposits=deposits)


def test_an_import_writes_off_the_whole_statement_in_one_batch_call(monkeypatch, people, customer, postpaid):
    from sales_erp import hooks
    from sales_erp.deposits.models import Deposit, ImportProfile
    from sales_erp.deposits.services import deposits_import

    BATCH_CALLS.clear()
    monkeypatch.setattr(
        hooks,
        "DEPOSIT_MATCHED_MANY",
        {"sales_erp.writeoffs.services.write_off_auto": "tests.writeoffs.test_batch.batch_probe"},
    )
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    bill_make(product=postpaid, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    statement = (
        "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"
        '20261110,10:00:00,,"600.00",上海甲乙科技有限公司,,S1,\n'
        '20261111,10:00:00,,"300.00",上海甲乙科技有限公司,,S2,\n'
        '20261111,11:00:00,,"70.00",无人认领有限公司,,S3,\n'
    ).encode("gbk")
    profile = ImportProfile.objects.get(code="debit-credit-columns-gbk")
    deposits_import(data=statement, name="s.csv", profile=profile, user=None)

    matched = list(Deposit.objects.filter(customer=customer).order_by("pk"))
    assert [[d.pk for d in matched]] == BATCH_CALLS
    assert [d.available for d in matched] == [Decimal("100.00"), Decimal("0.00")]
    assert sorted(WriteOff.objects.values_list("total", flat=True)) == [Decimal("300.00"), Decimal("500.00")]
    instance = ProcessInstance.objects.filter(customer=customer).order_by("pk").first()
    assert instance is not None and instance.number == f"LC-{instance.submitted_at:%Y}-{instance.pk:06d}"
    assert [e.opinion for e in instance.timeline.order_by("pk")][1:] == [
        "满足条件: 自动销账 = 1，系统自动通过",
        "满足条件: 自动销账 = 1，系统自动通过",
    ]
    assert list(instance.tasks.values_list("assignee", flat=True)) == [people["s1"].pk]


def test_a_definition_that_copies_people_in_at_start_goes_through_the_engine(people, customer, postpaid):
    """workflow.batch does not copy people in: with 抄送 at start each deposit takes instance_start's path."""
    from sales_erp.workflow.models import Action, CcWhen, ProcessDefinition

    ProcessDefinition.objects.filter(code="write_off").update(cc_when=CcWhen.START, cc_superior=True)
    deposit = books(customer, postpaid)
    assert write_off_auto_many(deposits=[deposit]) == 1
    instance = ProcessInstance.objects.get(customer=customer)
    assert instance.status == Status.RUNNING and instance.by_system
    assert instance.timeline.filter(action=Action.CC).exists()
    deposit.refresh_from_db()
    assert deposit.available == Decimal("50.00")


def test_a_deposit_whose_salesperson_has_left_keeps_its_balance(people, customer, postpaid):
    deposit = books(customer, postpaid)
    people["s1"].is_active = False
    people["s1"].save()
    assert write_off_auto_many(deposits=[deposit]) == 0
    deposit.refresh_from_db()
    assert deposit.available == Decimal("850.00")
    assert not ProcessInstance.objects.filter(customer=customer).exists()
