"""In the browser: 客服特殊申请 shows only the chosen type's fields (详单导出: 开始/结束日期) and starts; the
销售调价 start page's tier editor adds a row, and the process starts with the schedule 审批中."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sales_erp.customers.models import AccountRequest
from sales_erp.org.models import User
from sales_erp.pricing.models import PriceSchedule, ScheduleStatus
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import AccountFactory


@pytest.fixture(autouse=True)
def no_favicon_request(page: Page) -> None:
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def test_special_request_shows_only_the_chosen_types_fields(page: Page, login_as, shot):
    login_as("sales")
    account = AccountFactory.create(code="E2E8560", product__customer__owner=User.objects.get(username="sales"))
    page.goto(f"/desk/workflow/start/special_request/?target={account.pk}")
    dates = page.locator("[data-for-type='detail_export']")
    expect(dates).to_be_hidden()
    page.select_option("[name='request_type']", "detail_export")
    expect(dates).to_be_visible()
    shot("detail-export-fields")
    page.select_option("[name='request_type']", "green")
    expect(dates).to_be_hidden()
    page.select_option("[name='request_type']", "detail_export")
    page.fill("[name='start_date']", "2026-10-01")
    page.fill("[name='end_date']", "2026-10-31")
    page.fill("[name='description']", "客户对账需要 10 月详单")
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    shot("started")
    # (an autosave that fires while the page submits may leave a fresh draft beside the instance)
    instance = ProcessInstance.objects.exclude(status=Status.DRAFT).get(code="special_request")
    assert (instance.status, instance.current_node_name) == (Status.RUNNING, "风控专家")
    assert (instance.form_data["start_date"], instance.form_data["end_date"]) == ("2026-10-01", "2026-10-31")
    assert not AccountRequest.objects.exists()


def test_price_change_start_page_tier_editor_adds_a_row_and_starts(page: Page, login_as, shot):
    login_as("sales")
    account = AccountFactory.create(code="E2E7001", product__customer__owner=User.objects.get(username="sales"))
    page.goto(f"/desk/workflow/start/price_change/?target={account.product_id}")
    page.select_option("[name='price_type']", "graduated")
    page.fill("[name='tiers_upper']", "10000")
    page.fill("[name='tiers_price']", "0.045")
    page.click("button:has-text('添加一档')")
    page.locator("[name='tiers_lower']").nth(1).fill("10000")
    page.locator("[name='tiers_price']").nth(1).fill("0.040")
    page.fill("[name='valid_from']", "2026-12-01")
    page.fill("[name='valid_to']", "2026-12-31")
    page.fill("[name='note']", "年底促销价")
    shot("filled")
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    page.get_by_text("0 ≤ 条 < 10000: 0.045；10000 ≤ 条 < ∞: 0.040").wait_for()
    shot("started")
    schedule = PriceSchedule.objects.get()
    assert (schedule.status, schedule.price_type) == (ScheduleStatus.PENDING, "graduated")
    assert [(t.lower, t.upper) for t in schedule.tiers.all()] == [(0, 10000), (10000, None)]
