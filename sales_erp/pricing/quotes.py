"""The quote calculator (报价计算器): a price and a count → the amount, tier by tier.

The same price models as the bill run, so a quote and a bill of the same count agree to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sales_erp.pricing.money import to_cents, to_price_places
from sales_erp.pricing.price_models import Tier, TierCharge, price_model_for
from sales_erp.pricing.tiers import TierGroups


@dataclass(frozen=True)
class Quote:
    price_type: str
    count: int
    amount: Decimal  # to the cent, rounded once
    unit_price: Decimal  # amount before rounding / count, to 6 places (0 for no units)
    charges: list[TierCharge]


def quote_compute(*, price_type: str, tiers: Sequence[Tier], count: int) -> Quote:
    charges = price_model_for(price_type, tiers).charges(start=0, count=count, period_total=count)
    exact = sum((charge.amount for charge in charges), Decimal(0))
    unit_price = to_price_places(exact / count) if count else Decimal("0.000000")
    return Quote(price_type=price_type, count=count, amount=to_cents(exact), unit_price=unit_price, charges=charges)


def price_list_pick(groups: TierGroups, carrier: str) -> tuple[Tier, ...] | None:
    """The tiers that price `carrier`'s volume: its own rows when the schedule has them, else the shared ones."""
    if carrier and carrier in groups:
        return groups[carrier]
    return groups.get("")
