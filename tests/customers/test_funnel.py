"""The daily funnel job (DESIGN §6) with the worked cases F01–F08 of cases/funnel.yaml, copied here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales_erp.billing.models import UsageRecord
from sales_erp.customers.funnel import funnel_drops_ahead, funnel_run
from sales_erp.customers.models import (
    Account,
    Contract,
    Customer,
    FunnelNotice,
    FunnelSettings,
    Product,
    Tier,
    TierChange,
    TierRule,
)
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ContactLogFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TIERS = {"合同": Tier.CONTRACT, "测试": Tier.TEST, "意向": Tier.INTENT, "沉默": Tier.SILENT, "公共池": Tier.POOL}


@pytest.fixture
def owner() -> User:
    leader = UserFactory.create(username="f_leader", roles=[Role.SALES_LEADER])
    return UserFactory.create(username="f_sales", roles=[Role.SALES], superior=leader)


def d(text: str) -> date:
    return date.fromisoformat(text)


def make_customer(
    owner: User,
    *,
    tier: str,
    tier_since: str,
    logs: list[str],
    has_account: bool = False,
    info_complete: bool = True,
    contract: tuple[str, str] | None = None,
    name: str = "漏斗测试科技有限公司",
) -> Customer:
    customer = CustomerFactory.create(name=name, owner=owner, tier=TIERS[tier], tier_since=d(tier_since))
    if info_complete:  # mobile and name are on the customer; a contact adds the title and a WeChat
        ContactFactory.create(customer=customer, name="李工", title="技术负责人", wechat="ligong_01")
    for day in logs:
        ContactLogFactory.create(customer=customer, date=d(day))
    if has_account:
        AccountFactory.create(product=ProductFactory.create(customer=customer))
    if contract is not None:
        ContractFactory.create(customer=customer, valid_from=d(contract[0]), valid_to=d(contract[1]))
    return customer


def run_daily(first: str, last: str) -> None:
    day = d(first)
    while day <= d(last):
        funnel_run(day=day)
        day += timedelta(days=1)


def funnel_messages(customer: Customer) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.FUNNEL, target_id=customer.pk).order_by("pk"))


def test_F01_intent_with_log_exactly_15_days_ago_stays(owner):
    customer = make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"])
    funnel_run(day=d("2026-11-25"))
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_since) == (Tier.INTENT, d("2026-11-01"))
    assert TierChange.objects.count() == 0
    assert funnel_messages(customer) == []


def test_F02_one_day_later_silent_and_owner_and_superior_notified(owner):
    customer = make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"])
    report = funnel_run(day=d("2026-11-26"))
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_since, customer.owner) == (Tier.SILENT, d("2026-11-26"), owner)
    change = TierChange.objects.get()
    assert (change.customer, change.from_tier, change.to_tier, change.rule, change.date, change.salesperson) == (
        customer,
        Tier.INTENT,
        Tier.SILENT,
        TierRule.INTENT_NO_LOG,
        d("2026-11-26"),
        owner,
    )
    messages = funnel_messages(customer)
    assert sorted(m.recipient.username for m in messages) == ["f_leader", "f_sales"]
    assert {m.title for m in messages} == {"客户降级为沉默客户：漏斗测试科技有限公司"}
    assert {m.body for m in messages} == {"意向客户15日没有联系日志，2026-11-26 自动降级为沉默客户。"}
    assert {m.link for m in messages} == {f"/desk/customers/{customer.pk}/"}
    assert all(m.read_at is None for m in messages)
    assert report["moved"] == {TierRule.INTENT_NO_LOG: 1}
    assert report["messages"] == 2


def test_F03_one_tier_a_night_full_windows_old_log_never_lifts(owner):
    customer = make_customer(owner, tier="测试", tier_since="2026-08-01", logs=["2026-09-20"], has_account=True)
    run_daily("2026-10-20", "2027-02-10")
    changes = list(TierChange.objects.filter(customer=customer).order_by("date").values_list("date", "to_tier"))
    assert changes == [
        (d("2026-10-21"), Tier.INTENT),
        (d("2026-11-05"), Tier.SILENT),
        (d("2027-02-05"), Tier.POOL),
    ]
    customer.refresh_from_db()
    assert (customer.tier, customer.owner, customer.tier_since) == (Tier.POOL, None, d("2027-02-05"))
    # Every move told the owner and the superior; the pool move still names the salesperson who lost it.
    assert len(funnel_messages(customer)) == 6
    assert TierChange.objects.get(to_tier=Tier.POOL).salesperson == owner


def test_F04_silent_customer_that_keeps_getting_logs_is_never_demoted(owner):
    customer = make_customer(
        owner,
        tier="沉默",
        tier_since="2026-06-01",
        logs=["2026-07-01", "2026-08-15", "2026-10-01"],
        info_complete=False,
    )
    funnel_run(day=d("2026-11-30"))
    customer.refresh_from_db()
    assert customer.tier == Tier.SILENT
    assert TierChange.objects.count() == 0


def test_F05_intent_with_recent_log_and_account_becomes_test(owner):
    customer = make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-20"], has_account=True)
    funnel_run(day=d("2026-11-25"))
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_since) == (Tier.TEST, d("2026-11-25"))
    assert TierChange.objects.get().rule == TierRule.INTENT_TO_TEST


def test_F06_intent_with_account_and_valid_contract_goes_straight_to_contract(owner):
    customer = make_customer(
        owner,
        tier="意向",
        tier_since="2026-11-01",
        logs=["2026-11-20"],
        has_account=True,
        contract=("2026-11-01", "2027-10-31"),
    )
    funnel_run(day=d("2026-11-25"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT
    assert list(TierChange.objects.values_list("rule", flat=True)) == [TierRule.INTENT_TO_CONTRACT]


def test_F07_contract_customer_without_logs_one_notice_per_month_no_demotion(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2026-01-01", logs=["2026-09-01"], contract=("2026-01-01", "2027-12-31")
    )
    run_daily("2026-11-01", "2026-12-05")
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT
    assert TierChange.objects.count() == 0
    notices = FunnelNotice.objects.filter(customer=customer, rule=TierRule.CONTRACT_NO_LOG)
    assert sorted(n.month.isoformat()[:7] for n in notices) == ["2026-11", "2026-12"]
    assert [n.date for n in notices.order_by("date")] == [d("2026-11-01"), d("2026-12-01")]
    messages = funnel_messages(customer)
    assert len(messages) == 4  # owner and superior, twice
    assert {m.title for m in messages} == {"合同客户无联系日志：漏斗测试科技有限公司"}


def test_F08_contract_ended_3_months_ago_no_renewal_no_usage_becomes_test(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2025-08-01", logs=["2026-10-28"], contract=("2025-08-01", "2026-07-31")
    )
    funnel_run(day=d("2026-10-31"))
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_since) == (Tier.TEST, d("2026-10-31"))
    assert TierChange.objects.get().rule == TierRule.CONTRACT_EXPIRED


def test_contract_expired_but_still_sending_stays_contract(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2025-08-01", logs=["2026-10-28"], contract=("2025-08-01", "2026-07-31")
    )
    account = AccountFactory.create(product=ProductFactory.create(customer=customer))
    UsageRecord.objects.create(
        account_code=account.code, account=account, day=d("2026-09-15"), month=d("2026-09-01"), submitted=10
    )
    funnel_run(day=d("2026-10-31"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT


def test_contract_expired_two_days_short_of_three_months_stays(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2025-08-01", logs=["2026-10-28"], contract=("2025-08-01", "2026-07-31")
    )
    funnel_run(day=d("2026-10-30"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT


def test_contract_renewed_stays_contract(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2025-08-01", logs=["2026-10-28"], contract=("2025-08-01", "2026-07-31")
    )
    ContractFactory.create(customer=customer, valid_from=d("2026-08-01"), valid_to=d("2027-07-31"))
    funnel_run(day=d("2026-10-31"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT


def test_contract_ending_within_a_month_notice_once_per_month(owner):
    customer = make_customer(
        owner, tier="合同", tier_since="2026-01-01", logs=["2026-11-10"], contract=("2026-01-01", "2026-12-20")
    )
    run_daily("2026-11-15", "2026-11-25")
    notices = FunnelNotice.objects.filter(customer=customer, rule=TierRule.CONTRACT_ENDING)
    assert [n.date for n in notices] == [d("2026-11-20")]  # 2026-12-20 − 1 month
    assert {m.title for m in funnel_messages(customer)} == {"合同即将到期：漏斗测试科技有限公司"}


def test_silent_with_new_log_and_complete_info_becomes_intent(owner):
    customer = make_customer(owner, tier="沉默", tier_since="2026-10-01", logs=["2026-10-20"])
    funnel_run(day=d("2026-11-01"))
    customer.refresh_from_db()
    assert customer.tier == Tier.INTENT
    assert TierChange.objects.get().rule == TierRule.SILENT_TO_INTENT


def test_silent_completeness_threshold_is_a_setting(owner):
    customer = make_customer(owner, tier="沉默", tier_since="2026-10-01", logs=["2026-10-20"], info_complete=False)
    funnel_run(day=d("2026-11-01"))
    customer.refresh_from_db()
    assert customer.tier == Tier.SILENT  # 50 %: no contact with a title, no other way to reach them
    FunnelSettings.objects.update_or_create(pk=1, defaults={"completeness_threshold": 50})
    funnel_run(day=d("2026-11-02"))
    customer.refresh_from_db()
    assert customer.tier == Tier.INTENT


def test_silent_log_before_it_went_silent_does_not_lift_it(owner):
    customer = make_customer(owner, tier="沉默", tier_since="2026-10-21", logs=["2026-10-20"], has_account=True)
    funnel_run(day=d("2026-11-01"))
    customer.refresh_from_db()
    assert customer.tier == Tier.SILENT


def test_silent_with_account_and_contract_goes_to_contract_highest_first(owner):
    customer = make_customer(
        owner,
        tier="沉默",
        tier_since="2026-10-01",
        logs=["2026-10-20"],
        has_account=True,
        contract=("2026-10-01", "2027-09-30"),
    )
    funnel_run(day=d("2026-11-01"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT
    assert list(TierChange.objects.values_list("rule", flat=True)) == [TierRule.SILENT_TO_CONTRACT]


def test_test_customer_with_log_and_valid_contract_becomes_contract(owner):
    customer = make_customer(
        owner, tier="测试", tier_since="2026-10-01", logs=["2026-10-20"], contract=("2026-10-15", "2027-10-14")
    )
    funnel_run(day=d("2026-11-01"))
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT


def test_approved_test_account_counts_like_an_account(owner):
    customer = make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-20"])
    Customer.objects.filter(pk=customer.pk).update(test_account_approved_on=d("2026-11-18"))
    funnel_run(day=d("2026-11-25"))
    customer.refresh_from_db()
    assert customer.tier == Tier.TEST


def test_second_run_on_the_same_day_changes_nothing(owner):
    make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"], name="甲公司")
    make_customer(
        owner,
        tier="合同",
        tier_since="2026-01-01",
        logs=["2026-09-01"],
        contract=("2026-01-01", "2027-12-31"),
        name="乙公司",
    )
    first = funnel_run(day=d("2026-11-26"))
    state = list(Customer.objects.order_by("pk").values_list("tier", "tier_since", "owner"))
    counts = (TierChange.objects.count(), FunnelNotice.objects.count(), Message.objects.count())
    second = funnel_run(day=d("2026-11-26"))
    assert first["moved"] and first["notices"]
    assert (second["moved"], second["notices"], second["messages"]) == ({}, {}, 0)
    assert list(Customer.objects.order_by("pk").values_list("tier", "tier_since", "owner")) == state
    assert (TierChange.objects.count(), FunnelNotice.objects.count(), Message.objects.count()) == counts


def test_owner_without_superior_gets_one_message(owner):
    lone = UserFactory.create(username="f_lone", roles=[Role.SALES])
    customer = make_customer(lone, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"])
    funnel_run(day=d("2026-11-26"))
    assert [m.recipient for m in funnel_messages(customer)] == [lone]


def test_pool_customers_are_left_alone(owner):
    customer = CustomerFactory.create(owner=None, tier=Tier.POOL, tier_since=d("2026-01-01"))
    funnel_run(day=d("2026-11-26"))
    customer.refresh_from_db()
    assert customer.tier == Tier.POOL
    assert TierChange.objects.count() == 0


def test_funnel_run_is_registered_as_a_daily_job(owner):
    from sales_erp import hooks
    from sales_erp.jobs.services import job_run

    make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"])
    assert hooks.PERIODIC_JOBS["funnel_run"].crontab == "30 1 * * *"
    run = job_run(name="funnel_run", day="2026-11-26")
    assert run.report["moved"] == {TierRule.INTENT_NO_LOG: 1}


def population(owner: User, n: int, start: int) -> None:
    """n customers of each kind the rules treat differently."""
    for i in range(start, start + n):
        make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-10"], name=f"降级{i}")
        make_customer(
            owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-20"], has_account=True, name=f"升级{i}"
        )
        make_customer(owner, tier="沉默", tier_since="2026-10-01", logs=["2026-10-20"], name=f"完善{i}")
        make_customer(
            owner,
            tier="合同",
            tier_since="2026-01-01",
            logs=["2026-09-01"],
            contract=("2026-01-01", "2027-12-31"),
            name=f"合同{i}",
        )


def queries_of_one_run(day: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        funnel_run(day=d(day))
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_customers(owner):
    funnel_run(day=d("2026-01-01"))  # first run ever: creates the settings row, caches content types
    population(owner, 2, 0)
    small = queries_of_one_run("2026-11-26")
    assert TierChange.objects.count() == 6
    for model in (Account, Product, Contract, Customer):  # start again from nothing, PROTECT order
        model.objects.all().delete()
    population(owner, 8, 100)
    large = queries_of_one_run("2026-11-26")
    assert TierChange.objects.count() == 24
    assert FunnelNotice.objects.count() == 8
    assert large == small


def test_early_warning_predicts_exactly_what_the_job_then_does(owner):
    make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-08"], name="意向11-24降")
    make_customer(owner, tier="意向", tier_since="2026-11-15", logs=[], name="意向11-30降")
    make_customer(owner, tier="测试", tier_since="2026-10-01", logs=["2026-10-25"], name="测试11-26降")
    make_customer(owner, tier="沉默", tier_since="2026-08-25", logs=["2026-08-20"], name="沉默11-25降")
    make_customer(
        owner,
        tier="合同",
        tier_since="2025-08-01",
        logs=["2026-11-01"],
        contract=("2025-08-01", "2026-08-27"),
        name="合同11-27降",
    )
    make_customer(owner, tier="意向", tier_since="2026-11-01", logs=["2026-11-18"], name="意向安全")
    predicted = funnel_drops_ahead(customers=Customer.objects.all(), day=d("2026-11-22"), days=8)
    by_name = {Customer.objects.get(pk=pk).name: (drop.on, drop.to_tier) for pk, drop in predicted.items()}
    assert by_name == {
        "意向11-24降": (d("2026-11-24"), Tier.SILENT),
        "意向11-30降": (d("2026-11-30"), Tier.SILENT),
        "测试11-26降": (d("2026-11-26"), Tier.INTENT),
        "沉默11-25降": (d("2026-11-25"), Tier.POOL),
        "合同11-27降": (d("2026-11-27"), Tier.TEST),
    }
    run_daily("2026-11-23", "2026-11-30")
    done = {c.customer.name: (c.date, c.to_tier) for c in TierChange.objects.select_related("customer")}
    assert done == by_name
