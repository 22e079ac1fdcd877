import pytest
from django.contrib.auth.models import Group, Permission

from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.org.services import DEMO_PASSWORD, DEMO_STAFF, demo_staff_create
from tests.factories import UserFactory, sales_team

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert Group.objects.get(name=Role.ADMIN).permissions.count() == Permission.objects.count()


def test_demo_staff_one_login_per_role_with_department_and_superior():
    demo_staff_create()
    demo_staff_create()  # idempotent: a second run changes nothing
    assert User.objects.count() == len(DEMO_STAFF)
    staff_roles = {r for d in DEMO_STAFF for r in d.roles}
    assert staff_roles == set(Role.values) - {Role.CUSTOMER}  # portal users belong to a customer
    sales = User.objects.get(username="sales")
    assert sales.department is not None and sales.department.name == "华东销售部"
    assert sales.superior is not None and sales.superior.username == "leader"
    assert sales.has_role(Role.SALES)
    assert sales.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("username", [d.username for d in DEMO_STAFF])
def test_every_demo_user_logs_in_and_sees_the_desk(client, username):
    demo_staff_create()
    assert client.login(username=username, password=DEMO_PASSWORD)
    page = client.get("/desk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ("管理工作台" in html) == (username == "admin"), "only the admin sees the workbench"


def test_login_page_is_served_in_chinese(client):
    page = client.get("/desk/login/")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()


def test_signing_in_on_the_login_page_itself_lands_on_the_desk(client):
    # A bookmarked /desk/login/ carries no ?next=: the desk's home, not Django's /accounts/profile/ (a 404).
    demo_staff_create()
    response = client.post("/desk/login/", {"username": "sales", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/desk/"


def test_english_switch(client):
    demo_staff_create()
    client.login(username="admin", password=DEMO_PASSWORD)
    assert "管理工作台" in client.get("/desk/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    html = client.get("/desk/").content.decode()
    assert 'lang="en"' in html
    assert "Management workbench" in html


def test_superior_chain_gives_subordinates():
    team = sales_team()
    assert team["leader"].subordinate_ids() == {team["s1"].pk, team["s2"].pk}
    assert team["director"].subordinate_ids() == {team["leader"].pk, team["s1"].pk, team["s2"].pk}
    assert team["s1"].subordinate_ids() == set()


def test_audit_trail_records_who_changed_a_user_and_shows_it(client):
    admin = UserFactory.create(username="boss", is_superuser=True, roles=[Role.ADMIN])
    target = UserFactory.create(username="victim", mobile="13800000000")
    client.force_login(admin)
    url = f"/desk/org/user/{target.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({"username": "victim", "mobile": "13900000000", "groups": [], "department": target.department_id})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = target.history.latest()
    assert latest.mobile == "13900000000"
    assert latest.history_user == admin
    assert latest.history_type == "~"
    history_page = client.get(f"/desk/org/user/{target.pk}/history/").content.decode()
    assert "13900000000" in history_page or "mobile" in history_page.lower() or "手机" in history_page


def test_desk_is_chinese_even_for_an_english_browser(client):
    demo_staff_create()
    client.login(username="sales", password=DEMO_PASSWORD)
    html = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    assert "信息添加" in html


def test_chinese_names_read_family_name_first():
    user = UserFactory.create(username="zw", last_name="张", first_name="伟")
    assert user.get_full_name() == "张伟"
    assert str(user) == "张伟"
