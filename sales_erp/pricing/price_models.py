"""The three price models of DESIGN §4, one small class each, chosen by `price_model_for`.

A model prices a run of units: `charges(start=…, count=…, period_total=…)` says what the units at positions
[start, start + count) of a billing period cost, tier by tier. Stage price reads the period's total (the tier
reached prices every unit), graduated price reads the positions (each tier prices only the units inside it).
Amounts come back exact; rounding to the cent happens once, by the caller, at the end of each amount
(`money.to_cents`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sales_erp.pricing.models import PriceType


@dataclass(frozen=True)
class Tier:
    """`lower ≤ count < upper` at `price`; `upper` None means no limit."""

    lower: int
    upper: int | None
    price: Decimal

    def contains(self, position: int) -> bool:
        return self.lower <= position and (self.upper is None or position < self.upper)


@dataclass(frozen=True)
class TierCharge:
    """Units priced in one tier, and what they cost before rounding."""

    lower: int
    upper: int | None
    count: int
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.price * self.count


class UnknownPriceType(ValueError):
    pass


class PriceModel(ABC):
    def __init__(self, tiers: Sequence[Tier]) -> None:
        # The tiers are checked once when a schedule is saved (pricing.tiers.tiers_validate); here
        # only what the arithmetic itself relies on.
        if not tiers or tiers[0].lower != 0 or tiers[-1].upper is not None:
            raise ValueError("tiers must start at 0 and end open")
        self.tiers = tuple(tiers)

    def tier_at(self, position: int) -> Tier:
        for tier in self.tiers:
            if tier.contains(position):
                return tier
        raise ValueError(f"no tier holds position {position}")  # unreachable for contiguous tiers

    @abstractmethod
    def charges(self, *, start: int, count: int, period_total: int) -> list[TierCharge]:
        """What the units at positions [start, start + count) of a period of `period_total` units cost."""


class UniformPrice(PriceModel):
    """统一价: every unit at the one price."""

    def __init__(self, tiers: Sequence[Tier]) -> None:
        super().__init__(tiers)
        if len(self.tiers) != 1:
            raise ValueError("a uniform price has exactly one tier")

    def charges(self, *, start: int, count: int, period_total: int) -> list[TierCharge]:
        tier = self.tiers[0]
        return [TierCharge(tier.lower, tier.upper, count, tier.price)] if count else []


class StagePrice(PriceModel):
    """阶段价: the tier the period's total reaches (`lower ≤ total < upper`) prices all of it."""

    def charges(self, *, start: int, count: int, period_total: int) -> list[TierCharge]:
        tier = self.tier_at(period_total)
        return [TierCharge(tier.lower, tier.upper, count, tier.price)] if count else []


class GraduatedPrice(PriceModel):
    """阶梯价: each tier prices only the units whose position falls inside it."""

    def charges(self, *, start: int, count: int, period_total: int) -> list[TierCharge]:
        end = start + count
        charges = []
        for tier in self.tiers:
            upper = end if tier.upper is None else min(end, tier.upper)
            inside = upper - max(start, tier.lower)
            if inside > 0:
                charges.append(TierCharge(tier.lower, tier.upper, inside, tier.price))
        return charges


PRICE_MODELS: dict[str, type[PriceModel]] = {
    PriceType.UNIFORM: UniformPrice,
    PriceType.STAGE: StagePrice,
    PriceType.GRADUATED: GraduatedPrice,
}


def price_model_for(price_type: str, tiers: Sequence[Tier]) -> PriceModel:
    try:
        model = PRICE_MODELS[price_type]
    except KeyError:
        raise UnknownPriceType(f"未知的价格类型 '{price_type}'；可用: {', '.join(PRICE_MODELS)}") from None
    return model(tiers)
