"""Money as the company counts it: Decimal end to end, unit prices to 6 places, amounts to the cent,
rounded half-up once at the end of each amount (DESIGN §2)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
PRICE_QUANTUM = Decimal("0.000001")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_price_places(value: Decimal) -> Decimal:
    return value.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_UP)


PRICE_MISSING = "{where}: 请填写{label}"
PRICE_NOT_NUMBER = "{where}: {label} '{value}' 不是数字"
PRICE_PLACES = "{where}: {label} '{value}' 超过 6 位小数"
PRICE_NEGATIVE = "{where}: {label} '{value}' 不能为负数"
PRICE_TOO_LARGE = "{where}: {label} '{value}' 过大"
MAX_PRICE = Decimal("100000000")


def unit_price_parse(raw: object, *, where: str, label: str, errors: list[str]) -> Decimal | None:
    """A unit price as typed (tier editor, price table) → Decimal, or None with the reason in `errors`."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        errors.append(PRICE_MISSING.format(where=where, label=label))
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite():
        errors.append(PRICE_NOT_NUMBER.format(where=where, label=label, value=text))
    elif price < 0:
        errors.append(PRICE_NEGATIVE.format(where=where, label=label, value=text))
    elif price >= MAX_PRICE:
        errors.append(PRICE_TOO_LARGE.format(where=where, label=label, value=text))
    elif -int(price.normalize().as_tuple().exponent) > 6:
        errors.append(PRICE_PLACES.format(where=where, label=label, value=text))
    else:
        return price
    return None
