"""Pricing one product's month of usage (rating): the figures of its bill, or why it gets none.

DESIGN §4: each day's usage is priced by the schedule valid that day; an account's own schedule takes
precedence over the product's. Stage and graduated prices count the whole period: the tier position is
the running total, in date order (then account code), of the volume priced by the same kind of schedule
(the product's, or one account's) and the same price list (one carrier's, or the shared one). Per-carrier
tier rows price that carrier's volume on their own. International products price each country's volume
at the price table's price. Each line's amount is rounded to the cent once; the bill is their sum.

Pure functions over plain data: the bill run loads everything set-based (selectors.rating_inputs_load)
and calls `product_month_rate` once per product.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sales_erp.billing.models import Carrier, NoBillCode
from sales_erp.pricing.countries import COUNTRIES
from sales_erp.pricing.models import PriceType
from sales_erp.pricing.money import to_cents, to_price_places
from sales_erp.pricing.price_models import PriceModel, Tier, price_model_for
from sales_erp.pricing.tiers import TierGroups

NO_PRICE_MONTH = "{month} 没有生效的调价"
NO_PRICE_DAYS = "{days} 没有生效的调价"
NO_PRICE_CARRIER = "调价 #{schedule} 没有{carrier}的价格"
NO_COUNTRY = "有 {count} 条发送量没有注明国家/地区，无法按国际价格表计价"
NO_TABLE = "调价 #{schedule} 没有国际价格表"
NO_COUNTRY_PRICE = "调价 #{schedule} 的国际价格表缺少 {countries} 的价格"
NO_USAGE = "{month} 没有计费条数"


@dataclass(frozen=True)
class ScheduleTerms:
    """What rating needs of an active PriceSchedule."""

    pk: int
    account_id: int | None
    price_type: str
    valid_from: date
    valid_to: date
    tiers: TierGroups
    country_prices: dict[str, Decimal] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class Usage:
    account_id: int
    day: date | None  # None: the month's total at once (only when one schedule covers the whole month)
    carrier: str
    country: str
    count: int


@dataclass(frozen=True)
class RatedTier:
    schedule_id: int
    lower: int
    upper: int | None
    count: int
    price: Decimal
    amount: Decimal  # exact


@dataclass(frozen=True)
class RatedLine:
    account_id: int
    carrier: str
    country: str
    count: int
    unit_price: Decimal
    amount: Decimal
    tiers: tuple[RatedTier, ...]


@dataclass(frozen=True)
class Rated:
    lines: tuple[RatedLine, ...]
    count: int
    amount: Decimal


@dataclass(frozen=True)
class NoBill:
    code: str  # NoBillCode
    detail: str

    @property
    def reason(self) -> str:
        return NoBillCode(self.code).label


def month_end(period: date) -> date:
    following = (period.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def schedules_for(account_id: int, schedules: list[ScheduleTerms]) -> list[ScheduleTerms]:
    """The schedules that may price this account: its own where it has any, else the product's."""
    own = [s for s in schedules if s.account_id == account_id]
    return own if own else [s for s in schedules if s.account_id is None]


def needs_daily(*, period: date, account_ids: list[int], schedules: list[ScheduleTerms]) -> bool:
    """Whether the month's totals per account are not enough: a price changes within the month, an
    account-specific price covers part of it, or a graduated price is shared by several accounts (its
    tiers then follow the order of the days)."""
    last = month_end(period)
    if not schedules:
        return False  # nothing to price with: the month's totals say so just as well
    for account_id in account_ids:
        own = [s for s in schedules if s.account_id == account_id]
        if own and (len(own) > 1 or not (own[0].valid_from <= period and own[0].valid_to >= last)):
            return True
        if not own:
            shared = [s for s in schedules if s.account_id is None]
            if len(shared) != 1 or not (shared[0].valid_from <= period and shared[0].valid_to >= last):
                return True
    shared_graduated = any(s.account_id is None and s.price_type == PriceType.GRADUATED for s in schedules)
    return shared_graduated and len(account_ids) > 1


def day_ranges(days: set[date]) -> str:
    """2026-11-21 至 2026-11-30、2026-11-25 — what a person reads, not a list of thirty dates."""
    spans: list[list[date]] = []
    for day in sorted(days):
        if spans and spans[-1][1] + timedelta(days=1) == day:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return "、".join(f"{a} 至 {b}" if a != b else f"{a}" for a, b in spans)


@dataclass
class LineTotal:
    count: int = 0
    exact: Decimal = Decimal(0)
    tiers: dict[tuple[int, int, int | None, Decimal], list] = field(default_factory=dict)


def product_month_rate(
    *,
    period: date,
    intl: bool,
    account_codes: dict[int, str],
    schedules: list[ScheduleTerms],
    usage: list[Usage],
) -> Rated | NoBill:
    usage = [u for u in usage if u.count > 0]
    if not usage:
        return NoBill(NoBillCode.NO_USAGE, NO_USAGE.format(month=f"{period:%Y-%m}"))
    if not schedules:
        return NoBill(NoBillCode.NO_PRICE, NO_PRICE_MONTH.format(month=f"{period:%Y-%m}"))
    last = month_end(period)
    applicable: dict[int, list[ScheduleTerms]] = {}
    priced: list[tuple[tuple, ScheduleTerms, str, Usage]] = []  # (order, schedule, price list, usage)
    missing_days: set[date] = set()
    missing_carriers: dict[int, set[str]] = defaultdict(set)
    no_country = 0
    missing_tables: set[int] = set()
    missing_countries: dict[int, set[str]] = defaultdict(set)
    for u in usage:
        if u.account_id not in applicable:
            applicable[u.account_id] = schedules_for(u.account_id, schedules)
        candidates = applicable[u.account_id]
        if u.day is None:
            schedule = next((s for s in candidates if s.valid_from <= period and s.valid_to >= last), None)
            if schedule is None:
                missing_days.update(period + timedelta(days=i) for i in range((last - period).days + 1))
                continue
        else:
            schedule = next((s for s in candidates if s.covers(u.day)), None)
            if schedule is None:
                missing_days.add(u.day)
                continue
        if intl:
            if not u.country:
                no_country += u.count
                continue
            if not schedule.country_prices:
                missing_tables.add(schedule.pk)
                continue
            if u.country not in schedule.country_prices:
                missing_countries[schedule.pk].add(u.country)
                continue
            price_list = f"country:{u.country}"
        elif u.carrier and u.carrier in schedule.tiers:
            price_list = u.carrier
        elif Carrier.NONE in schedule.tiers:
            price_list = Carrier.NONE
        else:
            missing_carriers[schedule.pk].add(u.carrier)
            continue
        order = (u.day or period, account_codes.get(u.account_id, ""), u.carrier, u.country)
        priced.append((order, schedule, price_list, u))
    if missing_days:
        return NoBill(NoBillCode.NO_PRICE, NO_PRICE_DAYS.format(days=day_ranges(missing_days)))
    if missing_carriers:
        pk, carriers = next(iter(missing_carriers.items()))
        labels = "、".join(Carrier(c).label if c else "不区分运营商" for c in sorted(carriers))
        return NoBill(NoBillCode.NO_PRICE, NO_PRICE_CARRIER.format(schedule=pk, carrier=labels))
    if no_country:
        return NoBill(NoBillCode.INTL_TABLE, NO_COUNTRY.format(count=no_country))
    if missing_tables:
        return NoBill(NoBillCode.INTL_TABLE, NO_TABLE.format(schedule=min(missing_tables)))
    if missing_countries:
        pk, codes = next(iter(missing_countries.items()))
        names = "、".join(f"{COUNTRIES.get(c, c)}({c})" for c in sorted(codes))
        return NoBill(NoBillCode.INTL_TABLE, NO_COUNTRY_PRICE.format(schedule=pk, countries=names))
    return charges_sum(priced)


def charges_sum(priced: list[tuple[tuple, ScheduleTerms, str, Usage]]) -> Rated:
    priced.sort(key=lambda item: item[0])
    totals: dict[tuple[int | None, str], int] = defaultdict(int)
    for _, schedule, price_list, u in priced:
        totals[(schedule.account_id, price_list)] += u.count
    running: dict[tuple[int | None, str], int] = defaultdict(int)
    models: dict[tuple[int, str], PriceModel] = {}
    lines: dict[tuple[int, str, str], LineTotal] = {}
    for _, schedule, price_list, u in priced:
        model = models.get((schedule.pk, price_list))
        if model is None:
            if price_list.startswith("country:"):
                tiers: tuple[Tier, ...] = (Tier(0, None, schedule.country_prices[u.country]),)
                model = price_model_for(PriceType.UNIFORM, tiers)
            else:
                model = price_model_for(schedule.price_type, schedule.tiers[price_list])
            models[(schedule.pk, price_list)] = model
        counter = (schedule.account_id, price_list)
        charges = model.charges(start=running[counter], count=u.count, period_total=totals[counter])
        running[counter] += u.count
        line_carrier = price_list if price_list in (Carrier.MOBILE, Carrier.UNICOM, Carrier.TELECOM) else ""
        line = lines.get((u.account_id, line_carrier, u.country))
        if line is None:
            line = lines[(u.account_id, line_carrier, u.country)] = LineTotal()
        line.count += u.count
        for charge in charges:
            amount = charge.amount
            line.exact += amount
            key = (schedule.pk, charge.lower, charge.upper, charge.price)
            entry = line.tiers.get(key)
            if entry is None:
                line.tiers[key] = [charge.count, amount]
            else:
                entry[0] += charge.count
                entry[1] += amount
    rated_lines = []
    for (account_id, carrier, country), line in lines.items():
        prices = {key[3] for key in line.tiers}
        unit_price = next(iter(prices)) if len(prices) == 1 else to_price_places(line.exact / line.count)
        rated_lines.append(
            RatedLine(
                account_id=account_id,
                carrier=carrier,
                country=country,
                count=line.count,
                unit_price=unit_price,
                amount=to_cents(line.exact),
                tiers=tuple(
                    RatedTier(schedule_id=k[0], lower=k[1], upper=k[2], count=v[0], price=k[3], amount=v[1])
                    for k, v in line.tiers.items()
                ),
            )
        )
    return Rated(
        lines=tuple(rated_lines),
        count=sum(line.count for line in rated_lines),
        amount=sum((line.amount for line in rated_lines), Decimal("0.00")),
    )
