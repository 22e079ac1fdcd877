"""The customer portal on a phone (375 px wide): login, home, bills, a bill with its lines — no sideways
scrolling, every page screenshotted (test-artifacts/e2e/test_portal_on_a_phone/)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group

from sales_erp.billing.models import Bill
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, schedule_active

PHONE = {"width": 375, "height": 812}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_portal_on_a_phone(page, shot, base_data):
    customer = CustomerFactory.create(name="手机门户科技有限公司")
    product = ProductFactory.create(customer=customer, name="行业短信")
    for code in ("PH001", "PH002"):
        AccountFactory.create(product=product, code=code)
    schedule_active(product=product, price="0.038")
    usage_push(
        rows=[
            {"day": date(2026, 10, 5), "account": "PH001", "billable": 120000, "carrier": "mobile"},
            {"day": date(2026, 10, 6), "account": "PH002", "billable": 30500},
        ],
        user=None,
    )
    bill_run(day=date(2026, 11, 28))
    bill = Bill.objects.get(customer=customer)
    user = UserFactory.create(username="phone_kehu", last_name="周", first_name="会计", is_staff=False)
    user.set_password("Phone-pw-2026")
    user.save()
    user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    PortalAccount.objects.create(user=user, customer=customer)

    page.set_viewport_size(PHONE)
    page.goto("/portal/")
    page.wait_for_url("**/portal/login/**")
    page.fill("#id_username", "phone_kehu")
    page.fill("#id_password", "Phone-pw-2026")
    shot("login")
    assert fits_the_screen(page)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/portal/")
    assert page.locator("[data-company]").inner_text() == "手机门户科技有限公司"
    assert page.locator("[data-stat=count]").inner_text() == "1 张"
    assert page.locator("[data-stat=open]").inner_text() == "5719.00"
    shot("home")
    assert fits_the_screen(page)

    page.click("nav.menu >> text=账单")
    page.wait_for_url("**/portal/bills/")
    row = page.locator(f"tr[data-bill='{bill.pk}']")
    assert "账单-2026-10-" in row.inner_text()
    assert "5719.00" in row.inner_text()  # (120000 + 30500) × 0.038
    shot("bills")
    assert fits_the_screen(page)

    row.locator("a").click()
    page.wait_for_url(f"**/portal/bills/{bill.pk}/")
    assert page.locator("[data-line]").count() == 2
    assert page.locator("[data-amount]").inner_text() == "5719.00"
    shot("bill")
    assert fits_the_screen(page)

    page.click("nav.menu >> text=发送量")
    page.wait_for_url("**/portal/usage/")
    assert page.locator("[data-usage-total]").inner_text() == "150500"
    shot("usage")
    assert fits_the_screen(page)
    page.click("nav.menu >> text=到款")
    page.wait_for_url("**/portal/deposits/")
    shot("deposits")
    assert fits_the_screen(page)


def test_a_salesperson_opens_a_portal_login_from_the_customer_page(page, login_as, shot):
    from sales_erp.org.models import User

    customer = CustomerFactory.create(name="开通门户科技有限公司", owner=User.objects.get(username="sales"))
    login_as("sales")
    page.goto(f"/desk/customers/{customer.pk}/")
    page.click("text=管理门户账号 / 新建")
    page.wait_for_url(f"**/desk/portal/customers/{customer.pk}/accounts/")
    page.fill("#id_username", "kaitong_cw")
    page.fill("#id_name", "吴会计")
    page.fill("#id_email", "wu@kaitong.example")
    shot("form")
    page.click("button[type=submit]:has-text('开通门户账号')")
    page.wait_for_selector("text=门户账号 kaitong_cw 已开通")
    assert "kaitong_cw" in page.locator("[data-portal-accounts]").inner_text()
    shot("opened")
    assert PortalAccount.objects.get(user__username="kaitong_cw").customer == customer
