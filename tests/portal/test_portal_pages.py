"""The customer portal: a portal login sees its own company's bills and nothing else; desk and portal
do not let each other's users in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_portal_needs_a_login(client, companies):
    for url in ["/portal/", "/portal/bills/", f"/portal/bills/{companies['our_bill'].pk}/", "/portal/password/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/portal/login/?next="), url


def test_login_through_the_portal_page_lands_on_the_home_page(client, companies):
    page = client.get("/portal/login/")
    assert page.status_code == 200 and "客户门户登录" in page.content.decode()
    response = client.post("/portal/login/", {"username": "pt_kehu", "password": "pw"})
    assert (response.status_code, response.url) == (302, "/portal/")
    home = client.get("/portal/").content.decode()
    assert "门户甲科技有限公司" in home
    assert "账单-2026-10-PT001" in home and "52.50" in home  # 1500 × 0.035
    assert "门户乙科技有限公司" not in home and "PT002" not in home


def test_a_wrong_password_is_refused(client, companies):
    page = client.post("/portal/login/", {"username": "pt_kehu", "password": "nope"})
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session


def test_bills_list_and_detail_with_lines(client, companies):
    client.force_login(companies["kehu"])
    listing = client.get("/portal/bills/")
    assert [b.name for b in listing.context["bills"]] == ["账单-2026-10-PT001"]
    bill = companies["our_bill"]
    page = client.get(f"/portal/bills/{bill.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "账单-2026-10-PT001" in html and "PT001" in html
    assert "0.035000" in html and "52.50" in html and "2026-12-05" in html
    assert client.get("/portal/bills/?status=reconciled").context["bills"].__len__() == 0


def test_another_companys_bill_by_id_is_404(client, companies):
    client.force_login(companies["kehu"])
    assert client.get(f"/portal/bills/{companies['other_bill'].pk}/").status_code == 404
    assert client.get("/portal/bills/999999/").status_code == 404
    client.force_login(companies["other_kehu"])
    assert client.get(f"/portal/bills/{companies['other_bill'].pk}/").status_code == 200
    assert client.get(f"/portal/bills/{companies['our_bill'].pk}/").status_code == 404


def test_a_portal_user_cannot_reach_the_desk(client, companies):
    client.force_login(companies["kehu"])
    for url in ["/desk/", "/desk/customers/customer/", f"/desk/billing/bill/{companies['our_bill'].pk}/change/"]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        if response.status_code == 302:
            assert "/desk/login/" in response.url, url
        assert "门户甲科技有限公司" not in response.content.decode(), url
    desk_pages = [f"/desk/customers/{companies['ours'].pk}/", "/desk/workflow/inbox/", "/desk/find/?q=门户"]
    for url in desk_pages:
        assert client.get(url).status_code == 404, url  # DeskView: staff only


def test_a_portal_user_cannot_log_in_to_the_desk(client, companies):
    page = client.post("/desk/login/", {"username": "pt_kehu", "password": "pw"})
    assert page.status_code == 200  # the login form again, with Django's staff-only message
    assert "_auth_user_id" not in client.session


def test_a_desk_user_on_the_portal_is_refused_politely(client, companies):
    client.force_login(companies["sales1"])
    page = client.get("/portal/bills/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "您登录的是公司内部（桌面）账号" in html and "/desk/" in html
    assert "账单-2026-10-PT001" not in html


def test_a_desk_user_cannot_sign_in_on_the_portal_login(client, companies):
    page = client.post("/portal/login/", {"username": "pt_sales1", "password": "pw"})
    assert page.status_code == 200
    assert "该账号不是客户门户账号。公司员工请从桌面登录。" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_portal_login_is_logged_out(client, companies):
    client.force_login(companies["kehu"])
    companies["kehu"].is_active = False
    companies["kehu"].save()
    assert client.get("/portal/").status_code == 302


def test_logout(client, companies):
    client.force_login(companies["kehu"])
    response = client.post("/portal/logout/")
    assert response.status_code == 302 and response.url == "/portal/login/"
    assert client.get("/portal/").status_code == 302


def test_the_page_is_made_for_phones(client, companies):
    client.force_login(companies["kehu"])
    html = client.get("/portal/bills/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media (max-width: 640px)" in html
    assert 'data-label="金额(元)"' in html
