"""The billing desk pages as each role sees them: lists scoped by visibility (404, never 403), the bill
page with its lines and tier breakdown, 出账 by hand and its report, the menu, the global search."""

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill, BillRun
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.desk.search import global_search
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, ProductFactory, UserFactory, schedule_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers():
    """Two salespeople's products, each billed for October 2026, and one product without a price."""
    mine = AccountFactory.create(code="S1001").product
    schedule_active(product=mine, price_type="graduated", tiers=[(0, 100, "0.05"), (100, None, "0.04")])
    theirs = AccountFactory.create(code="S2001").product
    schedule_active(product=theirs)
    unpriced = AccountFactory.create(code="S1002", product=ProductFactory.create(customer=mine.customer)).product
    usage_push(
        rows=[
            {"day": date(2026, 10, 2), "account": "S1001", "billable": 150},
            {"day": date(2026, 10, 2), "account": "S2001", "billable": 10},
            {"day": date(2026, 10, 2), "account": "S1002", "billable": 10},
        ],
        user=None,
    )
    bill_run(day=date(2026, 11, 28))
    return {"mine": mine, "theirs": theirs, "unpriced": unpriced, "me": mine.customer.owner}


def test_sales_see_only_their_customers_bills(client, two_customers):
    client.force_login(two_customers["me"])
    page = client.get("/desk/billing/bill/")
    assert page.status_code == 200
    assert [b.name for b in page.context["cl"].result_list] == ["账单-2026-10-S1001"]
    theirs = Bill.objects.get(product=two_customers["theirs"])
    assert client.get(f"/desk/billing/bill/{theirs.pk}/change/").status_code == 404


def test_the_bill_page_shows_lines_and_the_tier_breakdown(client, two_customers):
    client.force_login(two_customers["me"])
    bill = Bill.objects.get(product=two_customers["mine"])
    html = client.get(f"/desk/billing/bill/{bill.pk}/change/").content.decode()
    assert "账单-2026-10-S1001" in html
    assert "S1001" in html and "7.00" in html  # 100 × 0.05 + 50 × 0.04
    assert "0–100 条档 · 100 × 0.050000 = 5" in html
    assert "100 条以上档 · 50 × 0.040000 = 2" in html
    assert "重新生成账单" in html


def test_finance_sees_every_bill(client, two_customers):
    client.force_login(UserFactory.create(username="fin", roles=[Role.FINANCE]))
    page = client.get("/desk/billing/bill/")
    assert len(page.context["cl"].result_list) == 2


def test_sales_see_the_reasons_of_their_own_products_only(client, two_customers):
    other = UserFactory.create(username="other", roles=[Role.SALES])
    client.force_login(other)
    assert list(client.get("/desk/billing/nobillreason/").context["cl"].result_list) == []
    client.force_login(two_customers["me"])
    page = client.get("/desk/billing/nobillreason/")
    [reason] = page.context["cl"].result_list
    assert reason.product == two_customers["unpriced"]
    assert "产品当月没有调价" in page.content.decode()
    assert "生成账单" in page.content.decode()


def test_finance_runs_the_bills_by_hand_and_reads_the_report(client, two_customers):
    finance = UserFactory.create(username="fin2", roles=[Role.FINANCE])
    client.force_login(finance)
    assert client.get("/desk/billing/bills/run/").status_code == 200

    response = client.post("/desk/billing/bills/run/", {"month": "2026-10"})

    run = BillRun.objects.latest("started_at")
    assert response["Location"] == f"/desk/billing/billrun/{run.pk}/change/"
    assert (run.triggered_by, run.billed_count, run.existing_count, run.no_bill_count) == (finance, 0, 2, 1)
    html = client.get(response["Location"]).content.decode()
    assert "2026-10 出账完成：新出账单 0 张，未出账产品 1 个，已有账单 2 张" in html
    assert "产品当月没有调价" in html and two_customers["unpriced"].code in html


def test_sales_cannot_run_the_bills(client, two_customers):
    client.force_login(two_customers["me"])
    assert client.get("/desk/billing/bills/run/").status_code == 404
    assert client.post("/desk/billing/bills/run/", {"month": "2026-10"}).status_code == 404
    assert BillRun.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        (Role.FINANCE, ["发送量导入", "账单", "出账记录", "无账单原因", "价格表/调价", "报价计算器"], []),
        (Role.SALES, ["账单", "无账单原因", "价格表/调价", "报价计算器"], ["发送量导入", "出账记录"]),
    ],
)
def test_menu_entries_follow_the_roles(client, role, sees, hidden):
    client.force_login(UserFactory.create(username=f"menu_{role}", roles=[role]))
    html = client.get("/desk/").content.decode()
    for title in sees:
        assert title in html
    for title in hidden:
        assert title not in html


def test_global_search_finds_bills_the_user_may_see(two_customers):
    # The account S1001 is found too (by the customers' provider); this test is about the bills.
    hits = [h for h in global_search(user=two_customers["me"], query="S1001") if h.kind == "账单"]
    assert [(h.kind, h.label) for h in hits] == [("账单", "账单-2026-10-S1001")]
    assert global_search(user=two_customers["me"], query="S2001") == []
    finance = UserFactory.create(username="fin3", roles=[Role.FINANCE])
    assert [h.label for h in global_search(user=finance, query="账单-2026-10")] == [
        "账单-2026-10-S1001",
        "账单-2026-10-S2001",
    ]


def test_usage_list_and_import_log_render_for_finance(client, two_customers):
    client.force_login(UserFactory.create(username="fin4", roles=[Role.FINANCE]))
    assert client.get("/desk/billing/usagerecord/").status_code == 200
    assert client.get("/desk/billing/usageimport/").status_code == 200
    assert client.get("/desk/billing/billrun/").status_code == 200


def test_the_history_of_a_hidden_bill_is_a_404_too(client, two_customers):
    client.force_login(two_customers["me"])
    theirs = Bill.objects.get(product=two_customers["theirs"])
    mine = Bill.objects.get(product=two_customers["mine"])
    assert client.get(f"/desk/billing/bill/{theirs.pk}/history/").status_code == 404
    assert client.get(f"/desk/billing/bill/{mine.pk}/history/").status_code == 200


def test_the_customer_page_panel_lists_bills_and_reasons_for_whoever_may_see_them(two_customers):
    from django.template.loader import render_to_string

    from sales_erp.billing.selectors import customer_bills_panel

    customer = two_customers["mine"].customer
    panel = customer_bills_panel(customer=customer, user=two_customers["me"])

    assert panel is not None
    assert [b.name for b in panel["bills"]] == ["账单-2026-10-S1001"]
    assert (panel["issued_count"], panel["issued_amount"]) == (1, Decimal("7.00"))
    assert [r.product for r in panel["reasons"]] == [two_customers["unpriced"]]
    html = render_to_string(panel["template"], {"panel": panel})
    assert "未对账 1 张，共 7.00 元" in html and "产品当月没有调价" in html
    stranger = UserFactory.create(username="stranger", roles=[Role.SALES])
    assert customer_bills_panel(customer=customer, user=stranger) is None


def test_the_buttons_lead_to_generate_filled_in(client, two_customers):
    client.force_login(two_customers["me"])
    bill = Bill.objects.get(product=two_customers["mine"])
    response = client.get(f"/desk/billing/bill/{bill.pk}/regenerate/")
    assert response["Location"] == f"/desk/billing/bills/generate/?product={bill.product_id}&month=2026-10"
    theirs = Bill.objects.get(product=two_customers["theirs"])
    assert client.get(f"/desk/billing/bill/{theirs.pk}/regenerate/").status_code == 404


def bill_list_names(client, user, query: str) -> list[str]:
    client.force_login(user)
    page = client.get("/desk/billing/bill/", {"q": query})
    assert page.status_code == 200
    return sorted(b.name for b in page.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("S1001", ["账单-2026-10-S1001"]),  # an account code
        ("s100", ["账单-2026-10-S1001"]),  # part of it, either case (the unpriced product was not billed)
        ("账单-2026-10-S2001", ["账单-2026-10-S2001"]),  # a bill's whole name
        ("2026-10", ["账单-2026-10-S1001", "账单-2026-10-S2001"]),  # a month
        ("账单-2026-09", []),
        ("2026-13", []),  # not a month: searched as a code or a name, finds nothing
        ("0000-01", []),  # no year 0: searched as a code, finds nothing (not a server error)
    ],
)
def test_bill_search_by_code_name_or_month(client, two_customers, query, expected):
    finance = UserFactory.create(username="fin5", roles=[Role.FINANCE])
    assert bill_list_names(client, finance, query) == expected


def test_bill_search_by_customer_name_keeps_visibility(client, two_customers):
    theirs = two_customers["theirs"].customer
    finance = UserFactory.create(username="fin6", roles=[Role.FINANCE])
    assert bill_list_names(client, finance, theirs.name[2:]) == ["账单-2026-10-S2001"]
    assert bill_list_names(client, two_customers["me"], theirs.name) == []


def test_bill_search_with_more_matches_than_inline_ids(client, two_customers, monkeypatch):
    """Past IDS_INLINE matching customers / products the search passes a subquery: same bills."""
    from sales_erp.billing import selectors

    monkeypatch.setattr(selectors, "IDS_INLINE", 0)
    finance = UserFactory.create(username="fin7", roles=[Role.FINANCE])
    assert bill_list_names(client, finance, "S") == ["账单-2026-10-S1001", "账单-2026-10-S2001"]
    mine = two_customers["mine"].customer
    assert bill_list_names(client, finance, mine.name) == ["账单-2026-10-S1001"]


def test_keys_first_paginator_pages_equal_the_plain_paginators():
    """The bill list's paginator reads a page's keys, then the rows: the same rows, in the same order, with
    the queryset's prefetches, as Django's own paginator gives."""
    from django.core.paginator import Paginator

    from sales_erp.customers.models import Customer
    from sales_erp.desk.admin_base import KeysFirstPaginator
    from tests.factories import CustomerFactory

    for n in (3, 1, 4, 7, 5, 9, 2):
        CustomerFactory.create(name=f"分页客户{n}有限公司")
    customers = Customer.objects.filter(name__startswith="分页客户").order_by("-name", "pk").select_related("owner")
    plain, keys_first = Paginator(customers, 3), KeysFirstPaginator(customers, 3)
    assert keys_first.num_pages == plain.num_pages == 3
    for number in (1, 2, 3):
        assert [c.pk for c in keys_first.page(number).object_list] == [c.pk for c in plain.page(number).object_list]
    assert [c.name for c in keys_first.page(3).object_list] == ["分页客户1有限公司"]
    first = keys_first.page(1).object_list[0]
    assert "owner" in first._state.fields_cache  # the select_related came along


def test_sales_see_the_bills_of_a_pool_customer_and_of_their_own(two_customers):
    """bills_visible_to narrows its pool part to customers with a product (the visible rows stay the same):
    a pool customer's bill is seen by every salesperson, another salesperson's customer's is not."""
    from sales_erp.billing.selectors import bills_visible_to
    from sales_erp.customers.models import Tier

    theirs = two_customers["theirs"].customer
    me = two_customers["me"]
    assert not bills_visible_to(me).filter(customer=theirs).exists()
    theirs.tier, theirs.owner = Tier.POOL, None
    theirs.save()
    assert sorted(b.name for b in bills_visible_to(me)) == ["账单-2026-10-S1001", "账单-2026-10-S2001"]
