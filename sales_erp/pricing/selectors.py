"""Reads on price schedules: who may see which, and a schedule's prices as the price models take them."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from sales_erp.customers.models import Account, Product
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.org.models import User
from sales_erp.pricing.models import PriceSchedule, ScheduleStatus
from sales_erp.pricing.price_models import Tier
from sales_erp.pricing.tiers import TierGroups


def schedules_visible_to(user: User) -> QuerySet[PriceSchedule]:
    q = customer_visibility_q(user, prefix="product__customer__")
    schedules = PriceSchedule.objects.select_related("product__customer", "account")
    return schedules if q is None else schedules.filter(q)


def schedule_tier_groups(schedule: PriceSchedule) -> TierGroups:
    groups: dict[str, list[Tier]] = {}
    for tier in schedule.tiers.order_by("carrier", "lower"):
        groups.setdefault(tier.carrier, []).append(Tier(tier.lower, tier.upper, tier.price))
    return {carrier: tuple(tiers) for carrier, tiers in groups.items()}


def schedule_overlapping(
    *,
    product: Product,
    account: Account | None,
    valid_from: date,
    valid_to: date,
    statuses: tuple[str, ...] = (ScheduleStatus.ACTIVE,),
    exclude_pk: int | None = None,
) -> PriceSchedule | None:
    """Another schedule of the same scope (the product, or the same account) whose dates meet these."""
    others = PriceSchedule.objects.filter(
        product=product, status__in=statuses, valid_from__lte=valid_to, valid_to__gte=valid_from
    ).select_related("product", "account")
    others = others.filter(account=account) if account is not None else others.filter(account__isnull=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.order_by("valid_from").first()
