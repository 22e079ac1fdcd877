"""What the tier editor sends, checked: every row to fix is named; good rows become tiers per carrier."""

from decimal import Decimal

import pytest

from sales_erp.pricing.price_models import Tier
from sales_erp.pricing.tiers import TiersInvalid, tiers_as_rows, tiers_validate


def rows(*entries, carrier=""):
    return [{"carrier": carrier, "lower": lo, "upper": up, "price": p} for lo, up, p in entries]


def errors_of(price_type, given) -> list[str]:
    with pytest.raises(TiersInvalid) as refused:
        tiers_validate(price_type=price_type, rows=given)
    return refused.value.errors


def test_stage_tiers_as_typed():
    groups = tiers_validate(
        price_type="stage", rows=rows(("0", "10000", "0.045"), ("10000", "50,000", "0.04"), ("50000", "", "0.035"))
    )
    assert groups == {
        "": (
            Tier(0, 10000, Decimal("0.045")),
            Tier(10000, 50000, Decimal("0.04")),
            Tier(50000, None, Decimal("0.035")),
        )
    }


def test_a_blank_start_continues_where_the_previous_tier_stops():
    groups = tiers_validate(price_type="graduated", rows=rows(("", "100", "0.05"), ("", "", "0.04")))
    assert groups[""] == (Tier(0, 100, Decimal("0.05")), Tier(100, None, Decimal("0.04")))


def test_uniform_takes_one_price_and_ignores_the_bounds():
    assert tiers_validate(price_type="uniform", rows=rows(("5", "9", "0.034567"))) == {
        "": (Tier(0, None, Decimal("0.034567")),)
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (rows(("1", "", "0.04")), ["第 1 档: 第一档应从 0 条起（现为 1）"]),
        (rows(("0", "100", "0.05"), ("200", "", "0.04")), ["第 2 档: 起点 200 应等于上一档的止点 100"]),
        (rows(("0", "100", "0.05"), ("100", "50", "0.04"), ("50", "", "0.03")), ["第 2 档: 止点 50 应大于起点 100"]),
        (rows(("0", "", "0.05"), ("100", "", "0.04")), ["第 1 档: 只有最后一档可以不填止点"]),
        (rows(("0", "100", "0.05")), ["第 1 档: 最后一档的止点请留空（不封顶）"]),
        (rows(("0", "x", "0.05")), ["第 1 档: 止点 'x' 不是整数"]),
        (rows(("0", "", "abc")), ["第 1 档: 价格 'abc' 不是数字"]),
        (rows(("0", "", "0.0400001")), ["第 1 档: 价格 '0.0400001' 超过 6 位小数"]),
        (rows(("0", "", "-0.04")), ["第 1 档: 价格 '-0.04' 不能为负数"]),
        (rows(("0", "", "")), ["第 1 档: 请填写价格"]),
        ([], ["请至少填写一档价格"]),
    ],
)
def test_each_mistake_names_its_row(given, expected):
    assert errors_of("graduated", given) == expected


def test_every_bad_row_is_named_at_once():
    assert errors_of("stage", rows(("0", "100", "x"), ("150", "", "y"))) == [
        "第 1 档: 价格 'x' 不是数字",
        "第 2 档: 价格 'y' 不是数字",
        "第 2 档: 起点 150 应等于上一档的止点 100",
    ]


def test_uniform_with_two_prices_is_refused():
    assert errors_of("uniform", rows(("0", "", "0.04"), ("0", "", "0.05"))) == ["统一价只填一个价格（现有 2 档）"]


def test_trailing_zeros_do_not_count_as_decimals():
    assert tiers_validate(price_type="uniform", rows=rows(("", "", "0.0450000")))[""][0].price == Decimal("0.0450000")


def test_per_carrier_rows_need_all_three_carriers_or_a_shared_price():
    given = rows(("0", "", "0.05"), carrier="移动") + rows(("0", "", "0.04"), carrier="联通")
    assert errors_of("uniform", given) == [
        "分运营商报价时，请为 移动、联通、电信 都填写价格，或另填一组不分运营商的价格（缺: 电信）"
    ]
    with_shared = given + rows(("0", "", "0.03"))
    assert set(tiers_validate(price_type="uniform", rows=with_shared)) == {"mobile", "unicom", ""}


def test_an_unknown_carrier_is_named():
    assert errors_of("uniform", rows(("0", "", "0.05"), carrier="铁通")) == [
        "第 1 档: 运营商 '铁通' 应为 移动、联通、电信 或留空"
    ]


def test_rows_round_trip_for_the_editor():
    groups = tiers_validate(price_type="stage", rows=rows(("0", "10", "0.05"), ("10", "", "0.04")))
    assert tiers_validate(price_type="stage", rows=tiers_as_rows(groups)) == groups
