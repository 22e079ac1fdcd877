"""销售充值流程 (manual 2.5) from an account's start page, and what its archive leaves in the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sales_erp.customers.models import Settlement
from sales_erp.prepaid.models import BalanceEntry, EntryKind, Recharge, RechargeType
from sales_erp.prepaid.selectors import account_balance
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve, instance_reject
from tests.factories import AccountFactory, ProductFactory

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(account) -> str:
    return f"/desk/workflow/start/recharge/?target={account.pk}"


def form(**over: Any) -> dict[str, Any]:
    data = {
        "recharge_type": RechargeType.PREPAID,
        "current_balance": "999999.00",  # shown only: the server reads the ledger whatever is posted
        "unit_price": "0.040000",
        "amount": "10000.00",
        "count": "250000",
        "invoice_deadline": "2026-12-15",
        "payment_deadline": "2026-12-31",
        "actual_invoice_date": "",
        "actual_payment_date": "",
    }
    data.update(over)
    return data


def approve_all(instance, people):
    instance = instance_approve(instance=instance, user=people["sales_admin"])
    return instance_approve(instance=instance, user=people["finance"])


def test_the_page_shows_the_ledger_balance(people, account):
    BalanceEntry.objects.create(
        account=account, kind=EntryKind.RECHARGE, amount=Decimal("123.45"), entry_date="2026-10-01", key="t:1"
    )
    html = login(people["s1"]).get(url(account)).content.decode()
    for label in (
        "账号",
        "充值类型",
        "当前余额",
        "单价",
        "充值金额",
        "条数",
        "开票截止日期",
        "收款截止日期",
        "实际开票日期",
    ):
        assert label in html, label
    assert "YF0001" in html and "123.45" in html
    for name in ("amount", "unit_price"):
        at = html.index(f'name="{name}"')
        assert 'data-no-paste="1"' in html[at - 300 : at + 300], name
    assert 'form.addEventListener("paste", refuse, true)' in html


def test_recharge_archive_credits_the_ledger_once(people, account):
    response = login(people["s1"]).post(url(account), form())
    assert response.status_code == 302, response.content.decode()[:2000]
    instance = ProcessInstance.objects.get(code="recharge")
    assert instance.form_data["current_balance"] == "0.00"  # the ledger's, not the posted 999999.00
    assert instance.customer == account.product.customer
    assert account_balance(account=account) == Decimal("0.00")  # nothing until archived
    instance = approve_all(instance, people)
    assert instance.status == Status.ARCHIVED
    assert account_balance(account=account) == Decimal("10000.00")
    recharge = Recharge.objects.get()
    assert (recharge.amount, recharge.unit_price, recharge.count, recharge.recharge_type) == (
        Decimal("10000.00"),
        Decimal("0.040000"),
        250000,
        RechargeType.PREPAID,
    )
    assert str(recharge.invoice_deadline) == "2026-12-15" and recharge.actual_invoice_date is None
    entry = BalanceEntry.objects.get()
    assert (entry.kind, entry.amount, entry.key) == (EntryKind.RECHARGE, Decimal("10000.00"), f"recharge:{instance.pk}")
    from sales_erp.prepaid.services import recharge_credit

    recharge_credit(instance=instance)  # archived again somehow: still one credit
    assert BalanceEntry.objects.count() == 1 and account_balance(account=account) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("amount", "price", "count", "message"),
    [
        ("1000.00", "0.035", "28571", "充值金额 1000.00 元 ÷ 单价 0.035000 元/条 = 28571.4286 条，不是整数"),
        (
            "10000.00",
            "0.04",
            "240000",
            "条数应为 充值金额 10000.00 元 ÷ 单价 0.040000 元/条 = 250000 条，填写的是 240000 条",
        ),
        ("10000.00", "0.0400001", "250000", "确认小数不超过 6 位"),
    ],
)
def test_count_must_be_amount_over_price(people, account, amount, price, count, message):
    response = login(people["s1"]).post(url(account), form(amount=amount, unit_price=price, count=count))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not ProcessInstance.objects.filter(code="recharge").exclude(status=Status.DRAFT).exists()


def test_a_postpaid_account_takes_no_recharge(people, account):
    postpaid = AccountFactory.create(
        code="HF0001", product=ProductFactory.create(customer=account.product.customer, settlement=Settlement.POSTPAID)
    )
    response = login(people["s1"]).post(url(postpaid), form())
    assert response.status_code == 400
    assert "账号 HF0001 的产品「行业短信」是后付费，只有预付费产品的账号可以充值" in response.content.decode()
    assert not BalanceEntry.objects.exists()


def test_reject_credits_nothing(people, account):
    login(people["s1"]).post(url(account), form())
    instance = ProcessInstance.objects.get(code="recharge")
    instance_reject(instance=instance, user=people["sales_admin"], opinion="价格未谈妥")
    assert not BalanceEntry.objects.exists() and not Recharge.objects.exists()


def test_another_salespersons_account_is_404(people, account):
    client = login(people["s2"])
    assert client.get(url(account)).status_code == 404
    assert client.post(url(account), form()).status_code == 404
    assert client.get(f"/desk/prepaid/accounts/{account.pk}/").status_code == 404
    assert "YF0001" not in client.get("/desk/prepaid/balances/").content.decode()
