"""The desk home's charts and a report page in the browser: Chart.js draws (no console errors), the
salesperson sees their figures, filters narrow the table and the export links download files."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from sales_erp.customers.models import Tier, TierChange, TierRule
from sales_erp.org.models import User
from sales_erp.writeoffs.models import WriteOff, WriteOffStatus
from tests.factories import CustomerFactory
from tests.reports.conftest import archived_process, bill_make
from tests.writeoffs.factories import deposit_make


def months_ago(months: int) -> date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def data_make() -> None:
    sales = User.objects.get(username="sales")
    other = User.objects.get(username="sales2")
    today = timezone.localdate()
    jia = CustomerFactory.create(name="上海甲科技有限公司", owner=sales, tier=Tier.CONTRACT)
    CustomerFactory.create(name="杭州丁网络有限公司", owner=sales, tier=Tier.TEST)
    yi = CustomerFactory.create(name="北京乙信息有限公司", owner=other)
    for k, amount in enumerate(["1200.00", "860.50", "2300.00", "450.00", "1780.00", "990.00"]):
        bill_make(
            jia, period=months_ago(5 - k), amount=amount, due=today - timedelta(days=[150, 100, 70, 40, 10, -5][k])
        )
    bill_make(yi, period=months_ago(1), amount="5000.00", due=today - timedelta(days=20))
    for k, total in ((4, "500.00"), (2, "300.00"), (0, "120.00")):
        WriteOff.objects.create(
            process=archived_process("write_off", sales, jia),
            customer=jia,
            salesperson=sales,
            status=WriteOffStatus.POSTED,
            total=total,
            posted_on=months_ago(k),
            posted_month=months_ago(k),
        )
    TierChange.objects.create(
        customer=jia,
        from_tier=Tier.TEST,
        to_tier=Tier.CONTRACT,
        rule=TierRule.TEST_TO_CONTRACT,
        date=today,
        salesperson=sales,
    )
    deposit_make(customer=None, received_on=today - timedelta(days=12), amount="321.00", payer="某贸易公司")


def test_dashboard_charts_and_an_ageing_report(page, login_as, shot):
    login_as("sales")
    data_make()
    page.goto("/desk/")
    for title in ("应收账龄（未销金额，元）", "近6个月账单（元）", "近6个月销账（元）", "客户漏斗（客户数）"):
        assert page.locator(f"[data-chart='{title}'] canvas").count() == 1
    page.wait_for_function("() => [...document.querySelectorAll('canvas.chart')].every(c => Chart.getChart(c))")
    shot("dashboard")

    page.click("#nav-sidebar-apps h2:has-text('报表')")
    page.click("#nav-sidebar-apps a:has-text('应收账龄')")
    page.wait_for_url("**/desk/reports/ageing/")
    table = page.locator("table[data-report='ageing']")
    assert "上海甲科技有限公司" in table.inner_text() and "北京乙信息有限公司" not in table.inner_text()
    assert "7,580.50" in table.locator("tfoot").inner_text()  # all six of 甲's bills, none of 乙's
    shot("ageing")
    page.select_option("#id_by", "salesperson")
    page.click("button:has-text('查询')")
    page.wait_for_url("**by=salesperson**")
    assert "张伟" in table.inner_text()
    with page.expect_download() as download:
        page.click("a[data-export='xlsx']")
    assert download.value.suggested_filename.startswith("应收账龄_") and download.value.suggested_filename.endswith(
        ".xlsx"
    )
    shot("ageing-by-salesperson")

    page.goto("/desk/reports/bills/")
    assert page.locator("table[data-report='bills'] tbody tr").count() == 6
    shot("bills")
