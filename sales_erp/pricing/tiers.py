"""Checking what the tier editor sends: rows of (运营商, 起, 止, 价格) as the user typed them.

The rows become `Tier`s grouped by carrier ("" = not per carrier), or a list of messages that say which
row to fix. Used by the price_change form, the desk, the API and the quote calculator alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sales_erp.billing.models import CARRIER_BY_TEXT, Carrier
from sales_erp.pricing.models import PriceType
from sales_erp.pricing.money import unit_price_parse
from sales_erp.pricing.price_models import Tier

NO_TIERS = "请至少填写一档价格"
BOUND_NOT_INTEGER = "第 {n} 档: {label} '{value}' 不是整数"
FIRST_LOWER = "第 {n} 档: 第一档应从 0 条起（现为 {value}）"
GAP = "第 {n} 档: 起点 {lower} 应等于上一档的止点 {previous}"
UPPER_NOT_ABOVE = "第 {n} 档: 止点 {upper} 应大于起点 {lower}"
LAST_OPEN = "第 {n} 档: 最后一档的止点请留空（不封顶）"
OPEN_NOT_LAST = "第 {n} 档: 只有最后一档可以不填止点"
UNIFORM_ONE = "统一价只填一个价格（{group}现有 {count} 档）"
CARRIER_UNKNOWN = "第 {n} 档: 运营商 '{value}' 应为 移动、联通、电信 或留空"
CARRIERS_INCOMPLETE = "分运营商报价时，请为 移动、联通、电信 都填写价格，或另填一组不分运营商的价格（缺: {missing}）"

TierGroups = dict[str, tuple[Tier, ...]]


class TiersInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


class Unparsable:
    """A bound that was typed but is not a whole number (its error is already recorded)."""


UNPARSABLE = Unparsable()
Bound = int | None | Unparsable  # None: left blank


def bound_parse(raw: Any, *, n: int, label: str, errors: list[str]) -> Bound:
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        errors.append(BOUND_NOT_INTEGER.format(n=n, label=label, value=text))
        return UNPARSABLE
    return int(text)


Entry = tuple[int, Bound, Bound, Decimal | None]


def tiers_validate(*, price_type: str, rows: Iterable[Mapping[str, Any]]) -> TierGroups:
    """Rows as typed → tiers per carrier group, or TiersInvalid listing every row to fix.

    A blank 起 means "where the previous tier stops" (0 for the first, as the manual's editor shows);
    a blank 止 on the last tier means no limit. A uniform price ignores 起/止.
    """
    errors: list[str] = []
    groups: dict[str, list[Entry]] = {}
    for n, row in enumerate(rows, start=1):
        carrier_text = str(row.get("carrier") or "").strip()
        carrier = CARRIER_BY_TEXT.get(carrier_text)
        if carrier is None:
            errors.append(CARRIER_UNKNOWN.format(n=n, value=carrier_text))
            continue
        price = unit_price_parse(row.get("price"), where=f"第 {n} 档", label="价格", errors=errors)
        lower: Bound = None
        upper: Bound = None
        if price_type != PriceType.UNIFORM:
            lower = bound_parse(row.get("lower"), n=n, label="起点", errors=errors)
            upper = bound_parse(row.get("upper"), n=n, label="止点", errors=errors)
        groups.setdefault(carrier, []).append((n, lower, upper, price))
    if not groups and not errors:
        errors.append(NO_TIERS)
    result: TierGroups = {}
    for carrier, entries in groups.items():
        result[carrier] = group_check(price_type=price_type, carrier=carrier, entries=entries, errors=errors)
    per_carrier = {c for c in result if c}
    if per_carrier and Carrier.NONE not in result:
        missing = [Carrier(c).label for c in (Carrier.MOBILE, Carrier.UNICOM, Carrier.TELECOM) if c not in result]
        if missing:
            errors.append(CARRIERS_INCOMPLETE.format(missing="、".join(missing)))
    if errors:
        raise TiersInvalid(errors)
    return result


def group_check(*, price_type: str, carrier: str, entries: list[Entry], errors: list[str]) -> tuple[Tier, ...]:
    if price_type == PriceType.UNIFORM:
        if len(entries) > 1:
            group = f"{Carrier(carrier).label}价格" if carrier else ""
            errors.append(UNIFORM_ONE.format(group=group, count=len(entries)))
            return ()
        price = entries[0][3]
        return (Tier(0, None, price),) if price is not None else ()
    tiers: list[Tier] = []
    previous: int | None = 0  # where the previous tier stops; None when it could not be read
    for index, (n, lower, upper, price) in enumerate(entries):
        last = index == len(entries) - 1
        if lower is None:
            lower = previous
        if not isinstance(lower, int) or isinstance(upper, Unparsable):
            previous = upper if isinstance(upper, int) else None
            continue
        if index == 0 and lower != 0:
            errors.append(FIRST_LOWER.format(n=n, value=lower))
        elif index > 0 and previous is not None and lower != previous:
            errors.append(GAP.format(n=n, lower=lower, previous=previous))
        if upper is None and not last:
            errors.append(OPEN_NOT_LAST.format(n=n))
        elif upper is not None and last:
            errors.append(LAST_OPEN.format(n=n))
        elif upper is not None and upper <= lower:
            errors.append(UPPER_NOT_ABOVE.format(n=n, upper=upper, lower=lower))
        previous = upper
        if price is not None:
            tiers.append(Tier(lower, upper, price))
    return tuple(tiers)


def tiers_as_rows(groups: TierGroups) -> list[dict[str, str]]:
    """The inverse of tiers_validate: rows for the editor, the form data and the API."""
    return [
        {
            "carrier": carrier,
            "lower": str(tier.lower),
            "upper": "" if tier.upper is None else str(tier.upper),
            "price": str(tier.price),
        }
        for carrier, tiers in groups.items()
        for tier in tiers
    ]
