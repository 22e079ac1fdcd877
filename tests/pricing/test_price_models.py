"""The three price models, each with a table of boundary values, and the factory that picks them."""

from decimal import Decimal

import pytest

from sales_erp.pricing.price_models import (
    GraduatedPrice,
    StagePrice,
    Tier,
    UniformPrice,
    UnknownPriceType,
    price_model_for,
)
from sales_erp.pricing.quotes import quote_compute

ABC = (
    Tier(0, 10000, Decimal("0.045")),
    Tier(10000, 50000, Decimal("0.040")),
    Tier(50000, None, Decimal("0.035")),
)


def amount(model, count: int, *, start: int = 0, period_total: int | None = None) -> Decimal:
    total = count if period_total is None else period_total
    return sum((c.amount for c in model.charges(start=start, count=count, period_total=total)), Decimal(0))


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0"), (1, "0.04"), (14, "0.56"), (1_000_000, "40000.00")],
)
def test_uniform_prices_every_unit_alike(count, expected):
    model = UniformPrice([Tier(0, None, Decimal("0.04"))])
    assert amount(model, count) == Decimal(expected)


@pytest.mark.parametrize(
    ("total", "price"),
    [
        (0, "0.045"),
        (1, "0.045"),
        (9999, "0.045"),
        (10000, "0.040"),  # the boundary belongs to the upper tier: lower <= total < upper
        (10001, "0.040"),
        (49999, "0.040"),
        (50000, "0.035"),
        (10**9, "0.035"),
    ],
)
def test_stage_prices_all_units_at_the_tier_the_total_reaches(total, price):
    model = StagePrice(ABC)
    assert amount(model, total) == Decimal(price) * total


def test_stage_price_of_part_of_a_period_uses_the_period_total():
    # 5,000 units of a period that reaches 12,000: all at the second tier's price.
    assert amount(StagePrice(ABC), 5000, start=7000, period_total=12000) == Decimal("200.000")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0"),
        (9999, "449.955"),
        (10000, "450.000"),
        (10001, "450.040"),
        (50000, "2050.000"),
        (50001, "2050.035"),
        (60000, "2400.000"),
    ],
)
def test_graduated_prices_each_tier_only_inside_it(count, expected):
    assert amount(GraduatedPrice(ABC), count) == Decimal(expected)


def test_graduated_price_of_a_later_run_continues_at_its_position():
    # Units 9,990..10,010 of the period: 10 at 0.045 and 10 at 0.040.
    charges = GraduatedPrice(ABC).charges(start=9990, count=20, period_total=99999)
    assert [(c.lower, c.count, c.price) for c in charges] == [
        (0, 10, Decimal("0.045")),
        (10000, 10, Decimal("0.040")),
    ]


@pytest.mark.parametrize(
    ("price_type", "cls"), [("uniform", UniformPrice), ("stage", StagePrice), ("graduated", GraduatedPrice)]
)
def test_factory_picks_the_class_of_the_type(price_type, cls):
    tiers = ABC if price_type != "uniform" else (Tier(0, None, Decimal("0.04")),)
    assert type(price_model_for(price_type, tiers)) is cls


def test_factory_fails_loudly_on_an_unknown_type():
    with pytest.raises(UnknownPriceType, match="未知的价格类型 'flat'"):
        price_model_for("flat", ABC)


def test_uniform_refuses_several_tiers():
    with pytest.raises(ValueError):
        UniformPrice(ABC)


def test_quote_rounds_once_half_up_and_averages_the_unit_price():
    quote = quote_compute(price_type="graduated", tiers=ABC, count=12345)
    assert quote.amount == Decimal("543.80")
    assert quote.unit_price == Decimal("0.044050")  # 543.80 / 12345 = 0.04405022… to 6 places
    assert [(c.count, c.price) for c in quote.charges] == [(10000, Decimal("0.045")), (2345, Decimal("0.040"))]
