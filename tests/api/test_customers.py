"""Customers, products and accounts through the API: the desk's validations, visibility and permissions."""

from __future__ import annotations

import pytest

from sales_erp.customers.models import Account, Customer, Product, Tier
from sales_erp.customers.validators import ACCOUNT_DUPLICATE, MOBILE_INVALID, TAX_ID_CHECKSUM
from tests.factories import AccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

NEW = {"name": "杭州新客户科技有限公司", "business_contact": "赵经理", "mobile": "13900139000"}


def test_a_salesperson_lists_and_reads_only_their_customers(people, books, api):
    client = api(people["s1"])
    names = [c["name"] for c in client.get("/api/customers/").json()["results"]]
    assert names == ["上海一号科技有限公司"]
    mine = client.get(f"/api/customers/{books['mine'].pk}/").json()
    assert (mine["tier"], mine["tier_display"], mine["owner"]) == ("intent", "意向客户", people["s1"].pk)
    assert client.get(f"/api/customers/{books['theirs'].pk}/").status_code == 404


def test_a_leader_sees_the_team_and_finance_sees_all(people, books, api):
    for who in ("leader", "finance"):
        names = sorted(c["name"] for c in api(people[who]).get("/api/customers/").json()["results"])
        assert names == sorted(["北京二号科技有限公司", "上海一号科技有限公司"]), who


def test_create_a_customer_owned_by_the_salesperson(people, api):
    response = api(people["s1"]).post("/api/customers/", {**NEW, "tax_id": "9144030071526726xg"}, format="json")
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.needs_invoice is True and customer.region == "全国"  # the model defaults, as in the desk
    assert (customer.owner, customer.tier, customer.created_by, customer.tax_id) == (
        people["s1"],
        Tier.INTENT,
        people["s1"],
        "9144030071526726XG",
    )


def test_create_refuses_what_the_desk_refuses_and_keeps_nothing(people, api):
    client = api(people["s1"])
    response = client.post("/api/customers/", {**NEW, "mobile": "12345", "tax_id": "9144030071526726XH"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["mobile"] == [MOBILE_INVALID.format(value="12345")]
    assert body["tax_id"] == [TAX_ID_CHECKSUM.format(value="9144030071526726XH")]
    assert not Customer.objects.exists()
    missing = client.post("/api/customers/", {"name": "缺字段有限公司"}, format="json").json()
    assert set(missing) == {"business_contact", "mobile"}


def test_a_duplicate_name_is_refused_without_telling_whose_it_is(people, books, api):
    response = api(people["s1"]).post("/api/customers/", {**NEW, "name": "北京二号科技有限公司 "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["该公司已存在，属于其他销售，不能重复添加"]}
    assert Customer.objects.count() == 2


def test_a_salesperson_cannot_name_another_owner(people, api):
    response = api(people["s1"]).post("/api/customers/", {**NEW, "owner": people["s2"].pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Customer.objects.exists()


def test_sales_admin_may_name_the_owner(people, api):
    from sales_erp.org.roles import Role
    from tests.factories import UserFactory

    sales_admin = UserFactory.create(username="t_sadmin", roles=[Role.SALES_ADMIN])
    response = api(sales_admin).post("/api/customers/", {**NEW, "owner": people["s2"].pk}, format="json")
    assert response.status_code == 201, response.json()
    assert Customer.objects.get().owner == people["s2"]


def test_update_a_customer_partially(people, books, api):
    client = api(people["s1"])
    response = client.patch(f"/api/customers/{books['mine'].pk}/", {"email": "cw@example.com"}, format="json")
    assert response.status_code == 200, response.json()
    books["mine"].refresh_from_db()
    assert (books["mine"].email, books["mine"].business_contact) == ("cw@example.com", "王经理")
    bad = client.patch(f"/api/customers/{books['mine'].pk}/", {"mobile": "abc"}, format="json")
    assert bad.status_code == 400
    books["mine"].refresh_from_db()
    assert books["mine"].mobile == "13800138000"


def test_update_of_another_salespersons_customer_is_404_and_changes_nothing(people, books, api):
    response = api(people["s1"]).patch(f"/api/customers/{books['theirs'].pk}/", {"email": "x@x.com"}, format="json")
    assert response.status_code == 404
    books["theirs"].refresh_from_db()
    assert books["theirs"].email == ""


def test_a_pool_customer_is_visible_but_not_editable(people, api):
    pool = CustomerFactory.create(name="公共池客户有限公司", owner=None, tier=Tier.POOL)
    client = api(people["s1"])
    assert client.get(f"/api/customers/{pool.pk}/").status_code == 200
    response = client.patch(f"/api/customers/{pool.pk}/", {"email": "x@x.com"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您可以查看但不能修改该客户的资料（公共池客户请先申请）"


def test_roles_without_the_permission_are_refused(people, books, api):
    # 法务 reads customers but may not add them (ROLE_PERMISSIONS)
    response = api(people["legal"]).post("/api/customers/", NEW, format="json")
    assert response.status_code == 403
    assert not Customer.objects.filter(name=NEW["name"]).exists()


# ------------------------------------------------------------------------------------------- products
PRODUCT = {
    "name": "营销短信",
    "kind": "marketing_sms",
    "direct_to_supplier": False,
    "bill_type": "auto",
    "bill_day": 5,
    "payment_term_months": 1,
    "settlement": "postpaid",
}


def test_create_a_product_opens_its_accounts(people, books, api):
    response = api(people["s1"]).post(
        "/api/products/", {**PRODUCT, "customer": books["mine"].pk, "accounts": ["N001，N002", "N003"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    product = Product.objects.get(pk=response.json()["id"])
    assert sorted(product.accounts.values_list("code", flat=True)) == ["N001", "N002", "N003"]
    assert [a["code"] for a in response.json()["account_list"]] == ["N001", "N002", "N003"]
    assert response.json()["code"] == product.code and product.code


def test_account_rules_apply_and_nothing_is_kept(people, books, api):
    client = api(people["s1"])
    before = Product.objects.count()
    taken = client.post(
        "/api/products/", {**PRODUCT, "customer": books["mine"].pk, "accounts": ["api002"]}, format="json"
    )
    assert taken.status_code == 400
    assert taken.json() == {"accounts": ["账号 API002 已存在，账号在全系统内不能重复"]}
    twice = client.post(
        "/api/products/", {**PRODUCT, "customer": books["mine"].pk, "accounts": ["A1", "a1"]}, format="json"
    )
    assert twice.json() == {"accounts": [ACCOUNT_DUPLICATE.format(codes="A1")]}
    bad_day = client.post("/api/products/", {**PRODUCT, "customer": books["mine"].pk, "bill_day": 31}, format="json")
    assert bad_day.status_code == 400 and "bill_day" in bad_day.json()
    assert Product.objects.count() == before
    assert not Account.objects.filter(code__in=["A1", "a1"]).exists()


def test_a_product_for_another_salespersons_customer_is_refused(people, books, api):
    response = api(people["s1"]).post(
        "/api/products/", {**PRODUCT, "customer": books["theirs"].pk, "accounts": ["Z9"]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["customer"]
    assert not Account.objects.filter(code="Z9").exists()


def test_update_a_product_adds_accounts_but_cannot_remove_opened_ones(people, books, api):
    client = api(people["s1"])
    url = f"/api/products/{books['my_product'].pk}/"
    added = client.patch(url, {"accounts": ["API001", "API003"]}, format="json")
    assert added.status_code == 200, added.json()
    assert sorted(books["my_product"].accounts.values_list("code", flat=True)) == ["API001", "API003"]
    removed = client.patch(url, {"accounts": ["API003"]}, format="json")
    assert removed.status_code == 400
    assert removed.json() == {"accounts": ["账号 API001 已开通，不能在产品表单中删除；不再使用的账号请封停"]}
    renamed = client.patch(url, {"name": "新名字"}, format="json")  # the account box untouched
    assert renamed.status_code == 200
    assert sorted(books["my_product"].accounts.values_list("code", flat=True)) == ["API001", "API003"]


def test_products_and_accounts_of_others_are_hidden(people, books, api):
    client = api(people["s1"])
    assert [p["name"] for p in client.get("/api/products/").json()["results"]] == ["行业短信"]
    assert client.get(f"/api/products/{books['their_product'].pk}/").status_code == 404
    assert client.patch(f"/api/products/{books['their_product'].pk}/", {"name": "x"}, format="json").status_code == 404
    codes = [a["code"] for a in client.get("/api/accounts/").json()["results"]]
    assert codes == ["API001"]
    their_account = Account.objects.get(code="API002")
    assert client.get(f"/api/accounts/{their_account.pk}/").status_code == 404
    assert client.get("/api/accounts/?code=api001").json()["count"] == 1


def test_accounts_are_read_only(people, books, api):
    client = api(people["admin"])
    assert client.post("/api/accounts/", {"code": "X1"}, format="json").status_code == 405


def test_product_list_filters_by_customer(people, books, api):
    ProductFactory.create(customer=books["mine"], name="彩信")
    AccountFactory.create(product=books["my_product"], code="API009")
    body = api(people["finance"]).get(f"/api/products/?customer={books['theirs'].pk}").json()
    assert [p["name"] for p in body["results"]] == ["营销短信"]


def test_customer_list_filters_by_name_and_tier(people, books, api):
    CustomerFactory.create(name="公共池客户有限公司", owner=None, tier=Tier.POOL)
    client = api(people["s1"])
    assert [c["name"] for c in client.get("/api/customers/?q=上海一号").json()["results"]] == ["上海一号科技有限公司"]
    assert [c["name"] for c in client.get("/api/customers/?tier=pool").json()["results"]] == ["公共池客户有限公司"]
    assert client.get("/api/customers/?q=北京二号").json()["count"] == 0  # another salesperson's
