"""账单月报, 销账与提成依据, 开票统计, 计息罚息, 未匹配到款, 客户漏斗变动: figures against hand-computed data,
visibility, pagination, exports (dates are dates), permissions and the 报表 menu."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sales_erp.billing.models import BillStatus
from sales_erp.customers.models import InvoiceKind, Tier, TierChange, TierRule
from sales_erp.invoicing.models import Invoice, InvoiceSource
from sales_erp.org.models import InvoicingEntity
from sales_erp.reports import selectors
from sales_erp.reports.menu import REPORT_MENU
from sales_erp.reports.reports import REPORTS
from sales_erp.writeoffs.models import InterestEntry, InterestKind, WriteOff, WriteOffStatus
from tests.factories import CustomerFactory
from tests.reports.conftest import archived_process, bill_make, csv_rows
from tests.writeoffs.factories import deposit_make

pytestmark = pytest.mark.django_db

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def xlsx(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


# ------------------------------------------------------------------------------------------ 账单月报
@pytest.fixture
def monthly_bills(jia, yi):
    bill_make(jia, period=SEP, amount="100.00", written_off="40.00", invoiced="100.00", count=1000, due=OCT)
    bill_make(jia, period=SEP, amount="250.50", count=2505, due=OCT, status=BillStatus.ISSUED)
    bill_make(jia, period=OCT, amount="99.99", written_off="99.99", count=333, due=NOV)
    bill_make(yi, period=SEP, amount="1000.00", count=9999, due=OCT)


def test_bills_by_month(people, monthly_bills, yi):
    rows = selectors.bills_by_month(user=people["finance"])
    assert rows == [
        {
            "month": SEP,
            "bills": 3,
            "count": 13504,
            "amount": Decimal("1350.50"),
            "written_off": Decimal("40.00"),
            "open": Decimal("1310.50"),
            "invoiced": Decimal("100.00"),
        },
        {
            "month": OCT,
            "bills": 1,
            "count": 333,
            "amount": Decimal("99.99"),
            "written_off": Decimal("99.99"),
            "open": Decimal("0.00"),
            "invoiced": Decimal("0.00"),
        },
    ]
    only_sep_issued = selectors.bills_by_month(
        user=people["finance"], month_from=SEP, month_to=SEP, status=BillStatus.ISSUED
    )
    assert [(r["bills"], r["amount"]) for r in only_sep_issued] == [(1, Decimal("250.50"))]
    by_s2 = selectors.bills_by_month(user=people["finance"], salesperson_id=people["s2"].pk)
    assert [(r["month"], r["amount"]) for r in by_s2] == [(SEP, Decimal("1000.00"))]
    assert [r["amount"] for r in selectors.bills_by_month(user=people["finance"], query="甲")] == [
        Decimal("350.50"),
        Decimal("99.99"),
    ]


def test_bills_page_filters_and_visibility(client, people, monthly_bills):
    client.force_login(people["s1"])
    rows = csv_rows(client.get("/desk/reports/bills/", {"format": "csv"}))
    assert rows[0] == ["账单月份", "账单数", "计费条数", "账单金额(元)", "已销账(元)", "未销账(元)", "已开票(元)"]
    assert rows[1:] == [
        ["2026-09", "2", "3505", "350.50", "40.00", "310.50", "100.00"],
        ["2026-10", "1", "333", "99.99", "99.99", "0.00", "0.00"],
        ["合计", "3", "3838", "450.49", "139.99", "310.50", "100.00"],
    ]
    html = client.get("/desk/reports/bills/", {"month_from": "2026-10", "month_to": "2026-10"}).content.decode()
    assert "2026-10" in html and "2026-09" not in html
    # a salesperson's 销售 choices are only themselves
    assert str(people["s2"]) not in html


def test_bills_xlsx_months_are_dates(client, people, monthly_bills):
    client.force_login(people["finance"])
    sheet = xlsx(client.get("/desk/reports/bills/", {"format": "xlsx"}))
    assert sheet.freeze_panes == "A2"
    assert isinstance(sheet["A2"].value, datetime) and sheet["A2"].value.date() == SEP
    assert sheet["A2"].number_format == "yyyy-mm"
    assert sheet["C2"].value == 13504 and sheet["D2"].value == 1350.5


def test_pagination(client, people, jia):
    for month in range(1, 13):
        for year in (2024, 2025, 2026):
            bill_make(jia, period=date(year, month, 1), amount="1.00", due=date(year, month, 1))
    from sales_erp.reports.reports import BillsByMonth

    assert BillsByMonth.per_page == 50
    BillsByMonth.per_page = 10
    try:
        client.force_login(people["finance"])
        html = client.get("/desk/reports/bills/").content.decode()
        assert "第 1 / 4 页，共 36 行" in html and "2024-01" in html and "2024-11" not in html
        html = client.get("/desk/reports/bills/", {"page": "4"}).content.decode()
        assert "2026-12" in html and "2026-06" not in html and "上一页" in html
        assert "<td>36</td>" not in html
        # the export holds every row, whatever the page
        assert len(csv_rows(client.get("/desk/reports/bills/", {"page": "2", "format": "csv"}))) == 1 + 36 + 1
    finally:
        BillsByMonth.per_page = 50


# -------------------------------------------------------------------------------------- 提成依据
def test_commission_basis_reuses_the_write_offs_figures(client, people, jia, yi):
    for customer, total, month in ((jia, "120.00", OCT), (jia, "30.50", OCT), (yi, "999.00", OCT)):
        WriteOff.objects.create(
            process=archived_process("write_off", customer.owner, customer),
            customer=customer,
            salesperson=customer.owner,
            status=WriteOffStatus.POSTED,
            total=Decimal(total),
            posted_on=month,
            posted_month=month,
        )
    WriteOff.objects.create(
        process=archived_process("write_off", jia.owner, jia),
        customer=jia,
        salesperson=jia.owner,
        status=WriteOffStatus.REVERSED,
        total=Decimal("500.00"),
        posted_on=OCT,
        posted_month=OCT,
    )
    client.force_login(people["s1"])
    rows = csv_rows(client.get("/desk/reports/commission/", {"format": "csv"}))
    assert rows == [
        ["月份", "销售", "销账笔数", "销账金额(元)", "计息(元)", "罚息(元)"],
        ["2026-10", str(people["s1"]), "2", "150.50", "0.00", "0.00"],
        ["合计", "", "2", "150.50", "0.00", "0.00"],
    ]
    client.force_login(people["finance"])
    sheet = xlsx(client.get("/desk/reports/commission/", {"format": "xlsx"}))
    assert sheet.freeze_panes == "A2" and sheet.max_row == 4 and sheet["D4"].value == 1149.5


# -------------------------------------------------------------------------------------- 开票统计
def test_invoices_issued(client, people, jia, yi):
    entity = InvoicingEntity.objects.create(name="某某云通讯有限公司", tax_id="91310000000000000X")

    def invoice(customer, amount, received, day, kind=InvoiceKind.ORDINARY):
        Invoice.objects.create(
            source=InvoiceSource.BILL,
            customer=customer,
            entity=entity,
            invoice_type=kind,
            title_company_name=customer.name,
            amount=Decimal(amount),
            received_amount=Decimal(received),
            issued_on=day,
            process=archived_process("bill_invoice", customer.owner, customer),
        )

    invoice(jia, "100.00", "100.00", date(2026, 10, 3))
    invoice(jia, "23.45", "0.00", date(2026, 10, 31))
    invoice(jia, "50.00", "0.00", date(2026, 10, 15), kind=InvoiceKind.SPECIAL)
    invoice(jia, "7.00", "7.00", date(2026, 11, 1))
    invoice(yi, "800.00", "0.00", date(2026, 10, 9))
    rows = selectors.invoices_issued(user=people["s1"], month_from=OCT, month_to=OCT)
    assert [(r["month"], r["invoice_type"], r["invoices"], r["amount"], r["received"]) for r in rows] == [
        (OCT, "增值税专用发票(专票)", 1, Decimal("50.00"), Decimal("0.00")),
        (OCT, "增值税普通发票(普票)", 2, Decimal("123.45"), Decimal("100.00")),
    ]
    assert all(r["customer"] == jia.name and r["entity"] == "某某云通讯有限公司" for r in rows)
    client.force_login(people["finance"])
    csv = csv_rows(client.get("/desk/reports/invoices/", {"format": "csv", "invoice_type": "ordinary"}))
    assert csv[-1] == ["合计", "", "", "", "4", "930.45", "107.00"]


# -------------------------------------------------------------------------------------- 计息罚息
def test_interest_and_penalty(client, people, jia, yi):
    bill = bill_make(jia, amount="1000.00", due=SEP)

    def entry(kind, customer, month, amount, bill=None):
        InterestEntry.objects.create(
            kind=kind,
            bill=bill,
            customer=customer,
            salesperson=customer.owner,
            month=month,
            days=30,
            amount=Decimal(amount),
            through=month,
        )

    entry(InterestKind.PENALTY, jia, SEP, "15.00", bill)
    entry(InterestKind.PENALTY, jia, OCT, "15.50", bill)
    entry(InterestKind.CREDIT, jia, OCT, "2.25")
    entry(InterestKind.PENALTY, yi, OCT, "99.00")
    rows = selectors.interest_by_month(user=people["s1"])
    assert [(r["month"], r["entries"], r["penalty"], r["credit"]) for r in rows] == [
        (SEP, 1, Decimal("15.00"), Decimal("0.00")),
        (OCT, 2, Decimal("15.50"), Decimal("2.25")),
    ]
    client.force_login(people["finance"])
    csv = csv_rows(client.get("/desk/reports/interest/", {"format": "csv", "month_from": "2026-10"}))
    assert csv[-1] == ["合计", "", "", "3", "114.50", "2.25"]
    client.force_login(people["s1"])
    assert "北京乙信息有限公司" not in client.get("/desk/reports/interest/", {"format": "csv"}).content.decode(
        "utf-8-sig"
    )


# ------------------------------------------------------------------------------------ 未匹配到款
def test_unmatched_deposits(client, people, jia):
    deposit_make(customer=None, received_on=date(2026, 11, 1), amount="300.00", payer="某贸易公司")
    deposit_make(customer=None, received_on=date(2026, 10, 1), amount="88.80", payer="无名科技")
    deposit_make(customer=jia, received_on=date(2026, 10, 1), amount="500.00")  # matched: not in the pool
    rows = selectors.unmatched_deposits(user=people["finance"], as_of=date(2026, 11, 30))
    assert [(r["payer"], r["amount"], r["age"]) for r in rows] == [
        ("无名科技", Decimal("88.80"), 60),
        ("某贸易公司", Decimal("300.00"), 29),
    ]
    client.force_login(people["s1"])
    response = client.get("/desk/reports/unmatched/", {"format": "xlsx", "as_of": "2026-11-30"})
    sheet = xlsx(response)
    assert [c.value for c in sheet[1]][:6] == ["到款日期", "付款方", "付款账号", "到款金额(元)", "余额(元)", "账龄(天)"]
    assert sheet["A2"].value.date() == date(2026, 10, 1) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert (sheet["D2"].value, sheet["F2"].value) == (88.8, 60)
    assert [c.value for c in sheet[4]][:5] == ["合计", "2 笔", None, 388.8, 388.8]


def test_a_payer_named_like_a_formula_stays_text(client, people):
    deposit_make(customer=None, received_on=date(2026, 11, 1), amount="1.00", payer='=HYPERLINK("x")')
    client.force_login(people["finance"])
    sheet = xlsx(client.get("/desk/reports/unmatched/", {"format": "xlsx"}))
    assert (sheet["B2"].value, sheet["B2"].data_type) == ('=HYPERLINK("x")', "s")
    rows = csv_rows(client.get("/desk/reports/unmatched/", {"format": "csv"}))
    assert rows[1][1] == '\'=HYPERLINK("x")'


# ------------------------------------------------------------------------------------ 客户漏斗变动
def test_funnel_movements(client, people, jia, yi):
    pool = CustomerFactory.create(name="广州丙公司", owner=None, tier=Tier.POOL)
    moves = [
        (jia, Tier.INTENT, Tier.TEST, TierRule.INTENT_TO_TEST, date(2026, 10, 2), people["s1"]),
        (jia, Tier.TEST, Tier.CONTRACT, TierRule.TEST_TO_CONTRACT, date(2026, 10, 20), people["s1"]),
        (pool, Tier.SILENT, Tier.POOL, TierRule.CONTRACT_EXPIRED, date(2026, 10, 5), people["s1"]),
        (pool, Tier.SILENT, Tier.POOL, TierRule.CONTRACT_EXPIRED, date(2026, 10, 25), people["s1"]),
        (yi, Tier.INTENT, Tier.TEST, TierRule.INTENT_TO_TEST, date(2026, 10, 9), people["s2"]),
        (yi, Tier.INTENT, Tier.TEST, TierRule.INTENT_TO_TEST, date(2026, 11, 9), people["s2"]),
    ]
    for customer, before, after, rule, day, person in moves:
        TierChange.objects.create(
            customer=customer, from_tier=before, to_tier=after, rule=rule, date=day, salesperson=person
        )
    rows = selectors.funnel_movements(user=people["s1"])
    assert [(r["month"], r["from_tier"], r["to_tier"], r["changes"], r["customers"]) for r in rows] == [
        (OCT, "意向客户", "测试客户", 1, 1),
        (OCT, "沉默客户", "公共池客户", 2, 1),  # the customer they lost to the pool still counts as theirs
        (OCT, "测试客户", "合同客户", 1, 1),
    ]
    assert {r["salesperson"] for r in rows} == {str(people["s1"])}
    leader = selectors.funnel_movements(user=people["leader"], to_tier=Tier.TEST)
    assert [(r["month"], r["salesperson"], r["changes"]) for r in leader] == [
        (OCT, str(people["s1"]), 1),
        (OCT, str(people["s2"]), 1),
        (NOV, str(people["s2"]), 1),
    ]
    client.force_login(people["finance"])
    csv = csv_rows(
        client.get("/desk/reports/funnel/", {"format": "csv", "month_from": "2026-10", "month_to": "2026-10"})
    )
    assert csv[0] == ["月份", "原类别", "新类别", "规则", "归属销售", "变动次数", "客户数"]
    assert csv[-1] == ["合计", "", "", "", "", "5", ""]


# -------------------------------------------------------------------------------- access and menu
def test_menu_matches_the_reports():
    assert [(code, title, icon, permission) for code, title, icon, permission in REPORT_MENU] == [
        (r.code, r.title, r.icon, r.permission) for r in REPORTS.values()
    ]


def test_every_report_page_and_export_answers(client, people):
    client.force_login(people["finance"])
    for code in REPORTS:
        assert client.get(f"/desk/reports/{code}/").status_code == 200, code
        assert client.get(f"/desk/reports/{code}/", {"format": "xlsx"}).status_code == 200, code
        assert client.get(f"/desk/reports/{code}/", {"format": "csv"}).content.startswith(b"\xef\xbb\xbf"), code
    html = client.get("/desk/reports/").content.decode()
    assert all(r.title in html for r in REPORTS.values())
    html = client.get("/desk/").content.decode()
    assert "/desk/reports/ageing/" in html  # the 报表 menu group


def test_a_user_without_the_permission_gets_404(client, people, django_user_model):
    from tests.factories import UserFactory

    nobody = UserFactory.create(username="t_nobody", roles=[])
    client.force_login(nobody)
    assert client.get("/desk/reports/ageing/").status_code == 404
    assert client.get("/desk/reports/ageing/", {"format": "xlsx"}).status_code == 404
    assert client.get("/desk/reports/nosuch/").status_code == 404
    client.force_login(people["s1"])
    assert client.get("/desk/reports/ageing/", {"format": "pdf"}).status_code == 404
