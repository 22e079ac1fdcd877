"""到款池 and a deposit's page: search, pagination, a salesperson's own deposits first, visibility (404 for
another salesperson's customer's deposit), and 销管's 指定客户 through the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sales_erp.deposits.models import Deposit, DepositStatus, PayerAlias
from sales_erp.messaging.models import Message
from sales_erp.org.roles import Role
from tests.deposits.conftest import POOL_URL, deposit_make
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

M, U = DepositStatus.MATCHED, DepositStatus.UNMATCHED


@pytest.fixture
def deposits(s1, s2):
    """s1's customer 甲 has an old deposit, s2's customer 乙 one, two wait in the pool."""
    jia = CustomerFactory.create(name="甲科技有限公司", owner=s1)
    yi = CustomerFactory.create(name="乙科技有限公司", owner=s2)
    return {
        "jia": deposit_make("甲科技有限公司", "850.00", date(2026, 10, 1), status=M, customer=jia, salesperson=s1),
        "yi": deposit_make("乙科技有限公司", "500.00", date(2026, 11, 12), status=M, customer=yi, salesperson=s2),
        "pool_new": deposit_make("丙贸易有限公司", "3600.00", date(2026, 11, 20)),
        "pool_old": deposit_make("丁网络有限公司", "1234.56", date(2026, 11, 5)),
    }


def listed(page) -> list[int]:
    return [deposit.pk for deposit in page.context["page"].object_list]


def test_a_salesperson_sees_the_pool_and_their_own_customers_deposits_first(client, s1, deposits):
    client.force_login(s1)
    page = client.get(POOL_URL)
    assert page.status_code == 200
    # Their own (older) deposit first, then the pool newest first; 乙's deposit (s2's customer) is not there.
    assert listed(page) == [deposits["jia"].pk, deposits["pool_new"].pk, deposits["pool_old"].pk]
    assert "乙科技有限公司" not in page.content.decode()


def test_another_salespersons_customers_deposit_is_a_404_by_id(client, s1, deposits):
    client.force_login(s1)
    assert client.get(f"/desk/deposits/{deposits['yi'].pk}/").status_code == 404
    assert client.get(f"/desk/deposits/{deposits['jia'].pk}/").status_code == 200
    assert client.get(f"/desk/deposits/{deposits['pool_new'].pk}/").status_code == 200


def test_a_leader_sees_the_teams_deposits(client, s1, deposits):
    leader = UserFactory.create(username="leader1", roles=[Role.SALES_LEADER])
    s1.superior = leader
    s1.save()
    client.force_login(leader)
    assert listed(client.get(POOL_URL))[0] == deposits["jia"].pk
    assert client.get(f"/desk/deposits/{deposits['yi'].pk}/").status_code == 404


def test_finance_sees_every_deposit_newest_first(client, finance, deposits):
    client.force_login(finance)
    assert listed(client.get(POOL_URL)) == [deposits[k].pk for k in ("pool_new", "yi", "pool_old", "jia")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"payer": "丙贸易"}, ["pool_new"]),
        ({"amount": "3,600.00"}, ["pool_new"]),
        ({"amount": "1234.56"}, ["pool_old"]),
        ({"date_from": "2026-11-05", "date_to": "2026-11-12"}, ["yi", "pool_old"]),
        ({"status": "unmatched"}, ["pool_new", "pool_old"]),
        ({"status": "matched", "date_to": "2026-10-31"}, ["jia"]),
    ],
)
def test_the_pool_searches_by_payer_amount_dates_and_status(client, finance, deposits, query, expected):
    client.force_login(finance)
    assert listed(client.get(POOL_URL, query)) == [deposits[k].pk for k in expected]


def test_a_bad_amount_is_said_and_left_out(client, finance, deposits):
    client.force_login(finance)
    page = client.get(POOL_URL, {"amount": "三千"})
    assert len(listed(page)) == 4
    assert "金额 &#x27;三千&#x27; 不是数字" in page.content.decode() or "金额 '三千' 不是数字" in page.content.decode()


def test_pagination_keeps_the_filters(client, finance):
    for i in range(55):
        deposit_make("戊公司", "10.00", date(2026, 1, 1) + timedelta(days=i))
    deposit_make("己公司", "10.00", date(2026, 6, 1))
    client.force_login(finance)

    first = client.get(POOL_URL, {"payer": "戊公司"})
    second = client.get(POOL_URL, {"payer": "戊公司", "page": 2})

    assert len(listed(first)) == 50 and len(listed(second)) == 5
    assert listed(second)[-1] == Deposit.objects.get(received_on=date(2026, 1, 1)).pk
    html = first.content.decode()
    assert 'href="?payer=%E6%88%8A%E5%85%AC%E5%8F%B8&page=2"' in html
    assert "第 1 / 2 页，共 55 笔到款" in first.content.decode()


def test_sales_admin_assigns_through_the_deposit_page(client, s1, sales_admin, deposits):
    deposit = deposits["pool_old"]
    client.force_login(sales_admin)
    page = client.get(f"/desk/deposits/{deposit.pk}/")
    assert "指定客户" in page.content.decode()

    response = client.post(f"/desk/deposits/{deposit.pk}/", {"customer_name": " 甲科技有限公司"})

    assert response.status_code == 302
    deposit.refresh_from_db()
    assert (deposit.status, deposit.customer.name, deposit.salesperson, deposit.match_reason) == (
        M,
        "甲科技有限公司",
        s1,
        "销管指定",
    )
    assert PayerAlias.objects.get().payer == "丁网络有限公司"
    assert Message.objects.filter(recipient=s1).count() == 1


def test_assigning_to_an_unknown_name_is_refused_and_changes_nothing(client, sales_admin, deposits):
    deposit = deposits["pool_old"]
    client.force_login(sales_admin)
    response = client.post(f"/desk/deposits/{deposit.pk}/", {"customer_name": "不存在公司"})
    assert response.status_code == 400
    assert "没有名为「不存在公司」的客户" in response.content.decode()
    deposit.refresh_from_db()
    assert deposit.status == U and PayerAlias.objects.count() == 0


def test_the_candidates_of_an_ambiguous_payer_are_offered(client, s1, s2, sales_admin):
    from tests.deposits.conftest import customer_with_titles

    a = customer_with_titles("广州戊己贸易有限公司", "广州戊己集团有限公司", owner=s1)
    b = customer_with_titles("广州戊己集团有限公司", owner=s2)
    deposit = deposit_make("广州戊己集团有限公司")
    client.force_login(sales_admin)
    page = client.get(f"/desk/deposits/{deposit.pk}/")
    assert {c.pk for c in page.context["candidates"]} == {a.pk, b.pk}
    response = client.post(f"/desk/deposits/{deposit.pk}/", {"customer_id": a.pk})
    assert response.status_code == 302
    deposit.refresh_from_db()
    assert deposit.customer == a


def test_a_salesperson_cannot_assign(client, s1, deposits):
    deposit = deposits["pool_old"]
    client.force_login(s1)
    page = client.get(f"/desk/deposits/{deposit.pk}/")
    assert page.status_code == 200 and "data-assign" not in page.content.decode()
    assert client.post(f"/desk/deposits/{deposit.pk}/", {"customer_name": "甲科技有限公司"}).status_code == 404
    deposit.refresh_from_db()
    assert deposit.status == U


def test_someone_without_a_deposit_role_gets_404(client, deposits):
    legal = UserFactory.create(username="legal1", roles=[Role.LEGAL])
    client.force_login(legal)
    assert client.get(POOL_URL).status_code == 404


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        (Role.FINANCE, ["到款池", "银行流水导入", "银行流水格式"], []),
        (Role.SALES_ADMIN, ["到款池", "付款方别名"], ["银行流水导入"]),
        (Role.SALES, ["到款池"], ["银行流水导入", "付款方别名", "银行流水格式"]),
    ],
)
def test_menu_entries_follow_the_roles(client, role, sees, hidden):
    client.force_login(UserFactory.create(username=f"menu_{role}", roles=[role]))
    html = client.get("/desk/").content.decode()
    assert all(title in html for title in sees)
    assert not any(title in html for title in hidden)


def test_the_layouts_and_aliases_pages_render(client, finance, sales_admin, s1):
    client.force_login(finance)
    assert client.get("/desk/deposits/importprofile/").status_code == 200
    assert client.get("/desk/deposits/depositimport/").status_code == 200
    customer = CustomerFactory.create(name="甲公司", owner=s1)
    PayerAlias.objects.create(payer="甲某", customer=customer, created_by=sales_admin)
    client.force_login(sales_admin)
    alias_page = client.get("/desk/deposits/payeralias/")
    assert alias_page.status_code == 200 and "甲某" in alias_page.content.decode()


@pytest.mark.parametrize("amount", ["1e30", "9" * 40, "0.0000001", "-5", "NaN", "Infinity", "1,2,3", "１２３"])
def test_a_strange_amount_filter_is_not_a_traceback(client, finance, amount):
    client.force_login(finance)
    page = client.get(POOL_URL, {"amount": amount, "date_from": "2026-13-45", "page": "x"})
    assert page.status_code == 200, amount
