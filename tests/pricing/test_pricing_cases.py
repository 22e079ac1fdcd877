"""The worked cases P01–P12 (pricing.yaml), values copied here: each test carries its case ID.

P01–P10 price a count with one schedule (the quote calculator's service, which the bill run shares);
P11–P12 bill a month of daily usage through the bill run.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill, NoBillCode, NoBillReason
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.pricing.price_models import Tier
from sales_erp.pricing.quotes import quote_compute
from tests.factories import AccountFactory, schedule_active

TIERS_ABC = (
    Tier(0, 10000, Decimal("0.045")),
    Tier(10000, 50000, Decimal("0.040")),
    Tier(50000, None, Decimal("0.035")),
)


def uniform(price: str, count: int) -> Decimal:
    return quote_compute(price_type="uniform", tiers=[Tier(0, None, Decimal(price))], count=count).amount


def test_P01_manual_statement_line():
    assert uniform("0.04", 14) == Decimal("0.56")


def test_P02_six_decimal_unit_price():
    assert uniform("0.034567", 12345) == Decimal("426.73")  # 426.729615


def test_P03_half_up_not_half_even():
    assert uniform("0.0125", 10) == Decimal("0.13")  # 0.125 -> 0.13


def test_P04_no_float_drift():
    assert uniform("0.005", 201) == Decimal("1.01")  # exactly 1.005 -> 1.01


def test_P05_stage_all_units_at_the_tier_reached():
    assert quote_compute(price_type="stage", tiers=TIERS_ABC, count=12345).amount == Decimal("493.80")


def test_P06_stage_boundary_belongs_to_the_upper_tier():
    assert quote_compute(price_type="stage", tiers=TIERS_ABC, count=10000).amount == Decimal("400.00")


def test_P07_stage_just_under_the_boundary():
    assert quote_compute(price_type="stage", tiers=TIERS_ABC, count=9999).amount == Decimal("449.96")  # 449.955


def test_P08_graduated():
    assert quote_compute(price_type="graduated", tiers=TIERS_ABC, count=12345).amount == Decimal("543.80")


def test_P09_graduated_across_three_tiers():
    assert quote_compute(price_type="graduated", tiers=TIERS_ABC, count=60000).amount == Decimal("2400.00")


def test_P10_graduated_at_the_boundary():
    assert quote_compute(price_type="graduated", tiers=TIERS_ABC, count=10000).amount == Decimal("450.00")


def november_daily_usage(code: str, count: int = 100) -> None:
    usage_push(
        rows=[
            {"day": date(2026, 11, 1) + timedelta(days=i), "account": code, "carrier": "移动", "billable": count}
            for i in range(30)
        ],
        user=None,
    )


@pytest.mark.django_db
def test_P11_month_split_between_two_uniform_schedules():
    account = AccountFactory.create(code="P11A")
    schedule_active(product=account.product, price="0.05", valid_from=date(2026, 11, 1), valid_to=date(2026, 11, 15))
    schedule_active(product=account.product, price="0.04", valid_from=date(2026, 11, 16), valid_to=date(2026, 11, 30))
    november_daily_usage("P11A")

    bill_run(month="2026-11", day=date(2026, 12, 28))

    bill = Bill.objects.get(product=account.product)
    assert (bill.count, bill.amount) == (3000, Decimal("135.00"))  # 1500*0.05 + 1500*0.04
    [line] = bill.lines.all()
    assert sorted((t.count, t.price) for t in line.tiers.all()) == [(1500, Decimal("0.04")), (1500, Decimal("0.05"))]
    assert line.unit_price == Decimal("0.045000")


@pytest.mark.django_db
def test_P12_no_schedule_for_part_of_the_month_means_no_bill_no_price():
    account = AccountFactory.create(code="P12A")
    schedule_active(product=account.product, price="0.05", valid_from=date(2026, 11, 1), valid_to=date(2026, 11, 20))
    november_daily_usage("P12A")

    report = bill_run(month="2026-11", day=date(2026, 12, 28))

    assert not Bill.objects.exists()
    reason = NoBillReason.objects.get(product=account.product)
    assert reason.code == NoBillCode.NO_PRICE
    assert reason.get_code_display() == "产品当月没有调价"
    assert reason.detail == "2026-11-21 至 2026-11-30 没有生效的调价"
    assert (report["billed"], report["no_bill"]) == (0, 1)
