"""The money rules of reconciliation (DESIGN §5.1), pure: a bill's unit price, the amount of a count,
and the totals of the ticked bills. The page's script mirrors them (templates/reconciliation/_form.html).

A bill may have several lines and tiers, so its one unit price is amount / count, kept to 6 places. The
amount of another count (客户数据, 对账数据) is count × that price, rounded half-up to the cent once; the
agreed count equal to ours keeps our amount exactly (count × a rounded price could miss it by cents).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.000001")
TOTAL_PRICE_PLACES = Decimal("0.0001")  # the manual's totals: 14 X 0.0400 = 0.56


def unit_price(*, count: int, amount: Decimal, fallback: Decimal = Decimal(0)) -> Decimal:
    """amount / count to 6 places; a bill of 0 units has no such price and shows its line price (fallback)."""
    if not count:
        return fallback.quantize(PRICE_PLACES, ROUND_HALF_UP)
    return (Decimal(amount) / Decimal(count)).quantize(PRICE_PLACES, ROUND_HALF_UP)


def amount_of(*, count: int, price: Decimal, our_count: int, our_amount: Decimal) -> Decimal:
    """The amount of `count` units of a bill whose own figures are our_count / our_amount."""
    if count == our_count:
        return Decimal(our_amount).quantize(CENT, ROUND_HALF_UP)
    return (Decimal(count) * price).quantize(CENT, ROUND_HALF_UP)


def price_text(price: Decimal) -> str:
    text = format(price.quantize(PRICE_PLACES), "f").rstrip("0")
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


@dataclass(frozen=True)
class Total:
    count: int
    amount: Decimal

    @property
    def unit_price(self) -> Decimal:
        """本次对账总计's price: amount / count to 4 places."""
        if not self.count:
            return Decimal("0.0000")
        return (self.amount / Decimal(self.count)).quantize(TOTAL_PRICE_PLACES, ROUND_HALF_UP)


def total_of(pairs: Iterable[tuple[int, Decimal]]) -> Total:
    count, amount = 0, Decimal("0.00")
    for n, money in pairs:
        count += n
        amount += money
    return Total(count=count, amount=amount.quantize(CENT))
