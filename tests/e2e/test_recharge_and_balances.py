"""销售充值 in the browser from an account's balance page, through 销管 and 财务, to the balance list;
and the 发票登记簿 list as finance sees it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page

from sales_erp.customers.models import Settlement
from sales_erp.org.models import User
from sales_erp.prepaid.models import BalanceEntry, EntryKind
from sales_erp.prepaid.selectors import account_balance
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve
from tests.factories import AccountFactory, CustomerFactory, ProductFactory


@pytest.fixture(autouse=True)
def no_favicon_request(page: Page) -> None:
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def test_recharge_from_the_balance_page(page: Page, login_as, shot):
    login_as("sales")
    sales = User.objects.get(username="sales")
    customer = CustomerFactory.create(name="上海预付科技有限公司", owner=sales)
    account = AccountFactory.create(
        code="YF0001", product=ProductFactory.create(customer=customer, settlement=Settlement.PREPAID)
    )
    BalanceEntry.objects.create(
        account=account,
        kind=EntryKind.USAGE,
        amount=Decimal("-50.00"),
        entry_date=date(2026, 11, 5),
        month=date(2026, 10, 1),
        key=f"usage:{account.pk}:2026-10",
        note="2026-10 账单消耗",
    )
    page.goto(f"/desk/prepaid/accounts/{account.pk}/")
    assert page.text_content("[data-balance]") == "-50.00"
    assert page.is_visible("[data-arrears]")
    shot("account-in-arrears")
    page.click("text=发起销售充值流程")
    page.wait_for_url("**/start/recharge/**")
    page.select_option("[name='recharge_type']", value="prepaid")
    page.fill("[name='unit_price']", "0.04")
    page.fill("[name='amount']", "10000")
    assert page.text_content("#count-hint") == "条数 = 充值金额 ÷ 单价 = 250000 条"
    page.fill("[name='count']", "250000")
    page.fill("[name='invoice_deadline']", "2026-12-15")
    page.fill("[name='payment_deadline']", "2026-12-31")
    shot("recharge-form")
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    instance = ProcessInstance.objects.exclude(status=Status.DRAFT).get(code="recharge")
    assert instance.form_data["current_balance"] == "-50.00"
    instance = instance_approve(instance=instance, user=User.objects.get(username="salesadmin"))
    instance_approve(instance=instance, user=User.objects.get(username="finance"))
    assert account_balance(account=account) == Decimal("9950.00")
    page.goto("/desk/prepaid/balances/")
    assert "9950.00" in page.content() and not page.is_visible("[data-arrears]")
    shot("balances")
