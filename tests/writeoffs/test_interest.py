"""Penalty interest (DESIGN §5.6, cases/interest.yaml I01–I06): monthly rate 0.015, fund month 30 days,
daily accrual = open amount × rate / 30 from the day after the due date, one entry per bill per month."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sales_erp.workflow.services import instance_approve
from sales_erp.writeoffs import services
from sales_erp.writeoffs.interest import interest_run
from sales_erp.writeoffs.models import InterestEntry, InterestExemptAccount, InterestKind, InterestRate
from tests.factories import AccountFactory, ProductFactory
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate():
    return InterestRate.objects.create(
        kind=InterestKind.PENALTY, monthly_rate=Decimal("0.015"), effective_from=date(2026, 1, 1)
    )


def bill_of(customer, term=1, settlement="postpaid"):
    product = ProductFactory.create(customer=customer, payment_term_months=term, settlement=settlement)
    return bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount="10000.00")


def accrual(bill) -> dict[str, Decimal]:
    return {f"{e.month:%Y-%m}": e.amount for e in InterestEntry.objects.filter(bill=bill, kind=InterestKind.PENALTY)}


def test_I01_one_month_term_first_partial_month(rate, customer):
    bill = bill_of(customer)
    assert bill.due_date == date(2026, 10, 5)
    interest_run(day=date(2026, 11, 1))
    assert accrual(bill) == {"2026-10": Decimal("130.00")}
    entry = InterestEntry.objects.get(bill=bill)
    assert (entry.days, entry.salesperson, entry.through) == (26, customer.owner, date(2026, 10, 31))


def test_I02_a_full_overdue_month(rate, customer):
    bill = bill_of(customer)
    interest_run(day=date(2026, 12, 1))
    assert accrual(bill)["2026-11"] == Decimal("150.00")


def test_I03_written_off_in_full_on_nov_10_accrues_nov_1_to_9(rate, people, customer, monkeypatch):
    bill = bill_of(customer)
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="10000.00")
    monkeypatch.setattr(services, "today", lambda: date(2026, 11, 10))
    instance = services.write_off_start(
        user=people["s1"],
        customer=customer,
        bills=[(bill.pk, Decimal("10000.00"))],
        deposits=[(deposit.pk, Decimal("10000.00"))],
    )
    for user in (people["director"], people["hq"], people["s1"]):
        instance = instance_approve(instance=instance, user=user)
    interest_run(day=date(2027, 1, 1))
    found = accrual(bill)
    assert found["2026-11"] == Decimal("45.00")
    assert found.get("2026-12", Decimal("0.00")) == Decimal("0.00")
    assert found["2026-10"] == Decimal("130.00")


def test_a_write_off_awaiting_approval_still_accrues(rate, people, customer):
    bill = bill_of(customer)
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="10000.00")
    services.write_off_start(
        user=people["s1"],
        customer=customer,
        bills=[(bill.pk, Decimal("10000.00"))],
        deposits=[(deposit.pk, Decimal("10000.00"))],
    )
    interest_run(day=date(2026, 12, 1))
    assert accrual(bill)["2026-11"] == Decimal("150.00")


def test_I04_payment_term_three_months(rate, customer):
    bill = bill_of(customer, term=3)
    assert bill.due_date == date(2026, 12, 5)
    interest_run(day=date(2027, 1, 1))
    found = accrual(bill)
    assert found.get("2026-10", Decimal("0.00")) == Decimal("0.00")
    assert found.get("2026-11", Decimal("0.00")) == Decimal("0.00")
    assert found["2026-12"] == Decimal("130.00")


def test_I05_interest_exempt_account(rate, customer, people):
    bill = bill_of(customer)
    InterestExemptAccount.objects.create(
        account=AccountFactory.create(product=bill.product), added_by=people["sales_admin"]
    )
    interest_run(day=date(2026, 12, 1))
    assert accrual(bill) == {}


def test_I06_rerunning_a_month_changes_nothing(rate, customer):
    bill = bill_of(customer)
    interest_run(day=date(2026, 11, 1))
    interest_run(day=date(2026, 11, 1))
    assert InterestEntry.objects.filter(bill=bill, month=date(2026, 10, 1)).count() == 1
    assert accrual(bill) == {"2026-10": Decimal("130.00")}


def test_running_daily_gives_the_same_entries_as_running_once(rate, customer, people, monkeypatch):
    bill = bill_of(customer)
    second = bill_of(customer)
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="4000.00")
    monkeypatch.setattr(services, "today", lambda: date(2026, 11, 20))
    instance = services.write_off_start(
        user=people["s1"],
        customer=customer,
        bills=[(second.pk, Decimal("4000.00"))],
        deposits=[(deposit.pk, Decimal("4000.00"))],
    )
    for user in (people["director"], people["hq"], people["s1"]):
        instance = instance_approve(instance=instance, user=user)
    interest_run(day=date(2027, 1, 2))
    once = sorted(InterestEntry.objects.values_list("bill", "month", "days", "amount"))
    InterestEntry.objects.all().delete()
    from sales_erp.writeoffs.models import InterestRun

    InterestRun.objects.all().delete()
    day = date(2026, 10, 1)
    while day <= date(2027, 1, 2):
        interest_run(day=day)
        day += timedelta(days=1)
    assert sorted(InterestEntry.objects.values_list("bill", "month", "days", "amount")) == once
    # 6000 open from Nov 20 on: Nov 1..19 at 5.00 a day, Nov 20..30 at 3.00.
    assert accrual(second)["2026-11"] == Decimal("128.00")
    assert accrual(bill)["2026-12"] == Decimal("155.00")


def test_prepaid_bills_accrue_no_penalty(rate, customer):
    bill = bill_of(customer, settlement="prepaid")
    interest_run(day=date(2026, 12, 1))
    assert accrual(bill) == {}


def test_a_rate_change_applies_from_its_day(rate, customer):
    InterestRate.objects.create(
        kind=InterestKind.PENALTY, monthly_rate=Decimal("0.03"), effective_from=date(2026, 11, 16)
    )
    bill = bill_of(customer)
    interest_run(day=date(2026, 12, 1))
    assert accrual(bill)["2026-11"] == Decimal("225.00")  # 15 days × 5 + 15 days × 10
