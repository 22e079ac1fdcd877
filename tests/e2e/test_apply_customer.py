"""A salesperson applies for a pool customer in the browser; the leader and 销管 approve it from their
inboxes; the customer is then the salesperson's 意向客户 (申请客户流程, DESIGN §3, §6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from sales_erp.customers.models import Customer, Tier
from sales_erp.workflow.models import ProcessInstance, Status


@pytest.fixture(autouse=True)
def no_favicon_request(page: Page) -> None:
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def test_salesperson_applies_for_a_pool_customer_and_it_is_approved(page: Page, login_as, shot):
    customer = Customer.objects.create(
        name="公共池浏览器测试有限公司", tier=Tier.POOL, owner=None, business_contact="王经理", mobile="13800138000"
    )
    login_as("sales")
    page.goto("/desk/customers/pool/")
    row = page.locator(f"tr[data-pool-customer='{customer.pk}']")
    shot("pool")
    row.locator("text=申请客户").click()
    page.wait_for_url(f"**/desk/workflow/start/apply_customer/?target={customer.pk}")
    page.fill("[name='reason']", "客户主动来电，有营销短信需求")
    shot("apply-form")
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    page.get_by_text("当前节点：部门领导").first.wait_for()
    shot("submitted")
    instance = ProcessInstance.objects.exclude(status=Status.DRAFT).get(code="apply_customer")
    customer.refresh_from_db()
    assert (instance.status, customer.tier, customer.claimed_by.username if customer.claimed_by else None) == (
        Status.RUNNING,
        Tier.POOL,
        "sales",
    )
    page.goto("/desk/customers/pool/")
    assert page.locator(f"tr[data-pool-customer='{customer.pk}']").count() == 0  # gone from the pool

    for approver in ("leader", "salesadmin"):
        page.context.clear_cookies()
        login_as(approver)
        page.goto("/desk/workflow/inbox/?tab=todo")
        page.click(f"text={instance.number}")
        page.fill("#id_opinion", "同意")
        shot(f"{approver}-approves")
        page.click("button[value='approve']")
        page.get_by_text("已通过").first.wait_for()
    page.get_by_text("最后一个节点已通过，流程归档").wait_for()
    shot("archived")

    page.context.clear_cookies()
    login_as("sales")
    page.goto(f"/desk/customers/{customer.pk}/")
    page.locator("[data-owner]").get_by_text("张伟").wait_for()
    shot("customer-page")
    customer.refresh_from_db()
    instance.refresh_from_db()
    assert (instance.status, customer.tier, customer.owner.username if customer.owner else None) == (
        Status.ARCHIVED,
        Tier.INTENT,
        "sales",
    )


def test_test_account_and_contract_review_start_pages_render(page: Page, login_as, shot):
    from sales_erp.org.models import User
    from tests.factories import ProductFactory

    owner = User.objects.get(username="sales")
    customer = Customer.objects.create(
        name="合同浏览器测试有限公司", tier=Tier.INTENT, owner=owner, business_contact="王经理", mobile="13800138000"
    )
    product = ProductFactory.create(customer=customer, name="营销短信")
    login_as("sales")
    page.goto(f"/desk/customers/{customer.pk}/")
    page.locator("[data-process-offers]").get_by_text("测试账号申请 · 营销短信").click()
    page.wait_for_url(f"**/desk/workflow/start/test_account/?target={product.pk}")
    page.get_by_text("公司情况介绍").wait_for()
    shot("test-account-form")
    page.goto(f"/desk/customers/{customer.pk}/")
    page.locator("[data-process-offers]").get_by_text("合同评审").click()
    page.wait_for_url(f"**/desk/workflow/start/contract_review/?target={customer.pk}")
    page.get_by_text("流程自动生成，不需要填写").wait_for()
    shot("contract-review-form")
