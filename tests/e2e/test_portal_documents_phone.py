"""The portal's new pages on a phone (375 px): 对账单 (tick a bill, the PDF downloads), 客户数据 typed on a
bill, 预付余额 with 欠费 — no sideways scrolling, screenshotted (test-artifacts/e2e/…)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from sales_erp.billing.models import Bill, CustomerCountSource
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.customers.models import Settlement
from sales_erp.org.models import InvoicingEntity
from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from sales_erp.prepaid.models import BalanceEntry, EntryKind
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, schedule_active

PHONE = {"width": 375, "height": 812}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_portal_statements_customer_count_and_prepaid_on_a_phone(page, shot, base_data):
    InvoicingEntity.objects.get_or_create(
        name="大汉云通讯有限公司", defaults={"is_default": True, "tax_id": "91320100MA1MXXXX0X"}
    )
    customer = CustomerFactory.create(name="手机对账科技有限公司")
    product = ProductFactory.create(customer=customer, name="行业短信")
    AccountFactory.create(product=product, code="PD001")
    schedule_active(product=product, price="0.04")
    usage_push(rows=[{"day": date(2026, 10, 5), "account": "PD001", "billable": 2500}], user=None)
    bill_run(day=date(2026, 11, 28))
    bill = Bill.objects.get(customer=customer)
    prepaid = ProductFactory.create(customer=customer, name="预付短信", settlement=Settlement.PREPAID)
    account = AccountFactory.create(product=prepaid, code="PD009")
    for amount, key, kind in (("200.00", "pd-1", EntryKind.RECHARGE), ("-250.50", "pd-2", EntryKind.USAGE)):
        BalanceEntry.objects.create(
            account=account, kind=kind, amount=Decimal(amount), entry_date=timezone.localdate(), key=key
        )
    user = UserFactory.create(username="phone_dz", last_name="钱", first_name="会计", is_staff=False)
    user.set_password("Phone-pw-2026")
    user.save()
    user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    PortalAccount.objects.create(user=user, customer=customer)

    page.set_viewport_size(PHONE)
    page.goto("/portal/login/")
    page.fill("#id_username", "phone_dz")
    page.fill("#id_password", "Phone-pw-2026")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/portal/")

    page.click("nav.menu >> text=对账单")
    page.wait_for_url("**/portal/statements/")
    page.check(f"tr[data-bill='{bill.pk}'] input[type=checkbox]")
    shot("statements")
    assert fits_the_screen(page)
    with page.expect_download() as download:
        page.click("button:has-text('下载 PDF')")
    assert download.value.suggested_filename.startswith("电子对账单-手机对账科技有限公司")

    page.goto(f"/portal/bills/{bill.pk}/")
    page.fill("#id_customer_count", "2480")
    page.click("button:has-text('保存客户数据')")
    page.wait_for_selector("text=客户数据已保存")
    assert "2480" in page.locator("[data-customer-count]").inner_text()
    shot("customer_count")
    assert fits_the_screen(page)
    bill.refresh_from_db()
    assert (bill.customer_count, bill.customer_count_source) == (2480, CustomerCountSource.PORTAL)

    page.click("nav.menu >> text=预付余额")
    page.wait_for_url("**/portal/prepaid/")
    assert page.locator("[data-balance]").inner_text() == "-50.50"
    assert page.locator("text=欠费").count() >= 1
    shot("prepaid")
    assert fits_the_screen(page)
