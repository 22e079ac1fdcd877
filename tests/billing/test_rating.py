"""Rating one product-month (billing.rating): which schedule prices which day, tier positions across
schedules and accounts, per-carrier price lists, account precedence, international tables."""

from datetime import date, timedelta
from decimal import Decimal

from sales_erp.billing.models import NoBillCode
from sales_erp.billing.rating import NoBill, Rated, ScheduleTerms, Usage, needs_daily, product_month_rate
from sales_erp.pricing.price_models import Tier

NOV = date(2026, 11, 1)
ABC = (
    Tier(0, 10000, Decimal("0.045")),
    Tier(10000, 50000, Decimal("0.040")),
    Tier(50000, None, Decimal("0.035")),
)


def terms(pk, price_type="uniform", tiers=None, *, start=NOV, end=date(2026, 11, 30), account=None, carriers=None):
    groups = carriers or {"": tiers or (Tier(0, None, Decimal("0.04")),)}
    return ScheduleTerms(pk=pk, account_id=account, price_type=price_type, valid_from=start, valid_to=end, tiers=groups)


def rate(schedules, usage, *, codes=None, intl=False) -> Rated | NoBill:
    return product_month_rate(
        period=NOV, intl=intl, account_codes=codes or {1: "A1", 2: "A2"}, schedules=schedules, usage=usage
    )


def test_graduated_running_total_crosses_a_schedule_change():
    # 1–15 Nov graduated ABC, 16–30 Nov graduated with cheaper tiers; 1,000 a day.
    cheaper = (Tier(0, 10000, Decimal("0.030")), Tier(10000, None, Decimal("0.020")))
    schedules = [
        terms(1, "graduated", ABC, end=date(2026, 11, 15)),
        terms(2, "graduated", cheaper, start=date(2026, 11, 16)),
    ]
    usage = [Usage(1, NOV + timedelta(days=i), "", "", 1000) for i in range(30)]

    rated = rate(schedules, usage)

    # Positions 0–14,999 under schedule 1: 10,000 × 0.045 + 5,000 × 0.040 = 650.
    # Positions 15,000–29,999 under schedule 2: all in its second tier (≥ 10,000): 15,000 × 0.020 = 300.
    assert isinstance(rated, Rated)
    assert rated.amount == Decimal("950.00")
    [line] = rated.lines
    assert sorted((t.schedule_id, t.lower, t.count) for t in line.tiers) == [
        (1, 0, 10000),
        (1, 10000, 5000),
        (2, 10000, 15000),
    ]


def test_stage_tier_is_set_by_the_whole_periods_total_under_each_schedule():
    schedules = [terms(1, "stage", ABC, end=date(2026, 11, 15)), terms(2, "stage", ABC, start=date(2026, 11, 16))]
    usage = [Usage(1, NOV + timedelta(days=i), "", "", 400) for i in range(30)]  # 12,000 in the month

    rated = rate(schedules, usage)

    assert isinstance(rated, Rated)
    assert rated.amount == Decimal("480.00")  # all 12,000 at the 10,000+ tier's 0.040


def test_graduated_shared_by_two_accounts_follows_the_days_then_the_account_codes():
    usage = [Usage(2, NOV, "", "", 6000), Usage(1, NOV, "", "", 6000), Usage(1, date(2026, 11, 2), "", "", 100)]

    rated = rate([terms(1, "graduated", ABC)], usage)

    assert isinstance(rated, Rated)
    by_account = {line.account_id: line for line in rated.lines}
    assert by_account[1].amount == Decimal("274.00")  # first 6,000 at 0.045, then 100 at 0.040
    assert by_account[2].amount == Decimal("260.00")  # 4,000 at 0.045 + 2,000 at 0.040
    assert rated.amount == Decimal("534.00")
    assert by_account[2].unit_price == Decimal("0.043333")  # 260 / 6,000


def test_per_carrier_rows_price_each_carrier_on_its_own_tiers():
    carriers = {
        "mobile": (Tier(0, 1000, Decimal("0.05")), Tier(1000, None, Decimal("0.04"))),
        "": (Tier(0, None, Decimal("0.03")),),
    }
    usage = [Usage(1, None, "mobile", "", 1500), Usage(1, None, "unicom", "", 1500), Usage(1, None, "telecom", "", 500)]

    rated = rate([terms(1, "graduated", carriers=carriers)], usage)

    assert isinstance(rated, Rated)
    lines = {(line.carrier, line.count): line.amount for line in rated.lines}
    # mobile: 1,000 × 0.05 + 500 × 0.04; unicom and telecom share the other price list as one line.
    assert lines == {("mobile", 1500): Decimal("70.00"), ("", 2000): Decimal("60.00")}


def test_a_carrier_without_a_price_list_gets_no_bill():
    carriers = {"mobile": (Tier(0, None, Decimal("0.05")),), "unicom": (Tier(0, None, Decimal("0.05")),)}
    outcome = rate([terms(7, carriers=carriers)], [Usage(1, None, "telecom", "", 10)])
    assert outcome == NoBill(NoBillCode.NO_PRICE, "调价 #7 没有电信的价格")


def test_an_accounts_own_schedule_takes_precedence_over_the_products():
    schedules = [terms(1), terms(2, tiers=(Tier(0, None, Decimal("0.02")),), account=2)]
    usage = [Usage(1, None, "", "", 100), Usage(2, None, "", "", 100)]

    rated = rate(schedules, usage)

    assert isinstance(rated, Rated)
    assert {line.account_id: line.amount for line in rated.lines} == {1: Decimal("4.00"), 2: Decimal("2.00")}


def test_days_without_a_price_are_named_as_ranges():
    schedules = [terms(1, end=date(2026, 11, 10)), terms(2, start=date(2026, 11, 20))]
    usage = [Usage(1, NOV + timedelta(days=i), "", "", 1) for i in range(30)]
    assert rate(schedules, usage) == NoBill(NoBillCode.NO_PRICE, "2026-11-11 至 2026-11-19 没有生效的调价")


def test_a_day_without_usage_needs_no_price():
    usage = [Usage(1, NOV + timedelta(days=i), "", "", 0 if i >= 20 else 10) for i in range(30)]
    rated = rate([terms(1, end=date(2026, 11, 20))], usage)
    assert isinstance(rated, Rated) and rated.amount == Decimal("8.00")


def test_international_usage_is_priced_per_country():
    schedule = ScheduleTerms(
        pk=3,
        account_id=None,
        price_type="uniform",
        valid_from=NOV,
        valid_to=date(2026, 11, 30),
        tiers={},
        country_prices={"US": Decimal("0.35"), "JP": Decimal("0.48")},
    )
    rated = rate([schedule], [Usage(1, None, "", "US", 10), Usage(1, None, "", "JP", 5)], intl=True)
    assert isinstance(rated, Rated)
    assert {(line.country, line.amount) for line in rated.lines} == {("US", Decimal("3.50")), ("JP", Decimal("2.40"))}
    assert rate([schedule], [Usage(1, None, "", "", 5)], intl=True) == NoBill(
        NoBillCode.INTL_TABLE, "有 5 条发送量没有注明国家/地区，无法按国际价格表计价"
    )


def test_month_totals_suffice_only_for_one_schedule_all_month():
    whole = terms(1)
    assert needs_daily(period=NOV, account_ids=[1], schedules=[whole]) is False
    assert needs_daily(period=NOV, account_ids=[1], schedules=[terms(1, end=date(2026, 11, 29))]) is True
    assert needs_daily(period=NOV, account_ids=[1, 2], schedules=[whole, terms(2, account=2, start=date(2026, 11, 5))])
    assert needs_daily(period=NOV, account_ids=[1, 2], schedules=[terms(1, "graduated", ABC)]) is True
    assert needs_daily(period=NOV, account_ids=[1, 2], schedules=[terms(1, "stage", ABC)]) is False
