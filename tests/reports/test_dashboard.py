"""The desk home's charts: receivables by ageing bucket, bills and write-offs of the last 6 months, funnel
tier counts — Chart.js data from unfold's chart component, scoped to the user."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import date

import pytest

from sales_erp.reports import dashboard
from tests.reports.conftest import bill_make

pytestmark = pytest.mark.django_db


def charts(html: str) -> dict[str, dict]:
    found = {}
    for title, value in re.findall(r'data-chart="([^"]+)">.*?data-value="([^"]+)"', html, re.S):
        found[title] = json.loads(htmllib.unescape(value))
    return found


def test_months_back():
    assert dashboard.months_back(date(2026, 2, 14), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_home_page_shows_the_charts_scoped_to_the_user(client, people, jia, yi, monkeypatch):
    today = date(2026, 11, 30)
    monkeypatch.setattr(dashboard.timezone, "localdate", lambda: today)
    bill_make(jia, period=date(2026, 10, 1), amount="100.00", written_off="25.00", due=date(2026, 12, 1))
    bill_make(jia, period=date(2026, 11, 1), amount="40.00", due=date(2026, 9, 30))  # 61 days
    bill_make(yi, period=date(2026, 11, 1), amount="1000.00", due=date(2026, 11, 1))
    client.force_login(people["s1"])
    found = charts(client.get("/desk/").content.decode())
    ageing = found["应收账龄（未销金额，元）"]
    assert ageing["labels"] == ["未到期", "0–30天", "31–60天", "61–90天", "90天以上"]
    assert ageing["datasets"][0]["data"] == [75.0, 0.0, 0.0, 40.0, 0.0]
    bills = found["近6个月账单（元）"]
    assert bills["labels"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert bills["datasets"][0]["data"] == [0, 0, 0, 0, 100.0, 40.0]
    assert bills["datasets"][1]["data"] == [0, 0, 0, 0, 25.0, 0]
    funnel = found["客户漏斗（客户数）"]
    assert funnel["datasets"][0]["data"] == [0, 0, 1, 0, 0]  # 甲 is an 意向客户; 乙 is not theirs
    assert "近6个月销账（元）" in found
    client.force_login(people["finance"])
    found = charts(client.get("/desk/").content.decode())
    assert found["应收账龄（未销金额，元）"]["datasets"][0]["data"] == [75.0, 1000.0, 0.0, 40.0, 0.0]
