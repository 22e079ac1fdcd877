"""The self-moving customer funnel (DESIGN §6, manual V17 销售公共池漏斗).

Every rule is one SQL condition on customers; the daily job and the early-warning list both use them,
so the windows are written down once. The job is set-based: each rule is one INSERT … SELECT of its
TierChange rows, then one UPDATE per target tier and one INSERT … SELECT of messages per recipient kind
— a fixed number of queries however many customers there are (bench/funnel.py counts them).

The two window rules of DESIGN §6:
- a downgrade needs `day − W ≥ tier_since`, so each tier gets its full window and nobody falls two
  tiers in one night;
- an upgrade counts only logs dated on or after `tier_since`, so the log that was already weighed before
  a customer moved down never lifts it back.
A customer moves at most once a day: every tier rule skips customers with a TierChange dated that day,
which also makes a second run on the same day change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils import timezone

from sales_erp.billing.models import UsageRecord
from sales_erp.customers.models import (
    Account,
    ContactLog,
    Contract,
    ContractStatus,
    Customer,
    FunnelNotice,
    FunnelSettings,
    Tier,
    TierChange,
    TierRule,
    WindowUnit,
)
from sales_erp.customers.selectors import completeness_expression
from sales_erp.messaging.models import Message, MessageKind


@dataclass(frozen=True)
class Windows:
    """FunnelSettings turned into date arithmetic (calendar months: 2026-03-31 − 1 month = 2026-02-28)."""

    contract: relativedelta
    test: relativedelta
    intent: relativedelta
    silent: relativedelta
    contract_ending: relativedelta
    contract_expired: relativedelta
    completeness: int
    text: dict[str, str]  # "15日", "1个月" … for messages

    @classmethod
    def of(cls, settings: FunnelSettings) -> Windows:
        def delta(n: int, unit: str) -> relativedelta:
            return relativedelta(days=n) if unit == WindowUnit.DAY else relativedelta(months=n)

        def label(n: int, unit: str) -> str:
            return f"{n}{WindowUnit(unit).label}"

        return cls(
            contract=delta(settings.contract_window, settings.contract_window_unit),
            test=delta(settings.test_window, settings.test_window_unit),
            intent=delta(settings.intent_window, settings.intent_window_unit),
            silent=delta(settings.silent_window, settings.silent_window_unit),
            contract_ending=relativedelta(months=settings.contract_ending_months),
            contract_expired=relativedelta(months=settings.contract_expired_months),
            completeness=settings.completeness_threshold,
            text={
                "contract": label(settings.contract_window, settings.contract_window_unit),
                "test": label(settings.test_window, settings.test_window_unit),
                "intent": label(settings.intent_window, settings.intent_window_unit),
                "silent": label(settings.silent_window, settings.silent_window_unit),
                "ending": f"{settings.contract_ending_months}个月",
                "expired": f"{settings.contract_expired_months}个月",
                "completeness": f"{settings.completeness_threshold}%",
            },
        )


# ---------------------------------------------------------------------------------- the conditions
def log_within(day: date, window: relativedelta) -> Exists:
    """A contact log dated in [day − W, day]."""
    return Exists(ContactLog.objects.filter(customer=OuterRef("pk"), date__gte=day - window, date__lte=day))


def new_log_within(day: date, window: relativedelta) -> Exists:
    """A log within W that is also dated on or after the day the customer entered its tier."""
    logs = ContactLog.objects.filter(customer=OuterRef("pk"), date__gte=day - window, date__lte=day)
    return Exists(logs.filter(date__gte=OuterRef("tier_since")))


def full_window(day: date, window: relativedelta) -> Q:
    """The customer has stood in its tier for the whole window: day − W ≥ tier_since."""
    return Q(tier_since__lte=day - window)


def test_account(day: date) -> Q:
    """测试账号流程归档 or a product of the customer has an account."""
    accounts = Account.objects.filter(product__customer=OuterRef("pk"))
    return Q(test_account_approved_on__lte=day) | Q(Exists(accounts))


def archived_contracts(day: date) -> QuerySet[Contract]:
    return Contract.objects.filter(customer=OuterRef("pk"), status=ContractStatus.ARCHIVED, archived_on__lte=day)


def valid_contract(day: date) -> Exists:
    """An archived contract in force on `day` (an empty date is open on that side)."""
    return Exists(
        archived_contracts(day)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )


def contracts_end_by(day: date, last: date) -> Q:
    """The customer has archived contracts and every one of them ends on or before `last` (no renewal
    runs past it; a contract without an end date never ends)."""
    beyond = archived_contracts(day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last))
    return Q(Exists(archived_contracts(day))) & ~Q(Exists(beyond))


def usage_between(first: date, last: date) -> Exists:
    """Any messages sent on the customer's accounts in [first, last]."""
    usage = UsageRecord.objects.filter(
        account__product__customer=OuterRef("pk"),
        month__gte=first.replace(day=1),  # lets the (account, month) index narrow the rows
        day__gte=first,
        day__lte=last,
    ).filter(Q(submitted__gt=0) | Q(billable__gt=0))
    return Exists(usage)


@dataclass(frozen=True)
class FunnelRule:
    rule: TierRule
    source: Tier
    target: Tier | None  # None: a notice only (降级 1 and 2)
    narrow: Callable[[QuerySet[Customer], date, Windows], QuerySet[Customer]]
    title: str  # the message title, before the customer's name
    body: str  # the message body; {placeholders} from Windows.text and {day}

    def matches(self, customers: QuerySet[Customer], *, day: date, windows: Windows) -> QuerySet[Customer]:
        return self.narrow(customers.filter(tier=self.source), day, windows)

    def body_text(self, *, day: date, windows: Windows) -> str:
        return self.body.format(day=day.isoformat(), **windows.text)


# Upgrades first, highest target first: a rule skips customers an earlier rule already moved that day.
TIER_RULES: tuple[FunnelRule, ...] = (
    FunnelRule(
        TierRule.SILENT_TO_CONTRACT,
        Tier.SILENT,
        Tier.CONTRACT,
        lambda qs, day, w: qs.filter(new_log_within(day, w.silent), test_account(day), valid_contract(day)),
        "客户升级为合同客户：",
        "沉默客户近{silent}有联系日志、有测试账号且合同有效，{day} 自动升级为合同客户。",
    ),
    FunnelRule(
        TierRule.SILENT_TO_TEST,
        Tier.SILENT,
        Tier.TEST,
        lambda qs, day, w: qs.filter(new_log_within(day, w.silent), test_account(day)),
        "客户升级为测试客户：",
        "沉默客户近{silent}有联系日志且有测试账号，{day} 自动升级为测试客户。",
    ),
    FunnelRule(
        TierRule.SILENT_TO_INTENT,
        Tier.SILENT,
        Tier.INTENT,
        lambda qs, day, w: qs.filter(
            new_log_within(day, w.silent), GreaterThanOrEqual(completeness_expression(), w.completeness)
        ),
        "客户升级为意向客户：",
        "沉默客户近{silent}有联系日志且信息完善率达到{completeness}，{day} 自动升级为意向客户。",
    ),
    FunnelRule(
        TierRule.INTENT_TO_CONTRACT,
        Tier.INTENT,
        Tier.CONTRACT,
        lambda qs, day, w: qs.filter(new_log_within(day, w.intent), test_account(day), valid_contract(day)),
        "客户升级为合同客户：",
        "意向客户近{intent}有联系日志、有测试账号且合同有效，{day} 自动升级为合同客户。",
    ),
    FunnelRule(
        TierRule.INTENT_TO_TEST,
        Tier.INTENT,
        Tier.TEST,
        lambda qs, day, w: qs.filter(new_log_within(day, w.intent), test_account(day)),
        "客户升级为测试客户：",
        "意向客户近{intent}有联系日志且有测试账号，{day} 自动升级为测试客户。",
    ),
    FunnelRule(
        TierRule.TEST_TO_CONTRACT,
        Tier.TEST,
        Tier.CONTRACT,
        lambda qs, day, w: qs.filter(new_log_within(day, w.test), valid_contract(day)),
        "客户升级为合同客户：",
        "测试客户近{test}有联系日志且合同有效，{day} 自动升级为合同客户。",
    ),
    FunnelRule(
        TierRule.CONTRACT_EXPIRED,
        Tier.CONTRACT,
        Tier.TEST,
        lambda qs, day, w: qs.filter(
            full_window(day, w.contract_expired),
            contracts_end_by(day, day - w.contract_expired),
        ).exclude(usage_between(day - w.contract_expired + timedelta(days=1), day)),
        "客户降级为测试客户：",
        "合同到期已满{expired}仍未续签，且这{expired}没有发送量，{day} 自动降级为测试客户。",
    ),
    FunnelRule(
        TierRule.TEST_NO_LOG,
        Tier.TEST,
        Tier.INTENT,
        lambda qs, day, w: qs.filter(full_window(day, w.test)).exclude(log_within(day, w.test)),
        "客户降级为意向客户：",
        "测试客户{test}没有联系日志，{day} 自动降级为意向客户。",
    ),
    FunnelRule(
        TierRule.INTENT_NO_LOG,
        Tier.INTENT,
        Tier.SILENT,
        lambda qs, day, w: qs.filter(full_window(day, w.intent)).exclude(log_within(day, w.intent)),
        "客户降级为沉默客户：",
        "意向客户{intent}没有联系日志，{day} 自动降级为沉默客户。",
    ),
    FunnelRule(
        TierRule.SILENT_NO_LOG,
        Tier.SILENT,
        Tier.POOL,
        lambda qs, day, w: qs.filter(full_window(day, w.silent)).exclude(log_within(day, w.silent)),
        "客户转入公共池：",
        "沉默客户{silent}没有联系日志，{day} 自动转入公共池，不再归属原销售。",
    ),
)

NOTICE_RULES: tuple[FunnelRule, ...] = (
    FunnelRule(
        TierRule.CONTRACT_NO_LOG,
        Tier.CONTRACT,
        None,
        lambda qs, day, w: qs.filter(full_window(day, w.contract)).exclude(log_within(day, w.contract)),
        "合同客户无联系日志：",
        "合同客户{contract}没有联系日志，请及时联系客户并填写联系日志（本月只提醒一次）。",
    ),
    FunnelRule(
        TierRule.CONTRACT_ENDING,
        Tier.CONTRACT,
        None,
        lambda qs, day, w: qs.filter(
            contracts_end_by(day, day + w.contract_ending),
            Exists(archived_contracts(day).filter(valid_to__gte=day)),
        ),
        "合同即将到期：",
        "客户合同将在{ending}内到期，请尽快续签（本月只提醒一次）。",
    ),
)

DOWNGRADE_RULES = tuple(r for r in TIER_RULES if r.target is not None and r.rule.value.startswith("down_"))
FUNNEL_TIER_RULES = [r.rule for r in TIER_RULES]


# ------------------------------------------------------------------------------------------ the job
def insert_from_select(model: type[models.Model], rows: QuerySet, columns: dict[str, object]) -> int:
    """INSERT INTO model (columns) SELECT … — one statement for any number of rows.

    `columns` maps the model's field names to expressions over `rows`. Django has no INSERT … SELECT,
    and bulk_create would cost one statement per few hundred rows.
    """
    aliases = {f"col_{i}": expression for i, expression in enumerate(columns.values())}
    select = rows.order_by().annotate(**aliases).values(*aliases)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(field).column) for field in columns)  # type: ignore[union-attr,arg-type]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


def _customer_link() -> Concat:
    marker = 987654321
    before, after = reverse("customers:page", args=[marker]).split(str(marker))
    return Concat(Value(before), Cast("customer_id", models.CharField()), Value(after), output_field=models.CharField())


def _send_messages(rows: QuerySet, rules: tuple[FunnelRule, ...], *, day: date, windows: Windows) -> int:
    """One message to the salesperson and one to their superior per row of TierChange or FunnelNotice."""
    title = Concat(
        models.Case(*[models.When(rule=r.rule, then=Value(r.title)) for r in rules], output_field=models.CharField()),
        F("customer__name"),
        output_field=models.CharField(),
    )
    body = models.Case(
        *[models.When(rule=r.rule, then=Value(r.body_text(day=day, windows=windows))) for r in rules],
        output_field=models.TextField(),
    )
    common = {
        "kind": Value(MessageKind.FUNNEL),
        "title": title,
        "body": body,
        "link": _customer_link(),
        "target_type": Value(ContentType.objects.get_for_model(Customer).pk),
        "target_id": F("customer_id"),
        "created_at": Value(timezone.now(), output_field=models.DateTimeField()),
    }
    to_owner = rows.filter(salesperson__isnull=False)
    to_superior = to_owner.filter(salesperson__superior__isnull=False).exclude(salesperson__superior=F("salesperson"))
    sent = insert_from_select(Message, to_owner, {"recipient": F("salesperson_id"), **common})
    sent += insert_from_select(Message, to_superior, {"recipient": F("salesperson__superior_id"), **common})
    return sent


def customers_move(*, after: int, day: date) -> int:
    """Apply the day's new funnel TierChange rows (id > `after`) to their customers in one UPDATE … JOIN:
    tier and tier_since from the row; owner and claim cleared for the pool.

    One statement driven by the (few) new rows: an UPDATE … WHERE EXISTS per tier would scan every
    customer once per tier, which costs seconds on MariaDB at 100,000 customers.
    """
    customer, change = Customer._meta, TierChange._meta
    c, t = connection.ops.quote_name(customer.db_table), connection.ops.quote_name(change.db_table)
    rules = ", ".join(["%s"] * len(FUNNEL_TIER_RULES))
    clear = "CASE WHEN t.to_tier = %s THEN NULL ELSE {column} END"
    if connection.vendor == "mysql":
        sql = (
            f"UPDATE {c} c INNER JOIN {t} t ON t.customer_id = c.id "
            f"SET c.tier = t.to_tier, c.tier_since = t.date, c.owner_id = {clear.format(column='c.owner_id')}, "
            f"c.claimed_by_id = {clear.format(column='c.claimed_by_id')}, "
            f"c.claimed_at = {clear.format(column='c.claimed_at')} "
            f"WHERE t.id > %s AND t.date = %s AND t.rule IN ({rules})"
        )
    else:  # SQLite 3.33+: UPDATE … FROM
        sql = (
            f"UPDATE {c} SET tier = t.to_tier, tier_since = t.date, owner_id = {clear.format(column='owner_id')}, "
            f"claimed_by_id = {clear.format(column='claimed_by_id')}, claimed_at = {clear.format(column='claimed_at')} "
            f"FROM {t} t WHERE t.customer_id = {c}.id AND t.id > %s AND t.date = %s AND t.rule IN ({rules})"
        )
    params = [Tier.POOL, Tier.POOL, Tier.POOL, after, connection.ops.adapt_datefield_value(day), *FUNNEL_TIER_RULES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def funnel_run(*, day: date | None = None) -> dict[str, Any]:
    """The daily funnel job (hooks.PERIODIC_JOBS["funnel_run"]): move customers, record, notify.

    Idempotent per day; one transaction, so a crash leaves nothing half-done. The settings row is locked
    for the run, so two runs never interleave.
    """
    day = day or timezone.localdate()
    settings = FunnelSettings.objects.select_for_update().filter(pk=1).first()
    if settings is None:
        settings = FunnelSettings.objects.create(pk=1)
    windows = Windows.of(settings)
    now = Value(timezone.now(), output_field=models.DateTimeField())
    last_change = TierChange.objects.aggregate(last=Max("pk"))["last"] or 0
    last_notice = FunnelNotice.objects.aggregate(last=Max("pk"))["last"] or 0

    moved: dict[str, int] = {}
    movable = Customer.objects.exclude(Exists(TierChange.objects.filter(customer=OuterRef("pk"), date=day)))
    for rule in TIER_RULES:
        count = insert_from_select(
            TierChange,
            rule.matches(movable, day=day, windows=windows),
            {
                "customer": F("pk"),
                "from_tier": Value(rule.source),
                "to_tier": Value(rule.target),
                "rule": Value(rule.rule),
                "date": Value(day, output_field=models.DateField()),
                "salesperson": F("owner_id"),
                "created_at": now,
            },
        )
        if count:
            moved[rule.rule] = count

    month = day.replace(day=1)
    notified: dict[str, int] = {}
    for rule in NOTICE_RULES:
        not_yet = Customer.objects.exclude(
            Exists(FunnelNotice.objects.filter(customer=OuterRef("pk"), rule=rule.rule, month=month))
        )
        count = insert_from_select(
            FunnelNotice,
            rule.matches(not_yet, day=day, windows=windows),
            {
                "customer": F("pk"),
                "rule": Value(rule.rule),
                "date": Value(day, output_field=models.DateField()),
                "month": Value(month, output_field=models.DateField()),
                "salesperson": F("owner_id"),
            },
        )
        if count:
            notified[rule.rule] = count

    changes = TierChange.objects.filter(pk__gt=last_change, date=day, rule__in=FUNNEL_TIER_RULES)
    customers_move(after=last_change, day=day)

    notices = FunnelNotice.objects.filter(pk__gt=last_notice, date=day)
    messages = _send_messages(changes, TIER_RULES, day=day, windows=windows)
    messages += _send_messages(notices, NOTICE_RULES, day=day, windows=windows)
    return {"day": day.isoformat(), "moved": moved, "notices": notified, "messages": messages}


# ------------------------------------------------------------------------------------ early warning
@dataclass(frozen=True)
class FunnelDrop:
    customer_id: int
    rule: TierRule
    on: date
    to_tier: Tier


def funnel_drops_ahead(*, customers: QuerySet[Customer], day: date, days: int) -> dict[int, FunnelDrop]:
    """Which of `customers` drop a tier within `days` days after `day` if nothing new is logged.

    Asks the job's own downgrade rules, so the list and the job never disagree. Logs cannot be dated
    in the future, so "nothing new is logged" is simply today's data; and then a downgrade that holds
    on some coming day holds on every later one. So one query per rule at the horizon finds every
    customer that drops, and the days before it, asked about those few only, find each one's first day.
    """
    settings = FunnelSettings.objects.filter(pk=1).first() or FunnelSettings()
    windows = Windows.of(settings)
    horizon = day + timedelta(days=days)
    drops: dict[int, FunnelDrop] = {}
    for rule in DOWNGRADE_RULES:
        assert rule.target is not None
        pending = list(rule.matches(customers, day=horizon, windows=windows).order_by().values_list("pk", flat=True))
        for offset in range(1, days + 1):
            if not pending:
                break
            on = day + timedelta(days=offset)
            dropping: set[int] = set()
            for start in range(0, len(pending), 5000):
                some = Customer.objects.filter(pk__in=pending[start : start + 5000])
                dropping.update(rule.matches(some, day=on, windows=windows).order_by().values_list("pk", flat=True))
            for pk in dropping:
                drops[pk] = FunnelDrop(pk, rule.rule, on, rule.target)
            pending = [pk for pk in pending if pk not in dropping]
    return drops
