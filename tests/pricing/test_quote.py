"""The quote calculator (报价计算器) in the desk and the API: a schedule or typed tiers + a count → the
amount with its per-tier breakdown, from the same service the bill run uses."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from sales_erp.org.roles import Role
from tests.factories import ProductFactory, UserFactory, schedule_active

pytestmark = pytest.mark.django_db

ABC = [(0, 10000, "0.045"), (10000, 50000, "0.040"), (50000, None, "0.035")]


def test_desk_quote_with_typed_tiers_shows_the_amount_and_breakdown(client):
    client.force_login(UserFactory.create(username="q_sales", roles=[Role.SALES]))
    page = client.post(
        "/desk/pricing/quote/",
        {
            "price_type": "graduated",
            "tiers_carrier": ["", "", ""],
            "tiers_lower": ["0", "10000", "50000"],
            "tiers_upper": ["10000", "50000", ""],
            "tiers_price": ["0.045", "0.040", "0.035"],
            "count": "12,345",
        },
    )
    quote = page.context["quote"]
    assert (quote.amount, quote.count) == (Decimal("543.80"), 12345)
    assert [(c.lower, c.count) for c in quote.charges] == [(0, 10000), (10000, 2345)]
    html = page.content.decode()
    assert "543.80 元" in html and "10000 ≤ 条 &lt; 50000" in html


def test_desk_quote_from_a_schedule(client):
    schedule = schedule_active(product=ProductFactory.create(), price_type="stage", tiers=ABC)
    client.force_login(schedule.product.customer.owner)
    assert client.get(f"/desk/pricing/quote/?schedule={schedule.pk}").status_code == 200
    page = client.post("/desk/pricing/quote/", {"schedule": schedule.pk, "count": "9999"})
    assert page.context["quote"].amount == Decimal("449.96")


def test_desk_quote_names_a_bad_count(client):
    client.force_login(UserFactory.create(username="q2", roles=[Role.SALES]))
    page = client.post("/desk/pricing/quote/", {"price_type": "uniform", "tiers_price": ["0.04"], "count": "十四"})
    assert page.context["form"].errors["count"] == ["条数 '十四' 不是整数"]
    assert page.context["quote"] is None


@pytest.fixture
def token_of():
    def make(user):
        return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}

    return make


def test_api_quote_from_a_schedule(client, token_of):
    schedule = schedule_active(product=ProductFactory.create(), price_type="graduated", tiers=ABC)
    response = client.post(
        "/api/pricing/quote/",
        {"schedule": schedule.pk, "count": 60000},
        content_type="application/json",
        **token_of(schedule.product.customer.owner),
    )
    assert response.status_code == 200
    assert response.json() == {
        "price_type": "graduated",
        "count": 60000,
        "amount": "2400.00",
        "unit_price": "0.040000",
        "breakdown": [
            {"lower": 0, "upper": 10000, "count": 10000, "price": "0.045000", "amount": "450.000000"},
            {"lower": 10000, "upper": 50000, "count": 40000, "price": "0.040000", "amount": "1600.000000"},
            {"lower": 50000, "upper": None, "count": 10000, "price": "0.035000", "amount": "350.000000"},
        ],
    }


def test_api_quote_with_typed_tiers_and_per_carrier_prices(client, token_of):
    headers = token_of(UserFactory.create(username="q3", roles=[Role.FINANCE]))
    tiers = [
        {"carrier": "移动", "price": "0.05"},
        {"carrier": "联通", "price": "0.04"},
        {"carrier": "电信", "price": "0.03"},
    ]
    body = {"price_type": "uniform", "tiers": tiers, "carrier": "联通", "count": 14}
    response = client.post("/api/pricing/quote/", body, content_type="application/json", **headers)
    assert response.json()["amount"] == "0.56"
    body["carrier"] = ""
    response = client.post("/api/pricing/quote/", body, content_type="application/json", **headers)
    assert (response.status_code, response.json()) == (
        400,
        {"carrier": ["该价格分运营商报价，请给出 carrier（移动、联通、电信）"]},
    )


def test_api_quote_refuses_bad_tiers_with_their_rows(client, token_of):
    headers = token_of(UserFactory.create(username="q4", roles=[Role.SALES]))
    body = {"price_type": "stage", "tiers": [{"lower": "0", "upper": "100", "price": "x"}], "count": 1}
    response = client.post("/api/pricing/quote/", body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json() == {"tiers": ["第 1 档: 价格 'x' 不是数字", "第 1 档: 最后一档的止点请留空（不封顶）"]}


def test_api_quote_of_a_schedule_one_may_not_see_is_404(client, token_of):
    schedule = schedule_active(product=ProductFactory.create())
    headers = token_of(UserFactory.create(username="q5", roles=[Role.SALES]))
    response = client.post(
        "/api/pricing/quote/", {"schedule": schedule.pk, "count": 1}, content_type="application/json", **headers
    )
    assert response.status_code == 404


def test_api_quote_needs_a_login(client):
    response = client.post("/api/pricing/quote/", {"count": 1}, content_type="application/json")
    assert response.status_code == 401


def test_api_quote_of_an_international_schedule_takes_a_country(client, token_of):
    from sales_erp.customers.models import ProductKind

    schedule = schedule_active(product=ProductFactory.create(kind=ProductKind.INTL_SMS), country_prices={"US": "0.35"})
    headers = token_of(schedule.product.customer.owner)
    body = {"schedule": schedule.pk, "country": "us", "count": 10}
    response = client.post("/api/pricing/quote/", body, content_type="application/json", **headers)
    assert response.json()["amount"] == "3.50"
    body["country"] = "JP"
    response = client.post("/api/pricing/quote/", body, content_type="application/json", **headers)
    assert response.json() == {"country": ["该调价按国家计价，请给出 country（US）"]}
