"""Token authentication, the staff-only door, pagination and the served OpenAPI schema."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth.models import Group
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_for_username_and_password_then_requests_with_it(people):
    client = APIClient()
    response = client.post("/api/token/", {"username": "t_sales1", "password": "pw"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.post("/api/token/", {"username": "t_sales1", "password": "pw"}).json()["token"] == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/customers/").status_code == 200


def test_a_wrong_password_gets_no_token(people):
    response = APIClient().post("/api/token/", {"username": "t_sales1", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_without_credentials_every_endpoint_is_refused(people):
    client = APIClient()
    for url in ["/api/customers/", "/api/products/", "/api/accounts/", "/api/bills/", "/api/processes/"]:
        assert client.get(url).status_code == 401, url


def test_session_authentication_works_for_a_desk_login(client, people):
    client.force_login(people["s1"])
    assert client.get("/api/customers/").status_code == 200


def test_a_portal_login_gets_no_token_and_no_data(people):
    customer = CustomerFactory.create(owner=people["s1"])
    portal_user = UserFactory.create(username="p_user", is_staff=False)
    portal_user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    PortalAccount.objects.create(user=portal_user, customer=customer)
    client = APIClient()
    response = client.post("/api/token/", {"username": "p_user", "password": "pw"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["只有公司员工账号可以取得接口令牌"]}
    client.force_login(portal_user)
    response = client.get("/api/customers/")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有公司员工账号可以使用接口；客户请使用客户门户"


def test_lists_are_paginated(people, api):
    for n in range(3):
        CustomerFactory.create(name=f"分页客户{n}有限公司", owner=people["s1"])
    body = api(people["s1"]).get("/api/customers/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2


def test_the_schema_is_served_valid_and_lists_every_endpoint(people, api):
    response = api(people["s1"]).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    paths = set(schema["paths"])
    assert {
        "/api/token/",
        "/api/customers/",
        "/api/customers/{id}/",
        "/api/products/",
        "/api/products/{id}/",
        "/api/accounts/",
        "/api/bills/",
        "/api/bills/{id}/",
        "/api/processes/",
        "/api/processes/{id}/act/",
        "/api/processes/todo/",
        "/api/billing/usage/",
        "/api/pricing/quote/",
    } <= paths


def test_the_docs_pages_render(client, people):
    client.force_login(people["s1"])
    assert b"swagger-ui" in client.get("/api/docs/").content
    assert b"redoc" in client.get("/api/docs/redoc/").content
