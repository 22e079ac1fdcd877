"""应收账龄: open amounts of reconciled bills per ageing bucket, by customer and by salesperson; bucket
boundaries (due today is 0 days: 0–30; 30 → 0–30, 31 → 31–60, 90 → 61–90, 91 → 90+); visibility;
XLSX and CSV exports."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sales_erp.billing.models import BillStatus
from sales_erp.reports import selectors
from tests.reports.conftest import bill_make, csv_rows

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 30)
URL = "/desk/reports/ageing/"


@pytest.fixture
def bills(jia, yi):
    bill_make(jia, amount="100.00", due=date(2026, 12, 1))  # due tomorrow: 未到期
    bill_make(jia, amount="200.00", due=date(2026, 11, 30))  # due today: 0 days → 0–30
    bill_make(jia, amount="300.00", written_off="50.00", due=date(2026, 10, 31))  # 30 days → 0–30, open 250
    bill_make(jia, amount="400.00", due=date(2026, 10, 30))  # 31 days → 31–60
    bill_make(jia, amount="500.00", due=date(2026, 9, 1))  # 90 days → 61–90
    bill_make(jia, amount="600.00", due=date(2026, 8, 31))  # 91 days → 90+
    bill_make(jia, amount="70.00", written_off="70.00", due=date(2026, 8, 1))  # fully written off: not open
    bill_make(jia, amount="80.00", due=date(2026, 8, 1), status=BillStatus.ISSUED)  # not reconciled yet
    bill_make(yi, amount="1000.00", due=date(2026, 11, 1))  # 29 days → 0–30


def test_bucket_boundaries_by_customer(people, bills, jia, yi):
    rows = selectors.receivables_ageing(user=people["finance"], as_of=AS_OF)
    assert [(r["customer"], r["bills"]) for r in rows] == [(jia.name, 6), (yi.name, 1)]
    jia_row = rows[0]
    assert {k: jia_row[k] for k, _ in selectors.BUCKETS} == {
        "not_due": Decimal("100.00"),
        "d0_30": Decimal("450.00"),
        "d31_60": Decimal("400.00"),
        "d61_90": Decimal("500.00"),
        "d90_plus": Decimal("600.00"),
    }
    assert (jia_row["overdue"], jia_row["total"]) == (Decimal("1950.00"), Decimal("2050.00"))
    assert (rows[1]["d0_30"], rows[1]["total"]) == (Decimal("1000.00"), Decimal("1000.00"))


def test_day_boundaries_move_with_as_of(people, bills):
    """A day later, the bill due on 11-30 is 1 day past due (still 0–30), the 30-day one turns 31."""
    row = selectors.receivables_ageing(user=people["finance"], as_of=date(2026, 12, 1))[0]
    assert (row["not_due"], row["d0_30"], row["d31_60"]) == (Decimal("0.00"), Decimal("300.00"), Decimal("650.00"))
    assert (row["d61_90"], row["d90_plus"]) == (Decimal("0.00"), Decimal("1100.00"))


def test_by_salesperson_and_the_leader_sees_the_team(people, bills):
    rows = selectors.receivables_ageing(user=people["leader"], as_of=AS_OF, by="salesperson")
    assert {r["salesperson"]: r["total"] for r in rows} == {
        str(people["s1"]): Decimal("2050.00"),
        str(people["s2"]): Decimal("1000.00"),
    }


def test_filters_by_salesperson_and_name(people, bills, yi):
    rows = selectors.receivables_ageing(user=people["finance"], as_of=AS_OF, salesperson_id=people["s2"].pk)
    assert [(r["customer"], r["total"]) for r in rows] == [(yi.name, Decimal("1000.00"))]
    assert [r["customer"] for r in selectors.receivables_ageing(user=people["finance"], as_of=AS_OF, query="乙")] == [
        yi.name
    ]


def test_page_shows_rows_and_totals(client, people, bills):
    client.force_login(people["finance"])
    html = client.get(URL, {"as_of": "2026-11-30"}).content.decode()
    assert "上海甲科技有限公司" in html and "北京乙信息有限公司" in html
    assert "<td>合计</td>" in html
    assert '<td class="num">3,050.00</td>' in html  # 2050 + 1000
    assert '<td class="num">1,450.00</td>' in html  # 0–30: 450 + 1000


def test_xlsx_has_a_frozen_header_real_numbers_and_totals(client, people, bills):
    client.force_login(people["finance"])
    response = client.get(URL, {"as_of": "2026-11-30", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [
        "客户",
        "销售",
        "账单数",
        "未到期",
        "0–30天",
        "31–60天",
        "61–90天",
        "90天以上",
        "逾期合计",
        "未销合计",
    ]
    first = [c.value for c in sheet[2]]
    assert first[0] == "上海甲科技有限公司" and first[2] == 6
    assert first[3:] == [100, 450, 400, 500, 600, 1950, 2050]
    assert all(isinstance(v, (int, float)) for v in first[2:])
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    assert [c.value for c in sheet[4]][0] == "合计" and sheet.cell(row=4, column=10).value == 3050
    assert sheet.column_dimensions["A"].width == 30


def test_csv_has_a_bom_and_parses(client, people, bills):
    client.force_login(people["finance"])
    rows = csv_rows(client.get(URL, {"as_of": "2026-11-30", "format": "csv", "by": "salesperson"}))
    assert rows[0] == ["销售", "账单数", "未到期", "0–30天", "31–60天", "61–90天", "90天以上", "逾期合计", "未销合计"]
    assert rows[1] == [str(people["s1"]), "6", "100.00", "450.00", "400.00", "500.00", "600.00", "1950.00", "2050.00"]
    assert rows[-1][0] == "合计" and rows[-1][-1] == "3050.00"


def test_a_salespersons_export_holds_none_of_anothers_customers(client, people, bills):
    client.force_login(people["s1"])
    content = client.get(URL, {"as_of": "2026-11-30", "format": "csv"}).content.decode("utf-8-sig")
    assert "上海甲科技有限公司" in content and "北京乙信息有限公司" not in content
    book = load_workbook(io.BytesIO(client.get(URL, {"as_of": "2026-11-30", "format": "xlsx"}).content))
    values = {c.value for row in book.active.iter_rows() for c in row}
    assert "上海甲科技有限公司" in values and "北京乙信息有限公司" not in values and 3050 not in values


def test_default_as_of_is_today(client, people, bills, monkeypatch):
    from sales_erp.reports import reports

    monkeypatch.setattr(reports, "today", lambda: AS_OF)
    client.force_login(people["finance"])
    sheet = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content)).active
    assert sheet.cell(row=2, column=5).value == 450
