"""Opening portal logins from the desk, the set-password mail, password change and reset, the demo login."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core import mail

from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from sales_erp.portal.services import (
    DEMO_PORTAL_USERNAME,
    MAY_NOT_CREATE,
    PortalRefused,
    demo_portal_accounts_create,
    portal_account_create,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = {"username": "jia_caiwu", "name": "钱会计", "email": "qian@jia.example"}


def link_in(message) -> str:
    found = re.search(r"http://testserver(/portal/reset/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_the_salesperson_opens_a_login_from_the_customer_page(client, companies, django_capture_on_commit_callbacks):
    client.force_login(companies["sales1"])
    page = client.get(f"/desk/customers/{companies['ours'].pk}/").content.decode()
    assert "客户门户账号" in page and f"/desk/portal/customers/{companies['ours'].pk}/accounts/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/portal/customers/{companies['ours'].pk}/accounts/", NEW)
    assert response.status_code == 302
    account = PortalAccount.objects.get(user__username="jia_caiwu")
    user = account.user
    assert (account.customer, account.created_by) == (companies["ours"], companies["sales1"])
    assert (user.is_staff, user.has_usable_password(), user.get_full_name(), user.email) == (
        False,
        False,
        "钱会计",
        "qian@jia.example",
    )
    assert user.has_role(Role.CUSTOMER)
    [message] = mail.outbox
    assert message.to == ["qian@jia.example"] and "门户甲科技有限公司" in message.body

    # the link sets the password, then the new login signs in and sees its company
    client.logout()
    page = client.get(link_in(message), follow=True)
    assert page.context["validlink"]
    response = client.post(
        page.request["PATH_INFO"], {"new_password1": "Jia-2026-pw!", "new_password2": "Jia-2026-pw!"}
    )
    assert response.status_code == 302
    assert client.post("/portal/login/", {"username": "jia_caiwu", "password": "Jia-2026-pw!"}).status_code == 302
    assert "门户甲科技有限公司" in client.get("/portal/").content.decode()


def test_another_salesperson_cannot_open_a_login_for_my_customer(client, companies):
    client.force_login(companies["sales2"])
    assert client.get(f"/desk/portal/customers/{companies['ours'].pk}/accounts/").status_code == 404
    assert client.post(f"/desk/portal/customers/{companies['ours'].pk}/accounts/", NEW).status_code == 404
    assert not User.objects.filter(username="jia_caiwu").exists()


def test_an_admin_may_and_finance_may_not(client, companies):
    admin = UserFactory.create(username="pt_admin", roles=[Role.ADMIN])
    finance = UserFactory.create(username="pt_fin", roles=[Role.FINANCE])
    client.force_login(finance)
    assert client.get(f"/desk/portal/customers/{companies['ours'].pk}/accounts/").status_code == 404
    with pytest.raises(PortalRefused, match=MAY_NOT_CREATE):
        portal_account_create(customer=companies["ours"], created_by=finance, base_url="http://x/", **NEW)
    client.force_login(admin)
    response = client.post(f"/desk/portal/customers/{companies['other'].pk}/accounts/", NEW)
    assert response.status_code == 302
    assert PortalAccount.objects.get(user__username="jia_caiwu").customer == companies["other"]


def test_a_taken_login_name_or_bad_email_is_refused_and_nothing_is_kept(client, companies):
    client.force_login(companies["sales1"])
    url = f"/desk/portal/customers/{companies['ours'].pk}/accounts/"
    taken = client.post(url, {**NEW, "username": "PT_KEHU"})
    assert taken.status_code == 400
    assert "登录名“PT_KEHU”已被使用，请换一个" in taken.content.decode()
    bad = client.post(url, {**NEW, "email": "not-an-email"})
    assert bad.status_code == 400
    assert PortalAccount.objects.count() == 2 and not User.objects.filter(username="jia_caiwu").exists()
    assert mail.outbox == []


def test_deactivate_a_login(client, companies):
    client.force_login(companies["sales1"])
    account = PortalAccount.objects.get(user=companies["kehu"])
    client.post(f"/desk/portal/customers/{companies['ours'].pk}/accounts/", {"toggle": account.pk})
    account.user.refresh_from_db()
    assert account.user.is_active is False
    assert client.post("/portal/login/", {"username": "pt_kehu", "password": "pw"}).status_code == 200


def test_password_change(client, companies):
    client.force_login(companies["kehu"])
    response = client.post(
        "/portal/password/",
        {"old_password": "pw", "new_password1": "Neu-Passwort-26", "new_password2": "Neu-Passwort-26"},
    )
    assert (response.status_code, response.url) == (302, "/portal/password/done/")
    companies["kehu"].refresh_from_db()
    assert companies["kehu"].check_password("Neu-Passwort-26")
    wrong = client.post(
        "/portal/password/", {"old_password": "bad", "new_password1": "X-y-z-12345", "new_password2": "X-y-z-12345"}
    )
    assert wrong.status_code == 200
    companies["kehu"].refresh_from_db()
    assert companies["kehu"].check_password("Neu-Passwort-26")


def test_password_reset_by_mail_for_portal_logins_only(client, companies):
    response = client.post("/portal/reset/", {"email": "pt_kehu@kehu.example"})
    assert response.status_code == 302 and response.url == "/portal/reset/sent/"
    [message] = mail.outbox
    assert message.subject == "【客户门户】重设密码" and "pt_kehu" in message.body
    page = client.get(link_in(message), follow=True)
    client.post(page.request["PATH_INFO"], {"new_password1": "Reset-26-pw", "new_password2": "Reset-26-pw"})
    companies["kehu"].refresh_from_db()
    assert companies["kehu"].check_password("Reset-26-pw")
    # a desk user's address gets nothing from the portal's reset
    client.post("/portal/reset/", {"email": companies["sales1"].email})
    assert len(mail.outbox) == 1


def test_embedded_mode_mails_to_the_console():
    # Tests swap in Django's locmem backend, so ask a fresh process what the embedded default is.
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sales_erp.settings"}
    env.pop("SALES_ERP_MODE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "django.core.mail.backends.console.EmailBackend"


def test_the_demo_portal_login(db):
    from sales_erp.customers.demo import demo_customers_create
    from sales_erp.org.services import DEMO_PASSWORD, demo_staff_create

    demo_staff_create()
    demo_customers_create()
    demo_portal_accounts_create()
    demo_portal_accounts_create()  # idempotent
    account = PortalAccount.objects.get(user__username=DEMO_PORTAL_USERNAME)
    assert account.customer.name == "上海甲乙科技有限公司"
    assert account.user.check_password(DEMO_PASSWORD) and not account.user.is_staff


def test_demo_logins_prints_the_portal_login(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "客户门户: http://127.0.0.1:8000/portal/   kehu (上海甲乙科技有限公司)" in out.getvalue()


def test_the_customer_page_panel_lists_the_logins(client, companies):
    CustomerFactory.create(owner=companies["sales1"])
    client.force_login(companies["sales1"])
    html = client.get(f"/desk/customers/{companies['ours'].pk}/").content.decode()
    assert "pt_kehu" in html


def test_toggling_a_login_that_is_not_an_id_or_of_another_company_is_404_and_changes_nothing(client, companies):
    """A hand-made POST (toggle=abc, an unknown id, another company's login) must not be a 500 or a toggle."""
    client.force_login(companies["sales1"])
    account = PortalAccount.objects.get(user=companies["kehu"])
    other = CustomerFactory.create(owner=companies["sales1"])
    url = f"/desk/portal/customers/{other.pk}/accounts/"
    for value in ["abc", "", "-1", "99999999", "9" * 30, str(account.pk)]:
        assert client.post(url, {"toggle": value}).status_code == 404, value
    account.user.refresh_from_db()
    assert account.user.is_active is True
