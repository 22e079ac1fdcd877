"""Bills through the API: read-only, with lines, filtered, and another salesperson's bill is a 404."""

from __future__ import annotations

import pytest

from sales_erp.billing.models import Bill

pytestmark = pytest.mark.django_db


def test_a_salesperson_reads_their_bill_with_its_lines(people, books, api):
    client = api(people["s1"])
    body = client.get("/api/bills/").json()
    assert [b["name"] for b in body["results"]] == ["账单-2026-10-API001"]
    bill = body["results"][0]
    assert (bill["period"], bill["bill_date"], bill["due_date"]) == ("2026-10-01", "2026-11-05", "2026-12-05")
    assert (bill["count"], bill["amount"], bill["open_amount"], bill["status"]) == (1000, "40.00", "40.00", "issued")
    assert [(ln["account_code"], ln["count"], ln["unit_price"], ln["amount"]) for ln in bill["lines"]] == [
        ("API001", 1000, "0.040000", "40.00")
    ]
    assert client.get(f"/api/bills/{bill['id']}/").json()["name"] == "账单-2026-10-API001"


def test_another_salespersons_bill_by_id_is_404(people, books, api):
    theirs = Bill.objects.get(customer=books["theirs"])
    assert api(people["s1"]).get(f"/api/bills/{theirs.pk}/").status_code == 404
    assert api(people["s2"]).get(f"/api/bills/{theirs.pk}/").status_code == 200


def test_filters_by_customer_period_and_status(people, books, api):
    client = api(people["finance"])
    assert client.get("/api/bills/").json()["count"] == 2
    by_customer = client.get(f"/api/bills/?customer={books['theirs'].pk}").json()
    assert [b["name"] for b in by_customer["results"]] == ["账单-2026-10-API002"]
    assert client.get("/api/bills/?period=2026-10").json()["count"] == 2
    assert client.get("/api/bills/?period=2026-09").json()["count"] == 0
    assert client.get("/api/bills/?status=reconciled").json()["count"] == 0
    assert client.get("/api/bills/?status=issued").json()["count"] == 2


def test_bad_filters_say_what_to_fix(people, books, api):
    client = api(people["finance"])
    period = client.get("/api/bills/?period=2026-13")
    assert period.status_code == 400
    assert period.json() == {"period": ["period 应为 YYYY-MM，例如 2026-10，收到 “2026-13”"]}
    status = client.get("/api/bills/?status=paid").json()
    assert status == {"status": ["status 应为 issued、reconciling、reconciled 之一，收到 “paid”"]}
    assert client.get("/api/bills/?customer=abc").status_code == 400


def test_bills_are_read_only_and_need_the_permission(people, books, api):
    bill = Bill.objects.get(customer=books["mine"])
    assert api(people["s1"]).delete(f"/api/bills/{bill.pk}/").status_code == 405
    # 法务 sees customers but not bills (ROLE_PERMISSIONS)
    assert api(people["legal"]).get("/api/bills/").status_code == 403
