"""The data-analysis report (数据分析报告, DESIGN §5.1): its figures against the usage rows, the PDF and
XLSX, the desk download with its visibility, and the full-size case in under 10 seconds."""

from __future__ import annotations

import io
import time
from collections import Counter
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from sales_erp.billing.models import UsageRecord
from sales_erp.org.roles import Role
from sales_erp.statements.selectors import CARRIER_LABELS, usage_report_load
from sales_erp.statements.usage_report import usage_report_pdf, usage_report_xlsx
from tests.factories import AccountFactory, ProductFactory, UserFactory
from tests.statements.conftest import needs_poppler, pdf_text
from tests.statements.factories import usage_customer

pytestmark = pytest.mark.django_db

URL = "/desk/statements/usage-report/"


def expected_sums(records) -> Counter:
    """计费条数 per (account code, day, carrier), summed straight from the usage rows."""
    sums: Counter = Counter()
    for r in records:
        sums[(r.account_code, r.day, r.carrier)] += r.billable
    return sums


@pytest.fixture
def small():
    """3 accounts over 2 products, October, three carriers; plus rows the report must leave out."""
    customer, bills, records = usage_customer(accounts=3, products=2)
    account = records[0].account
    assert account is not None
    extra = [
        # a second country on the same account, day and carrier: summed into the same cell
        UsageRecord(
            account_code=account.code,
            account=account,
            day=date(2026, 10, 1),
            month=date(2026, 10, 1),
            carrier="mobile",
            country="HK",
            billable=1000,
        ),
    ]
    UsageRecord.objects.bulk_create(extra)
    other = AccountFactory.create(code="X0001")  # another customer's account, same month
    september = date(2026, 9, 30)
    UsageRecord.objects.bulk_create(
        [
            UsageRecord(
                account_code="X0001", account=other, day=date(2026, 10, 1), month=date(2026, 10, 1), billable=7
            ),
            UsageRecord(account_code=account.code, account=account, day=september, month=date(2026, 9, 1), billable=9),
            UsageRecord(account_code="NOPE", account=None, day=date(2026, 10, 1), month=date(2026, 10, 1), billable=5),
        ]
    )
    return customer, bills, records + extra


def test_report_sums_match_usage_rows(small) -> None:
    customer, bills, records = small
    report = usage_report_load(customer=customer, bills=bills)
    expected = expected_sums(records)

    assert {(d.account_code, d.day, d.carrier): d.billable for d in report.details} == dict(expected)
    for account in report.accounts:
        for day, counts in account.days.items():
            for carrier in ("mobile", "unicom", "telecom"):
                assert counts.get(carrier) == expected[(account.code, day, carrier)]
        assert account.totals.total == sum(v for (code, _, _), v in expected.items() if code == account.code)
    for day, counts in report.daily.items():
        assert counts.total == sum(v for (_, d, _), v in expected.items() if d == day)
    for carrier in ("mobile", "unicom", "telecom"):
        assert report.totals.get(carrier) == sum(v for (_, _, c), v in expected.items() if c == carrier)
    assert report.totals.total == sum(r.billable for r in records)
    assert report.carriers == ["mobile", "unicom", "telecom"]
    assert len(report.daily) == 31
    assert sum(bill.count for bill in bills) + 1000 == report.totals.total  # the bills' own counts + the HK row


def test_xlsx_sheets_hold_the_same_numbers(small) -> None:
    customer, bills, records = small
    workbook = load_workbook(io.BytesIO(usage_report_xlsx(customer=customer, bills=bills)))
    assert workbook.sheetnames == ["汇总", "每日趋势", "账号每日", "明细"]
    assert all(sheet.freeze_panes == "A2" for sheet in workbook)

    detail = workbook["明细"]
    assert [c.value for c in detail[1]] == ["账号", "产品", "日期", "运营商", "提交条数", "成功条数", "计费条数"]
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    labels = {label: value for value, label in CARRIER_LABELS.items()}
    got = {(code, day.date(), labels[carrier]): billable for code, _, day, carrier, _, _, billable in rows}
    assert got == dict(expected_sums(records))
    assert all(isinstance(row[2], datetime) and isinstance(row[6], int) for row in rows)
    assert detail["C2"].number_format == "yyyy-mm-dd"

    per_day = workbook["账号每日"]
    assert [c.value for c in per_day[1]] == ["账号", "产品", "日期", "移动", "联通", "电信", "合计"]
    for code, _, day, mobile, unicom, telecom, total in per_day.iter_rows(min_row=2, values_only=True):
        assert mobile + unicom + telecom == total
        assert mobile == expected_sums(records)[(code, day.date(), "mobile")]

    trend = workbook["每日趋势"]
    assert trend.max_row == 32  # header + 31 days
    assert sum(row[-1] for row in trend.iter_rows(min_row=2, values_only=True)) == sum(r.billable for r in records)
    assert len(trend._charts) == 1  # the line chart
    assert len(workbook["汇总"]._charts) == 2  # carrier pie, account bars


@needs_poppler
def test_pdf_shows_customer_totals_and_account_days(small, tmp_path) -> None:
    customer, bills, records = small
    text = pdf_text(usage_report_pdf(customer=customer, bills=bills, issued_on=date(2026, 11, 6)), tmp_path)
    total = sum(r.billable for r in records)
    assert "杭州𡃁子数据科技有限公司" in text
    assert "统计期间：2026-10-01 至 2026-10-31" in text
    assert f"{total:,}" in text
    expected = expected_sums(records)
    account = min({r.account_code for r in records})
    first_day = [expected[(account, date(2026, 10, 1), c)] for c in ("mobile", "unicom", "telecom")]
    line = f"2026-10-01 {first_day[0]:,} {first_day[1]:,} {first_day[2]:,} {sum(first_day):,}"
    assert line in " ".join(text.split())
    for bill in bills:
        assert bill.name in text


def test_products_without_carrier_split_show_one_column(db) -> None:
    customer, bills, records = usage_customer(accounts=2, products=1, carriers=("",))
    workbook = load_workbook(io.BytesIO(usage_report_xlsx(customer=customer, bills=bills)))
    assert [c.value for c in workbook["账号每日"][1]] == ["账号", "产品", "日期", "不区分", "合计"]
    report = usage_report_load(customer=customer, bills=bills)
    assert report.carriers == [""]
    assert report.totals.total == sum(r.billable for r in records)


def test_two_months_trend_spans_both(db) -> None:
    customer, bills, records = usage_customer(accounts=2, products=1, months=(date(2026, 9, 1), date(2026, 10, 1)))
    report = usage_report_load(customer=customer, bills=bills)
    assert len(report.daily) == 30 + 31
    assert report.totals.total == sum(r.billable for r in records)


@needs_poppler
def test_bill_without_usage_still_makes_a_report(tmp_path) -> None:
    customer, bills, _ = usage_customer(accounts=0, products=1)
    text = pdf_text(usage_report_pdf(customer=customer, bills=bills), tmp_path)
    assert "所选账单没有发送量" in text
    workbook = load_workbook(io.BytesIO(usage_report_xlsx(customer=customer, bills=bills)))
    assert workbook["明细"].max_row == 1


# ---------------------------------------------------------------------------------------- desk view
def test_owner_downloads_pdf_and_xlsx(client, small) -> None:
    customer, bills, _ = small
    client.force_login(customer.owner)
    ids = "&".join(f"bills={bill.pk}" for bill in bills)

    pdf = client.get(f"{URL}?{ids}&format=pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in pdf["Content-Disposition"]

    preview = client.get(f"{URL}?{ids}&format=pdf&inline=1")
    assert preview["Content-Disposition"].startswith("inline;")

    xlsx = client.get(f"{URL}?{ids}&format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"


def test_another_salespersons_bill_is_404(client, small) -> None:
    customer, bills, _ = small
    stranger = UserFactory.create(roles=[Role.SALES])
    client.force_login(stranger)
    assert client.get(f"{URL}?bills={bills[0].pk}").status_code == 404
    # one hidden bill among visible ones hides the whole request
    mine = usage_customer(accounts=1, products=1, name="我的客户有限公司")[1][0]
    mine.customer.owner = stranger
    mine.customer.save(update_fields=["owner"])
    assert client.get(f"{URL}?bills={mine.pk}").status_code == 200
    assert client.get(f"{URL}?bills={mine.pk}&bills={bills[0].pk}").status_code == 404


def test_finance_sees_any_customer(client, small) -> None:
    customer, bills, _ = small
    client.force_login(UserFactory.create(roles=[Role.FINANCE]))
    assert client.get(f"{URL}?bills={bills[0].pk}&format=xlsx").status_code == 200


def test_unknown_or_malformed_ids_are_404(client, small) -> None:
    customer, bills, _ = small
    client.force_login(customer.owner)
    assert client.get(f"{URL}?bills=999999").status_code == 404
    assert client.get(f"{URL}?bills=abc").status_code == 404


def test_mixed_customers_are_refused_with_a_message(client, small) -> None:
    customer, bills, _ = small
    finance = UserFactory.create(roles=[Role.FINANCE])
    other = usage_customer(accounts=1, products=1, name="另一家客户有限公司")[1][0]
    client.force_login(finance)
    page = client.get(f"{URL}?bills={bills[0].pk}&bills={other.pk}")
    assert page.status_code == 400
    text = page.content.decode()
    assert "所选账单属于不同客户（另一家客户有限公司、杭州𡃁子数据科技有限公司）" in text
    assert "请只选择同一客户的账单" in text


def test_no_bills_or_bad_format_are_refused(client, small) -> None:
    customer, bills, _ = small
    client.force_login(customer.owner)
    empty = client.get(URL)
    assert empty.status_code == 400
    assert "没有选中的账单：请至少选择一张账单" in empty.content.decode()
    bad = client.get(f"{URL}?bills={bills[0].pk}&format=doc")
    assert bad.status_code == 400
    assert "不支持的格式 “doc”：请选择 pdf 或 xlsx" in bad.content.decode()


def test_anonymous_is_sent_to_login(client, small) -> None:
    response = client.get(f"{URL}?bills={small[1][0].pk}")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# ------------------------------------------------------------------------------------------ full size
def test_full_size_report_is_ready_within_ten_seconds(client) -> None:
    """20 accounts × 31 days × 3 carriers through the desk download, each format timed on its own."""
    customer, bills, records = usage_customer()
    assert len(records) == 20 * 31 * 3
    client.force_login(customer.owner)
    ids = "&".join(f"bills={bill.pk}" for bill in bills)
    client.get(f"{URL}?bills={bills[0].pk}&format=pdf")  # WeasyPrint's first import and set-up
    for kind in ("pdf", "xlsx"):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"{URL}?{ids}&format={kind}")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        print(f"BENCH usage_report_{kind}_20x31x3: {elapsed:.2f} s wall, {cpu:.2f} s CPU (target 10)")
        assert response.status_code == 200
        assert elapsed < 20.0, "even on a shared machine"
        assert cpu < 10.0
    report = usage_report_load(customer=customer, bills=bills)
    assert report.totals.total == sum(r.billable for r in records)
    assert len(report.details) == 1860


def test_product_of_same_customer_not_billed_is_left_out(small) -> None:
    customer, bills, records = small
    unbilled = AccountFactory.create(product=ProductFactory.create(customer=customer, name="未选产品"))
    UsageRecord.objects.create(
        account_code=unbilled.code, account=unbilled, day=date(2026, 10, 3), month=date(2026, 10, 1), billable=123
    )
    report = usage_report_load(customer=customer, bills=bills)
    assert unbilled.code not in {a.code for a in report.accounts}
    assert report.totals.total == sum(r.billable for r in records)
