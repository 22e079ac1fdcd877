"""Matching deposits to customers (DESIGN §5.4): the payer's normalised name against customer names,
invoice titles and the aliases 销管 recorded; exactly one customer → matched, owner told, reason kept,
hooks.DEPOSIT_MATCHED run in the same transaction; none or several → the pool."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales_erp import hooks
from sales_erp.customers.models import InvoiceTitle, Tier
from sales_erp.deposits.models import NO_PAYER, Deposit, DepositImport, DepositStatus, PayerAlias
from sales_erp.deposits.services import DepositRefused, deposit_assign, deposit_match, deposits_match
from sales_erp.jobs.services import job_run
from sales_erp.messaging.models import Message, MessageKind
from tests.deposits.conftest import (
    GBK_PROFILE,
    GBK_SAMPLE,
    customer_with_titles,
    deposit_make,
    import_bytes,
    import_file,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

M, U = DepositStatus.MATCHED, DepositStatus.UNMATCHED
HEADER = "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"


def statement(*lines: tuple[str, str, str]) -> bytes:
    """A GBK statement of (date, payer, amount) credits with serials S1, S2, …"""
    body = "".join(f'{day},10:00:00,,"{amount}",{payer},,S{i},\n' for i, (day, payer, amount) in enumerate(lines, 1))
    return (HEADER + body).encode("gbk")


def only_deposit() -> Deposit:
    return Deposit.objects.select_related("customer").get()


def test_W05_payer_matches_an_invoice_title_with_full_width_brackets_and_a_stray_space(s1, match_probe):
    customer = customer_with_titles("北京丙丁科技有限公司", "北京丙丁(集团)有限公司", owner=s1)

    import_bytes(statement(("20261110", "北京丙丁（集团）有限公司 ", "100.00")))

    deposit = only_deposit()
    assert (deposit.status, deposit.customer, deposit.salesperson) == (M, customer, s1)
    assert (deposit.match_reason, deposit.amount, deposit.available) == (
        "发票抬头一致",
        Decimal("100.00"),
        Decimal("100.00"),
    )
    assert deposit.received_on == date(2026, 11, 10)
    message = Message.objects.get(recipient=s1)
    assert message.kind == MessageKind.FINANCE
    assert message.title == "到款已匹配：北京丙丁科技有限公司 100.00 元"
    assert (
        message.body
        == "2026-11-10 北京丙丁（集团）有限公司 到款 100.00 元，已匹配到您的客户 北京丙丁科技有限公司（发票抬头一致）。"
    )
    assert message.link == f"/desk/deposits/{deposit.pk}/"
    assert match_probe == [(deposit.pk, M, customer.pk)]


def test_W06_a_payer_name_that_fits_two_customers_stays_in_the_pool(s1, s2, match_probe):
    customer_with_titles("广州戊己贸易有限公司", "广州戊己集团有限公司", owner=s1)
    customer_with_titles("广州戊己集团有限公司", owner=s2)

    import_bytes(statement(("20261110", "广州戊己集团有限公司", "100.00")))

    deposit = only_deposit()
    assert (deposit.status, deposit.customer, deposit.salesperson, deposit.match_reason) == (U, None, None, "")
    assert Message.objects.count() == 0 and match_probe == []
    assert deposits_match() == {"checked": 1, "matched": 0}  # the retry leaves it too


def test_the_customer_name_matches_and_the_gbk_sample_matches_what_it_can(s1, s2, match_probe):
    jiayi = CustomerFactory.create(name="上海甲乙科技有限公司", owner=s1)
    abc = CustomerFactory.create(name="ABC信息技术有限公司", owner=s2)  # the bank wrote it full-width: ＡＢＣ

    result = import_file(GBK_SAMPLE, GBK_PROFILE)

    matched = Deposit.objects.filter(status=M).order_by("received_on")
    assert [(d.payer, d.customer, d.salesperson, d.match_reason) for d in matched] == [
        ("上海甲乙科技有限公司", jiayi, s1, "客户名称一致"),
        ("ＡＢＣ信息技术有限公司", abc, s2, "客户名称一致"),
    ]
    assert result.record.matched == 2
    assert Deposit.objects.filter(status=U).count() == 6
    assert Deposit.objects.get(payer=NO_PAYER).status == U  # interest is never matched
    assert [call[2] for call in match_probe] == [jiayi.pk, abc.pk]


def test_one_message_per_owner_for_several_deposits_of_one_import(s1):
    CustomerFactory.create(name="杭州壬癸网络科技有限公司", owner=s1)
    import_file(GBK_SAMPLE, GBK_PROFILE)
    message = Message.objects.get(recipient=s1)
    assert message.title == "2 笔到款已匹配到您的客户"
    assert message.body.splitlines() == [
        "2026-11-05 杭州壬癸网络科技有限公司 3,600.00 元 → 杭州壬癸网络科技有限公司（客户名称一致）",
        "2026-11-05 杭州壬癸网络科技有限公司 3,600.00 元 → 杭州壬癸网络科技有限公司（客户名称一致）",
    ]


def test_a_pool_customer_gets_its_deposit_without_a_salesperson_to_tell():
    pool = CustomerFactory.create(name="成都子丑科技有限公司", owner=None, tier=Tier.POOL)
    import_file(GBK_SAMPLE, GBK_PROFILE)
    deposit = Deposit.objects.get(payer="成都子丑科技有限公司")
    assert (deposit.status, deposit.customer, deposit.salesperson) == (M, pool, None)
    assert Message.objects.count() == 0


def test_a_deposit_matched_hook_that_fails_undoes_the_whole_import(monkeypatch):
    monkeypatch.setattr(hooks, "DEPOSIT_MATCHED", ["tests.deposits.conftest.probe_refuses"])
    CustomerFactory.create(name="上海甲乙科技有限公司")
    with pytest.raises(RuntimeError):
        import_file(GBK_SAMPLE, GBK_PROFILE)
    assert Deposit.objects.count() == 0 and DepositImport.objects.count() == 0 and Message.objects.count() == 0


def test_the_periodic_job_matches_once_an_invoice_title_is_added(s1, match_probe):
    customer = CustomerFactory.create(name="广州戊己贸易有限公司", owner=s1)
    deposit = deposit_make("广州戊己集团有限公司", "1234.56")
    assert job_run(name="deposits_match").report == {"checked": 1, "matched": 0}

    InvoiceTitle.objects.create(customer=customer, company_name="广州戊己集团有限公司")
    run = job_run(name="deposits_match")

    deposit.refresh_from_db()
    assert run.report == {"checked": 1, "matched": 1}
    assert (deposit.status, deposit.customer, deposit.salesperson, deposit.match_reason) == (
        M,
        customer,
        s1,
        "发票抬头一致",
    )
    assert match_probe == [(deposit.pk, M, customer.pk)]
    assert Message.objects.filter(recipient=s1).count() == 1
    # Idempotent: nothing left to do, nothing told twice.
    assert job_run(name="deposits_match").report == {"checked": 0, "matched": 0}
    assert len(match_probe) == 1 and Message.objects.count() == 1


def test_deposit_match_leaves_a_matched_deposit_alone(s1, s2):
    CustomerFactory.create(name="甲公司", owner=s1)
    other = CustomerFactory.create(name="乙公司", owner=s2)
    deposit = deposit_make("甲公司", status=M, customer=other, salesperson=s2, match_reason="销管指定")
    assert deposit_match(deposit=deposit) is False
    deposit.refresh_from_db()
    assert (deposit.customer, deposit.match_reason) == (other, "销管指定")


def test_sales_admin_assigns_a_pool_deposit_records_the_alias_and_the_next_one_matches_by_it(
    s1, s2, sales_admin, match_probe
):
    trade = customer_with_titles("广州戊己贸易有限公司", "广州戊己集团有限公司", owner=s1)
    customer_with_titles("广州戊己集团有限公司", owner=s2)
    first = deposit_make("广州戊己集团有限公司", "1234.56")
    waiting = deposit_make("广州戊己集团有限公司", "99.00", day=date(2026, 11, 11))  # also in the pool

    deposit_assign(deposit=first, customer=trade, user=sales_admin)

    first.refresh_from_db()
    assert (first.status, first.customer, first.salesperson) == (M, trade, s1)
    assert (first.match_reason, first.matched_by) == ("销管指定", sales_admin)
    alias = PayerAlias.objects.get()
    assert (alias.payer, alias.payer_key, alias.customer, alias.created_by) == (
        "广州戊己集团有限公司",
        "广州戊己集团有限公司",
        trade,
        sales_admin,
    )
    # The other pool deposit of that payer followed at once, by the alias.
    waiting.refresh_from_db()
    assert (waiting.status, waiting.customer, waiting.match_reason) == (M, trade, "付款方别名（销管指定）")
    assert [call[0] for call in match_probe] == [first.pk, waiting.pk]

    # The next statement: the name still fits two customers, and 销管's decision settles it.
    import_bytes(statement(("20261120", "广州戊己集团有限公司 ", "500.00")))
    later = Deposit.objects.get(amount=Decimal("500.00"))
    assert (later.status, later.customer, later.salesperson, later.match_reason) == (
        M,
        trade,
        s1,
        "付款方别名（销管指定）",
    )


def test_an_alias_for_a_name_no_customer_has_is_learned_and_used_next_time(s1, sales_admin):
    customer = CustomerFactory.create(name="沈阳某某信息技术有限公司", owner=s1)
    import_file(GBK_SAMPLE, GBK_PROFILE)
    abc = Deposit.objects.get(payer="ＡＢＣ信息技术有限公司")
    assert abc.status == U

    deposit_assign(deposit=abc, customer=customer, user=sales_admin)
    import_bytes(statement(("20261201", "ABC信息技术有限公司", "8000.00")))  # half-width this time

    december = Deposit.objects.get(amount=Decimal("8000.00"))
    assert (december.status, december.customer, december.match_reason) == (M, customer, "付款方别名（销管指定）")


def test_an_alias_that_contradicts_a_name_match_sends_the_deposit_to_the_pool(s1, s2, sales_admin):
    old = CustomerFactory.create(name="旧客户有限公司", owner=s1)
    deposit_assign(deposit=deposit_make("新星科技有限公司"), customer=old, user=sales_admin)
    CustomerFactory.create(name="新星科技有限公司", owner=s2)  # later a customer of exactly that name

    import_bytes(statement(("20261201", "新星科技有限公司", "10.00")))

    assert Deposit.objects.get(amount=Decimal("10.00")).status == U


def test_assigning_again_is_refused_and_changes_nothing(s1, s2, sales_admin):
    first = CustomerFactory.create(name="甲公司", owner=s1)
    second = CustomerFactory.create(name="乙公司", owner=s2)
    deposit = deposit_make("丙公司")
    deposit_assign(deposit=deposit, customer=first, user=sales_admin)

    with pytest.raises(DepositRefused) as refused:
        deposit_assign(deposit=deposit, customer=second, user=sales_admin)

    assert refused.value.message == "该到款已匹配给 甲公司，不能再指定"
    deposit.refresh_from_db()
    assert (deposit.customer, deposit.salesperson) == (first, s1)
    assert PayerAlias.objects.get().customer == first


def test_a_deposit_without_payer_is_assigned_without_an_alias(s1, sales_admin):
    customer = CustomerFactory.create(name="甲公司", owner=s1)
    deposit = deposit_make(NO_PAYER, "12.34")
    deposit_assign(deposit=deposit, customer=customer, user=sales_admin)
    deposit.refresh_from_db()
    assert (deposit.status, deposit.customer) == (M, customer)
    assert PayerAlias.objects.count() == 0


def test_the_history_records_who_assigned(sales_admin, s1):
    customer = CustomerFactory.create(name="甲公司", owner=s1)
    deposit = deposit_make("丙公司")
    deposit_assign(deposit=deposit, customer=customer, user=sales_admin)
    latest = deposit.history.first()
    assert (latest.status, latest.history_user) == (M, sales_admin)


def second_probe(*, deposit: Deposit) -> None:
    from tests.deposits.conftest import MATCH_CALLS

    MATCH_CALLS.append((-deposit.pk, deposit.status, deposit.customer_id))


def test_the_deposit_matched_functions_run_in_their_order_for_each_deposit(monkeypatch, match_probe):
    monkeypatch.setattr(
        hooks, "DEPOSIT_MATCHED", ["tests.deposits.conftest.probe_matched", "tests.deposits.test_matching.second_probe"]
    )
    customer = CustomerFactory.create(name="杭州壬癸网络科技有限公司")
    import_file(GBK_SAMPLE, GBK_PROFILE)
    first, second = Deposit.objects.filter(customer=customer).order_by("pk").values_list("pk", flat=True)
    assert match_probe == [
        (first, M, customer.pk),
        (-first, M, customer.pk),
        (second, M, customer.pk),
        (-second, M, customer.pk),
    ]
