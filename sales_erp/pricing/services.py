"""Writes on price schedules: create (as a draft), submit, activate, send back, void.

A schedule takes effect through `price_schedule_activate` only — called by the price_change process's
archive effect, or by finance/admins in the desk. The overlap check runs at submit and at activation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from sales_erp.customers.models import Account, Product, ProductKind
from sales_erp.org.models import User
from sales_erp.pricing.intl_table import CountryPriceRow
from sales_erp.pricing.models import (
    SCHEDULE_TRANSITIONS,
    CountryPrice,
    PriceSchedule,
    PriceScheduleAttachment,
    PriceTier,
    PriceType,
    ScheduleStatus,
)
from sales_erp.pricing.selectors import schedule_overlapping
from sales_erp.pricing.tiers import TierGroups
from sales_erp.workflow.models import ProcessInstance

OVERLAP = "与{other}时间重叠：同一产品（或同一账号）的价格不能重叠，请调整起止日期，或先作废调价 #{pk}"
TRANSITION_REFUSED = "调价 #{pk} 当前为「{current}」，不能改为「{target}」"
ACCOUNT_NOT_OF_PRODUCT = "账号 {account} 不属于产品 {product}"
DATES_ORDER = "价格截止日期 {valid_to} 不能早于起始日期 {valid_from}"
INTL_TABLE_REQUIRED = "国际短信产品请上传国际价格表（国家/地区、国家代码、单价）"
INTL_TABLE_ONLY = "只有国际短信产品使用国际价格表"
NO_TIERS = "请至少填写一档价格"
ATTACHMENTS_TOO_LARGE = "附件总大小 {size} MB 超过 100 MB"
MAX_ATTACHMENTS_BYTES = 100 * 1024 * 1024


class PricingRefused(Exception):
    """A refused pricing action; `code` is stable for callers, the message says what to fix."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def schedule_scope_check(
    *, product: Product, account: Account | None, valid_from: date, valid_to: date, country_prices: bool
) -> None:
    if account is not None and account.product_id != product.pk:
        raise PricingRefused(
            ACCOUNT_NOT_OF_PRODUCT.format(account=account.code, product=product.code), code="schedule.account"
        )
    if valid_to < valid_from:
        raise PricingRefused(DATES_ORDER.format(valid_to=valid_to, valid_from=valid_from), code="schedule.dates")
    intl = product.kind == ProductKind.INTL_SMS
    if intl and not country_prices:
        raise PricingRefused(INTL_TABLE_REQUIRED, code="schedule.intl_table")
    if country_prices and not intl:
        raise PricingRefused(INTL_TABLE_ONLY, code="schedule.intl_table")


def overlap_check(
    *,
    product: Product,
    account: Account | None,
    valid_from: date,
    valid_to: date,
    statuses: tuple[str, ...],
    exclude_pk: int | None = None,
) -> None:
    other = schedule_overlapping(
        product=product,
        account=account,
        valid_from=valid_from,
        valid_to=valid_to,
        statuses=statuses,
        exclude_pk=exclude_pk,
    )
    if other is not None:
        label = f"{other}（{other.get_status_display()}）"
        raise PricingRefused(OVERLAP.format(other=label, pk=other.pk), code="schedule.overlap")


def schedule_overlap_check(*, schedule: PriceSchedule, statuses: tuple[str, ...]) -> None:
    overlap_check(
        product=schedule.product,
        account=schedule.account,
        valid_from=schedule.valid_from,
        valid_to=schedule.valid_to,
        statuses=statuses,
        exclude_pk=schedule.pk,
    )


def attachments_check(files: Sequence[UploadedFile | File]) -> None:
    total = sum(f.size or 0 for f in files)
    if total > MAX_ATTACHMENTS_BYTES:
        raise PricingRefused(
            ATTACHMENTS_TOO_LARGE.format(size=f"{total / 1024 / 1024:.1f}"), code="schedule.attachments"
        )


@transaction.atomic
def price_schedule_create(
    *,
    product: Product,
    account: Account | None = None,
    price_type: str,
    tiers: TierGroups,
    valid_from: date,
    valid_to: date,
    remarks: str,
    million_ratio: Decimal | None = None,
    province_ratio: Decimal | None = None,
    country_prices: Iterable[CountryPriceRow] = (),
    attachments: Sequence[UploadedFile | File] = (),
    process: ProcessInstance | None = None,
    user: User | None,
) -> PriceSchedule:
    """A new schedule in draft; it prices nothing until activated. `process`: the price_change instance."""
    country_rows = list(country_prices)
    schedule_scope_check(
        product=product, account=account, valid_from=valid_from, valid_to=valid_to, country_prices=bool(country_rows)
    )
    if country_rows:
        price_type, tiers = PriceType.UNIFORM, {}  # each country's volume at its own price
    elif not any(tiers.values()):
        raise PricingRefused(NO_TIERS, code="schedule.tiers")
    attachments_check(attachments)
    schedule = PriceSchedule.objects.create(
        product=product,
        account=account,
        price_type=price_type,
        valid_from=valid_from,
        valid_to=valid_to,
        remarks=remarks,
        million_ratio=million_ratio,
        province_ratio=province_ratio,
        created_by=user,
        process=process,
    )
    PriceTier.objects.bulk_create(
        PriceTier(schedule=schedule, carrier=carrier, lower=t.lower, upper=t.upper, price=t.price)
        for carrier, group in tiers.items()
        for t in group
    )
    CountryPrice.objects.bulk_create(
        CountryPrice(schedule=schedule, country=row.country, country_name=row.country_name, price=row.price)
        for row in country_rows
    )
    for upload in attachments:
        PriceScheduleAttachment.objects.create(
            schedule=schedule, file=upload, name=upload.name or "", size=upload.size or 0, uploaded_by=user
        )
    return schedule


def price_schedule_transition(*, schedule: PriceSchedule, to: str, user: User | None) -> None:
    """The one door for a status change; refuses any move SCHEDULE_TRANSITIONS does not list."""
    if to not in SCHEDULE_TRANSITIONS[schedule.status]:
        raise PricingRefused(
            TRANSITION_REFUSED.format(
                pk=schedule.pk, current=schedule.get_status_display(), target=ScheduleStatus(to).label
            ),
            code="schedule.transition_refused",
        )
    schedule.status = to
    fields = ["status"]
    if to == ScheduleStatus.ACTIVE:
        schedule.activated_by, schedule.activated_at = user, timezone.now()
        fields += ["activated_by", "activated_at"]
    schedule._history_user = user  # type: ignore[attr-defined]  # simple_history records who
    schedule.save(update_fields=fields)


def schedule_lock(schedule: PriceSchedule) -> PriceSchedule:
    """Re-read the schedule under a lock on its product, so two activations of one product queue up."""
    Product.objects.select_for_update().get(pk=schedule.product_id)
    return PriceSchedule.objects.select_related("product", "account").get(pk=schedule.pk)


@transaction.atomic
def price_schedule_submit(*, schedule: PriceSchedule, user: User | None) -> PriceSchedule:
    """Draft → 审批中, when its price_change process starts. Refused if it overlaps a live schedule."""
    schedule = schedule_lock(schedule)
    schedule_overlap_check(schedule=schedule, statuses=(ScheduleStatus.ACTIVE, ScheduleStatus.PENDING))
    price_schedule_transition(schedule=schedule, to=ScheduleStatus.PENDING, user=user)
    return schedule


@transaction.atomic
def price_schedule_activate(*, schedule: PriceSchedule, user: User | None) -> PriceSchedule:
    """The schedule takes effect (price_change archived, or finance/admin in the desk)."""
    schedule = schedule_lock(schedule)
    schedule_overlap_check(schedule=schedule, statuses=(ScheduleStatus.ACTIVE,))
    price_schedule_transition(schedule=schedule, to=ScheduleStatus.ACTIVE, user=user)
    return schedule


@transaction.atomic
def price_schedule_return(*, schedule: PriceSchedule, user: User | None) -> PriceSchedule:
    """审批中 → draft again, when its price_change process is rejected or withdrawn."""
    schedule = schedule_lock(schedule)
    price_schedule_transition(schedule=schedule, to=ScheduleStatus.DRAFT, user=user)
    return schedule


@transaction.atomic
def price_schedule_void(*, schedule: PriceSchedule, user: User | None) -> PriceSchedule:
    """作废: the schedule prices nothing from now on; bills already made keep their figures."""
    schedule = schedule_lock(schedule)
    price_schedule_transition(schedule=schedule, to=ScheduleStatus.VOID, user=user)
    return schedule
