"""The reconciliation page in the browser (manual 3.1): tick bills and see the totals move (3 + 11 →
14 × 0.0400 = 0.56), type a 对账数据 figure and see the totals follow, leave and find the draft."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sales_erp.billing.models import Bill
from sales_erp.customers.models import Customer
from sales_erp.org.models import InvoicingEntity, User
from tests.factories import AccountFactory, ProductFactory
from tests.reconciliation.conftest import bill_make


@pytest.fixture(autouse=True)
def no_favicon_request(page: Page) -> None:
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def total(page: Page, row: str) -> list[str]:
    cells = page.locator(f'#recon-totals [data-total="{row}"]')
    return [cells.locator(f"[data-{part}]").inner_text() for part in ("count", "price", "amount")]


def test_ticking_bills_and_typing_figures_moves_the_totals_and_the_draft_keeps_them(
    page: Page, login_as, shot, tmp_path
):
    login_as("sales")
    customer = Customer.objects.create(
        name="上海甲乙科技有限公司",
        owner=User.objects.get(username="sales"),
        business_contact="王经理",
        mobile="13800138000",
    )
    product = ProductFactory.create(customer=customer, name="行业短信")
    AccountFactory.create(product=product, code="8560")
    nov = bill_make(product=product, period=date(2019, 11, 1), count=3, amount="0.12")
    oct_ = bill_make(product=product, period=date(2019, 10, 1), count=11, amount="0.44")
    bill_make(product=product, period=date(2019, 9, 1), count=57, amount="2.28")

    page.goto("/desk/")
    page.click("#nav-sidebar-apps h2:has-text('收尾流程')")
    page.click("#nav-sidebar-apps a[href='/desk/reconciliation/']")
    page.wait_for_url("**/desk/reconciliation/")
    shot("customers")
    page.click(f"#recon-customers a[href='/desk/reconciliation/{customer.pk}/']")
    page.wait_for_url(f"**/desk/reconciliation/{customer.pk}/")
    names = page.locator(".recon-bill .head").all_inner_texts()
    assert [n.split()[0] for n in names] == ["账单-2019-11-8560", "账单-2019-10-8560", "账单-2019-09-8560"]
    assert total(page, "agreed") == ["0", "0.0000", "0.00"]

    page.check(f'input[name="bills"][value="{nov.pk}"]')
    assert total(page, "ours") == ["3", "0.0400", "0.12"]
    page.check(f'input[name="bills"][value="{oct_.pk}"]')
    for row in ("ours", "agreed"):
        assert total(page, row) == ["14", "0.0400", "0.56"]
    shot("manual-example-ticked")

    page.fill(f'input[name="agreed_{oct_.pk}"]', "10")
    assert total(page, "agreed") == ["13", "0.0400", "0.52"]
    assert total(page, "ours") == ["14", "0.0400", "0.56"]
    page.fill(f'input[name="customer_{nov.pk}"]', "4")
    expect(page.locator(f'.recon-bill[data-bill="{nov.pk}"] [data-row="customer"] [data-amount]')).to_have_text("0.16")
    with page.expect_response(lambda r: "/draft/" in r.url and r.request.method == "POST"):
        page.fill("#id_remarks", "与客户核对中")  # the autosave waits for a pause in typing, then posts all
    expect(page.locator("#draft-status")).to_contain_text("草稿已自动保存")
    shot("typed")

    page.goto("/desk/")
    page.goto(f"/desk/reconciliation/{customer.pk}/")
    expect(page.locator("#draft-status")).to_contain_text("已恢复")
    expect(page.locator(f'input[name="bills"][value="{nov.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="bills"][value="{oct_.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="agreed_{oct_.pk}"]')).to_have_value("10")
    expect(page.locator(f'input[name="customer_{nov.pk}"]')).to_have_value("4")
    expect(page.locator("#id_remarks")).to_have_value("与客户核对中")
    assert total(page, "agreed") == ["13", "0.0400", "0.52"]
    shot("draft-restored")

    # 电子对账单 下载: the figures as typed, unsaved or not.
    InvoicingEntity.objects.create(name="某某云通讯有限公司", tax_id="91310000000000000X", is_default=True)
    page.fill(f'input[name="agreed_{nov.pk}"]', "2")
    with page.expect_download() as download:
        page.click("[data-statement='download']")
    pdf = tmp_path / "statement.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "上海甲乙科技有限公司" in text and "账单-2019-10-8560" in text and "0.48" in text  # 2 × 0.04 + 10 × 0.04
    assert download.value.suggested_filename == f"电子对账单-上海甲乙科技有限公司-{timezone.localdate():%Y%m%d}.pdf"
    page.fill(f'input[name="agreed_{nov.pk}"]', "3")
    # 数据分析报告 of the ticked bills (the statements app's page): the link follows the ticks.
    assert page.get_attribute("[data-report='xlsx']", "href") == (
        f"/desk/statements/usage-report/?bills={nov.pk}&bills={oct_.pk}&format=xlsx"
    )
    with page.expect_download() as report:
        page.click("[data-report='xlsx']")
    assert report.value.suggested_filename.endswith(".xlsx")

    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    expect(page.locator("body")).to_contain_text("运营核对")
    expect(page.locator("body")).to_contain_text("0.52")
    shot("submitted")
    assert [b.status for b in Bill.objects.filter(pk__in=[nov.pk, oct_.pk])] == ["reconciling", "reconciling"]
