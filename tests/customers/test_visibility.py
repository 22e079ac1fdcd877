"""Visibility (DESIGN §1) on every path: a salesperson asking for another salesperson's customer — or
anything hanging off it — by id gets nothing: 404, never a 403 that confirms it exists."""

from __future__ import annotations

import pytest
from django.test import Client

from sales_erp.customers.models import ContactLog, Customer, Tier, TierChange, TierRule
from sales_erp.customers.services import pool_claim
from sales_erp.org.roles import Role
from tests.customers.desk_forms import page_form_data
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ContactLogFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(team) -> Customer:
    """sales2's customer, with something of every kind hanging off it."""
    customer = CustomerFactory.create(name="李娜的秘密客户有限公司", owner=team["s2"], tax_id="914403001922038216")
    product = ProductFactory.create(customer=customer, name="秘密产品")
    AccountFactory.create(product=product, code="SECRET01")
    ContactFactory.create(customer=customer, name="秘密联系人")
    ContactLogFactory.create(customer=customer, content="秘密内容")
    ContractFactory.create(customer=customer, valid_from="2026-01-01", valid_to="2026-12-31")
    TierChange.objects.create(
        customer=customer, from_tier=Tier.INTENT, to_tier=Tier.TEST, rule=TierRule.TEST_ACCOUNT, date="2026-11-01"
    )
    return customer


@pytest.fixture
def sales1(client: Client, team) -> Client:
    client.force_login(team["s1"])
    return client


def detail_urls(customer: Customer) -> list[str]:
    product = customer.products.get()
    return [
        f"/desk/customers/{customer.pk}/",
        f"/desk/customers/customer/{customer.pk}/change/",
        f"/desk/customers/customer/{customer.pk}/history/",
        f"/desk/customers/customer/{customer.pk}/history/{customer.history.latest().history_id}/",
        f"/desk/customers/customer/{customer.pk}/delete/",
        f"/desk/customers/product/{product.pk}/change/",
        f"/desk/customers/product/{product.pk}/history/",
        f"/desk/customers/account/{product.accounts.get().pk}/change/",
        f"/desk/customers/contact/{customer.contacts.get().pk}/change/",
        f"/desk/customers/contactlog/{customer.contact_logs.get().pk}/change/",
        f"/desk/customers/contract/{customer.contracts.get().pk}/change/",
        f"/desk/customers/tierchange/{customer.tier_changes.get().pk}/change/",
    ]


def test_every_detail_path_of_another_salespersons_customer_is_404(sales1, theirs):
    for url in detail_urls(theirs):
        response = sales1.get(url)
        assert response.status_code == 404, url
        assert "李娜的秘密客户" not in response.content.decode(), url


def test_posting_to_its_change_and_delete_pages_is_404(sales1, theirs):
    before = Customer.objects.values_list("name", flat=True).get(pk=theirs.pk)
    assert sales1.post(f"/desk/customers/customer/{theirs.pk}/change/", {"name": "改名"}).status_code == 404
    assert sales1.post(f"/desk/customers/customer/{theirs.pk}/delete/", {"post": "yes"}).status_code == 404
    assert Customer.objects.values_list("name", flat=True).get(pk=theirs.pk) == before


def test_a_malformed_id_is_404_too(sales1):
    assert sales1.get("/desk/customers/customer/abc/change/").status_code == 404


def test_the_same_paths_answer_the_owner(client, team, theirs):
    client.force_login(team["s2"])
    for url in detail_urls(theirs):
        if url.endswith("/delete/"):
            continue  # salespeople may not delete customers
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["leader", "director"])
def test_leader_and_director_see_it(client, team, theirs, role):
    client.force_login(team[role])
    assert client.get(f"/desk/customers/{theirs.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.FINANCE, Role.TECH_SUPPORT, Role.LEGAL])
def test_see_all_roles_see_it(client, theirs, role):
    client.force_login(UserFactory.create(roles=[role]))
    assert client.get(f"/desk/customers/{theirs.pk}/").status_code == 200


def test_a_user_without_a_role_sees_no_customer(client, theirs):
    client.force_login(UserFactory.create(roles=[]))
    assert client.get(f"/desk/customers/{theirs.pk}/").status_code == 404
    assert client.get("/desk/find/", {"q": "秘密"}).context["total"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/desk/customers/customer/",
        "/desk/customers/customer/?all=1",
        "/desk/customers/product/",
        "/desk/customers/account/",
        "/desk/customers/contact/",
        "/desk/customers/contactlog/",
        "/desk/customers/contract/",
        "/desk/customers/tierchange/",
        "/desk/customers/warnings/",
        "/desk/customers/pool/",
    ],
)
def test_lists_leave_it_out(sales1, team, theirs, url):
    CustomerFactory.create(name="张伟自己的客户有限公司", owner=team["s1"])
    response = sales1.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "李娜的秘密客户" not in html and "SECRET01" not in html and "秘密" not in html


def test_list_filtered_by_its_id_is_empty(sales1, theirs):
    response = sales1.get("/desk/customers/customer/", {"id__exact": theirs.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_global_search_finds_nothing_of_it(sales1, theirs):
    for query in ["李娜的秘密", "SECRET01", "914403001922038216"]:
        response = sales1.get("/desk/find/", {"q": query})
        assert response.context["total"] == 0, query
        assert "李娜的秘密客户" not in response.content.decode()


def test_customer_search_does_not_open_it(sales1, theirs):
    response = sales1.get("/desk/customers/locate/", {"q": "李娜的秘密客户有限公司"})
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/customers/customer/?")
    response = sales1.get("/desk/customers/customer/", {"q": "李娜的秘密客户有限公司"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_autocomplete_leaves_it_out(sales1, theirs):
    response = sales1.get(
        "/desk/autocomplete/",
        {"app_label": "customers", "model_name": "contactlog", "field_name": "customer", "term": "秘密"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_export_leaves_it_out(sales1, team, theirs):
    mine = CustomerFactory.create(name="张伟自己的客户有限公司", owner=team["s1"])
    url = "/desk/customers/customer/export/"
    whole = sales1.post(url, {"format": "0", "resource": "0"})
    assert whole["Content-Type"].startswith("text/csv")
    content = whole.content.decode("utf-8-sig")
    assert "张伟自己的客户有限公司" in content and "李娜的秘密客户" not in content
    asked = sales1.post(url, {"format": "0", "resource": "0", "export_items": [theirs.pk]})
    assert "李娜的秘密客户" not in asked.content.decode("utf-8-sig")
    assert not asked.has_header("Content-Disposition")  # refused: not one of the rows the user may export
    chosen = sales1.post(url, {"format": "0", "resource": "0", "export_items": [mine.pk]})
    assert "张伟自己的客户有限公司" in chosen.content.decode("utf-8-sig")
    filtered = sales1.post(f"{url}?id__exact={theirs.pk}", {"format": "0", "resource": "0"})
    assert "李娜的秘密客户" not in filtered.content.decode("utf-8-sig")


def test_posting_its_id_into_a_form_is_refused(sales1, theirs):
    url = "/desk/customers/contactlog/add/"
    data = page_form_data(sales1, url)
    data.update(customer=theirs.pk, date="2026-11-01", contact_name="x", form="phone", content="试图写入", outcome="无")
    response = sales1.post(url, data)
    assert response.status_code == 200
    assert "customer" in response.context["adminform"].form.errors
    assert not ContactLog.objects.filter(content="试图写入").exists()


def test_name_check_says_only_that_it_exists(sales1, theirs):
    answer = sales1.get("/desk/customers/check-name/", {"name": "李娜的秘密客户有限公司"}).json()
    assert answer == {"status": "other", "message": "该公司已存在，属于其他销售，不能重复添加"}


def test_pool_customer_visible_to_every_salesperson_but_not_editable(client, team):
    pool = CustomerFactory.create(name="公共池客户有限公司", owner=None, tier=Tier.POOL)
    for who in ("s1", "s2"):
        client.force_login(team[who])
        assert client.get(f"/desk/customers/{pool.pk}/").status_code == 200
        assert "公共池客户有限公司" in client.get("/desk/customers/pool/").content.decode()
        response = client.get(f"/desk/customers/customer/{pool.pk}/change/")
        assert response.status_code == 200
        assert response.context["has_change_permission"] is False


def test_claimed_pool_customer_is_hidden_from_others_until_released(client, team):
    pool = CustomerFactory.create(name="被申请的客户有限公司", owner=None, tier=Tier.POOL)
    pool_claim(customer=pool, user=team["s1"])
    client.force_login(team["s2"])
    assert client.get(f"/desk/customers/{pool.pk}/").status_code == 404
    assert "被申请的客户有限公司" not in client.get("/desk/customers/pool/").content.decode()
    client.force_login(team["s1"])
    assert client.get(f"/desk/customers/{pool.pk}/").status_code == 200
    client.force_login(team["leader"])
    assert client.get(f"/desk/customers/{pool.pk}/").status_code == 200
