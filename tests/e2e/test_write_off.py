"""A salesperson writes off two bills by hand on the 销账 page; the totals add up live; the process waits
for 销售事业部总 with the money reserved; then the salesperson sees an automatic write-off to confirm."""

from datetime import date
from decimal import Decimal

from sales_erp.billing.models import Bill
from sales_erp.org.models import User
from sales_erp.writeoffs.services import write_off_auto
from tests.factories import CustomerFactory, ProductFactory
from tests.writeoffs.factories import bill_make, deposit_make


def test_salesperson_writes_off_by_hand_then_confirms_an_automatic_one(page, login_as, shot):
    customer = CustomerFactory.create(name="上海甲乙科技有限公司", owner=User.objects.get(username="sales"))
    product = ProductFactory.create(customer=customer)
    b1 = bill_make(product=product, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    bill_make(product=product, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 1), amount="450.00")
    login_as("sales")
    page.click("#nav-sidebar-apps h2:has-text('收尾流程')")
    page.click("#nav-sidebar-apps a:has-text('销账')")
    page.wait_for_url("**/desk/writeoffs/")
    shot("home")
    page.click(f"a[href='/desk/writeoffs/new/{customer.pk}/']")
    page.fill(f"input[name='bill-{b1.pk}']", "450.00")
    page.fill(f"input[name='deposit-{deposit.pk}']", "400.00")
    assert "须相等" in page.inner_text("#sum-status")
    page.fill(f"input[name='deposit-{deposit.pk}']", "450.00")
    assert page.inner_text("#bill-sum") == "450.00" and page.inner_text("#sum-status") == ""
    shot("manual-filled")
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    body = page.inner_text("body")
    assert "销售事业部总" in body and "账单-2026-08" in body
    shot("instance-manual")
    deposit.refresh_from_db()
    assert deposit.available == Decimal("0.00")

    later = deposit_make(customer=customer, received_on=date(2026, 11, 12), amount="400.00")
    instance = write_off_auto(deposit=later)
    assert instance is not None
    page.goto(f"/desk/workflow/{instance.pk}/")
    body = page.inner_text("body")
    assert "满足条件: 自动销账 = 1，系统自动通过" in body and "自动销账流程" in body
    shot("instance-auto")
    page.click("button:has-text('通过')")
    page.wait_for_load_state()
    shot("auto-confirmed")
    assert Bill.objects.get(period=date(2026, 9, 1)).written_off_amount == Decimal("300.00")
