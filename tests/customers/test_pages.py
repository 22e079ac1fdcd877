"""The desk pages of the customers app, through the test client as a salesperson uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Template
from django.test import Client
from django.utils import timezone

from sales_erp import hooks
from sales_erp.customers.demo import DEMO_CUSTOMERS, demo_customers_create
from sales_erp.customers.models import ContactLog, Customer, FunnelSettings, Tier, TierChange, TierRule
from sales_erp.org.services import DEMO_PASSWORD, demo_staff_create
from tests.customers.desk_forms import inline_rows, page_form_data
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ContactLogFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def test_customer_page_shows_everything_at_a_glance(client, team):
    customer = CustomerFactory.create(
        name="一览科技有限公司", owner=team["s1"], tier=Tier.TEST, tier_since=days_ago(20), phone="021-12345678"
    )
    ContactFactory.create(customer=customer, name="赵工", title="CTO", wechat="zhao_cto")
    ContactLogFactory.create(customer=customer, date=days_ago(3), content="谈了价格", outcome="下周签约")
    product = ProductFactory.create(customer=customer, name="营销短信")
    AccountFactory.create(product=product, code="YL001")
    TierChange.objects.create(
        customer=customer, from_tier=Tier.INTENT, to_tier=Tier.TEST, rule=TierRule.INTENT_TO_TEST, date=days_ago(20)
    )
    client.force_login(team["s1"])
    response = client.get(f"/desk/customers/{customer.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "一览科技有限公司",
        "测试客户",
        "赵工",
        "CTO",
        "谈了价格",
        "下周签约",
        "营销短信",
        "YL001",
        "升级5",
        "添加联系日志",
    ]:
        assert text in html, text
    assert response.context["completeness"] == 100
    assert response.context["drop"] is None  # a log 3 days ago: the test window (1 month) is safe
    assert str(team["s1"]) in html and str(team["leader"]) in html  # owner and their superior


def test_customer_page_warns_before_a_drop(client, team):
    customer = CustomerFactory.create(owner=team["s1"], tier=Tier.INTENT, tier_since=days_ago(30))
    ContactLogFactory.create(customer=customer, date=days_ago(13))
    client.force_login(team["s1"])
    response = client.get(f"/desk/customers/{customer.pk}/")
    drop = response.context["drop"]
    assert (drop.on, drop.to_tier, drop.rule) == (
        timezone.localdate() + timedelta(days=3),
        Tier.SILENT,
        TierRule.INTENT_NO_LOG,
    )
    assert "将于" in response.content.decode()


def test_customer_page_panels_come_from_hooks(client, team, monkeypatch):
    customer = CustomerFactory.create(owner=team["s1"])
    monkeypatch.setattr(hooks, "CUSTOMER_PAGE_PANELS", [f"{__name__}.balance_panel"])
    client.force_login(team["s1"])
    html = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert 'data-panel="余额"' in html and "预付余额 100.00" in html


def balance_panel(*, customer, user):
    return {"title": "余额", "template": Template("预付余额 {{ panel.amount }}"), "amount": "100.00"}


def test_searching_the_customer_list_opens_the_first_match(client, team):
    first = CustomerFactory.create(name="上海甲乙科技有限公司", owner=team["s1"])
    CustomerFactory.create(name="上海甲乙科技股份有限公司", owner=team["s1"])
    client.force_login(team["s1"])
    response = client.get("/desk/customers/customer/", {"q": "上海甲乙科技"})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/customers/{first.pk}/"
    page = client.get(response["Location"])
    assert "找到 2 个客户，已打开第一个" in page.content.decode()
    listing = client.get("/desk/customers/customer/", {"q": "上海甲乙", "all": "1"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2


def test_customer_search_matches_the_normalised_name(client, team):
    customer = CustomerFactory.create(name="ABC信息技术有限公司", owner=team["s1"])
    client.force_login(team["s1"])
    response = client.get("/desk/customers/locate/", {"q": "ａｂｃ 信息"})
    assert response["Location"] == f"/desk/customers/{customer.pk}/"
    nothing = client.get("/desk/customers/locate/", {"q": "不存在的公司"})
    assert (
        nothing["Location"]
        == "/desk/customers/customer/?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%85%AC%E5%8F%B8&all=1"
    )


def test_global_search_finds_customers_and_accounts(client, team):
    customer = CustomerFactory.create(name="全局搜索科技有限公司", owner=team["s1"], tax_id="9144030071526726XG")
    AccountFactory.create(product=ProductFactory.create(customer=customer), code="GS8560")
    client.force_login(team["s1"])
    by_name = client.get("/desk/find/", {"q": "全局搜索"})
    assert [hit.label for hit in by_name.context["groups"]["客户"]] == ["全局搜索科技有限公司"]
    by_account = client.get("/desk/find/", {"q": "gs856"})
    assert [hit.label for hit in by_account.context["groups"]["账号"]] == ["GS8560"]
    by_tax_id = client.get("/desk/find/", {"q": "9144030071526726xg"})
    assert by_tax_id.context["groups"]["客户"][0].url == f"/desk/customers/{customer.pk}/"
    assert 'action="/desk/find/"' in client.get("/desk/").content.decode()  # the box atop the menu


def test_contact_log_added_by_the_salesperson(client, team):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    url = f"/desk/customers/contactlog/add/?customer={customer.pk}"
    data = page_form_data(client, url)
    assert data["customer"] == str(customer.pk) and data["date"] == timezone.localdate()
    data.update(contact_name="王经理", form="visit", content="上门拜访", outcome="确定测试")
    response = client.post(url, data)
    assert response["Location"] == f"/desk/customers/{customer.pk}/"
    log = ContactLog.objects.get()
    assert (log.author, log.form, log.date) == (team["s1"], "visit", timezone.localdate())


def test_contact_log_in_the_future_refused(client, team):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    url = "/desk/customers/contactlog/add/"
    data = page_form_data(client, url)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data.update(customer=customer.pk, date=tomorrow, contact_name="王", form="phone", content="x", outcome="y")
    response = client.post(url, data)
    assert response.context["adminform"].form.errors["date"] == [
        f"日期 {tomorrow.isoformat()} 晚于今天，请填写已经发生的日期"
    ]
    assert ContactLog.objects.count() == 0


def test_pool_customer_cannot_get_logs_from_a_salesperson(client, team):
    pool = CustomerFactory.create(owner=None, tier=Tier.POOL)
    client.force_login(team["s1"])
    url = "/desk/customers/contactlog/add/"
    data = page_form_data(client, url)
    data.update(customer=pool.pk, date=timezone.localdate(), contact_name="王", form="phone", content="x", outcome="y")
    assert "customer" in client.post(url, data).context["adminform"].form.errors
    assert ContactLog.objects.count() == 0


def test_department_with_contacts_manual_1_2(client, team):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    url = f"/desk/customers/customerdepartment/add/?customer={customer.pk}"
    data = page_form_data(client, url)
    data["name"] = "采购部"
    inline_rows(data, "contacts", [{"name": "钱经理", "title": "采购经理", "mobile1": "13900139000"}])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact = customer.contacts.get()
    assert contact.department is not None
    assert (contact.name, contact.department.name, contact.customer) == ("钱经理", "采购部", customer)


def test_contact_department_must_belong_to_the_customer(team):
    from django.core.exceptions import ValidationError

    from sales_erp.customers.models import Contact, CustomerDepartment

    other = CustomerDepartment.objects.create(customer=CustomerFactory.create(owner=team["s2"]), name="财务部")
    contact = Contact(customer=CustomerFactory.create(owner=team["s1"]), department=other, name="钱", title="会计")
    with pytest.raises(ValidationError, match="所选部门不属于这个客户"):
        contact.full_clean()


def test_warnings_list_for_a_salesperson(client, team):
    soon = CustomerFactory.create(name="快降级有限公司", owner=team["s1"], tier=Tier.INTENT, tier_since=days_ago(30))
    ContactLogFactory.create(customer=soon, date=days_ago(12))
    safe = CustomerFactory.create(name="安全有限公司", owner=team["s1"], tier=Tier.INTENT, tier_since=days_ago(30))
    ContactLogFactory.create(customer=safe, date=days_ago(1))
    CustomerFactory.create(name="别人的有限公司", owner=team["s2"], tier=Tier.INTENT, tier_since=days_ago(30))
    client.force_login(team["s1"])
    response = client.get("/desk/customers/warnings/")
    rows = response.context["rows"]
    assert [(row.customer.name, row.days_left, row.drop.to_tier) for row in rows] == [
        ("快降级有限公司", 4, Tier.SILENT)
    ]
    leader_rows = client.force_login(team["leader"]) or client.get("/desk/customers/warnings/").context["rows"]
    assert [row.customer.name for row in leader_rows] == ["别人的有限公司", "快降级有限公司"]
    dashboard = client.get("/desk/")
    assert dashboard.status_code == 200


def test_warning_card_on_the_salespersons_dashboard(client, team):
    soon = CustomerFactory.create(name="快降级有限公司", owner=team["s1"], tier=Tier.INTENT, tier_since=days_ago(30))
    ContactLogFactory.create(customer=soon, date=days_ago(12))
    client.force_login(team["s1"])
    html = client.get("/desk/").content.decode()
    assert "7 日内将降级的客户" in html and "快降级有限公司" in html


def test_pool_page_lists_unclaimed_pool_customers(client, team):
    CustomerFactory.create(name="池中客户有限公司", owner=None, tier=Tier.POOL)
    CustomerFactory.create(name="有主客户有限公司", owner=team["s2"])
    client.force_login(team["s1"])
    response = client.get("/desk/customers/pool/")
    assert [c.name for c in response.context["page"].object_list] == ["池中客户有限公司"]
    assert "申请客户" in response.content.decode()
    assert client.get("/desk/customers/pool/", {"q": "不存在"}).context["page"].paginator.count == 0


def test_funnel_settings_edited_by_the_admin_only(client, team):
    admin = UserFactory.create(username="f_admin", is_superuser=True, roles=["admin"])
    client.force_login(admin)
    response = client.get("/desk/customers/funnelsettings/")
    assert response.status_code == 302
    url = response["Location"]
    data = page_form_data(client, url)
    data.update(intent_window=20, completeness_threshold=75)
    assert client.post(url, data).status_code == 302
    settings = FunnelSettings.objects.get()
    assert (settings.intent_window, settings.completeness_threshold) == (20, 75)
    salesperson = Client()
    salesperson.force_login(team["s1"])
    assert salesperson.get(url).status_code == 403
    assert "客户漏斗设置" not in salesperson.get("/desk/").content.decode()


def test_menu_entries_for_a_salesperson(client, team):
    client.force_login(team["s1"])
    html = client.get("/desk/").content.decode()
    for entry in ["客户", "联系日志", "产品", "账号", "公共池", "预警名单"]:
        assert entry in html, entry


def test_demo_customers_idempotent_and_in_every_tier(client):
    demo_staff_create()
    demo_customers_create()
    demo_customers_create()
    assert Customer.objects.count() == len(DEMO_CUSTOMERS)
    assert set(Customer.objects.values_list("tier", flat=True)) == set(Tier.values)
    assert set(Customer.objects.exclude(owner=None).values_list("owner__username", flat=True)) == {"sales", "sales2"}
    client.login(username="sales", password=DEMO_PASSWORD)
    customer = Customer.objects.get(name="上海甲乙科技有限公司")
    html = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "A8560" in html and "HT-" in html


def test_sales_admin_reassigns_an_owner_but_never_gives_a_pool_customer_one(client, team):
    salesadmin = UserFactory.create(username="f_salesadmin", roles=["sales_admin"])
    customer = CustomerFactory.create(owner=team["s1"])
    pool = CustomerFactory.create(owner=None, tier=Tier.POOL)
    client.force_login(salesadmin)
    url = f"/desk/customers/customer/{customer.pk}/change/"
    data = page_form_data(client, url)
    data["owner"] = team["s2"].pk
    assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert customer.owner == team["s2"]
    assert customer.history.latest().history_user == salesadmin
    url = f"/desk/customers/customer/{pool.pk}/change/"
    data = page_form_data(client, url)
    data["owner"] = team["s2"].pk
    response = client.post(url, data)
    assert response.context["adminform"].form.errors["owner"] == [
        "公共池客户没有归属销售；要分配给销售，请由销售在公共池申请该客户"
    ]
    pool.refresh_from_db()
    assert pool.owner is None


def test_ops_block_and_unblock_accounts_salespeople_cannot(client, team):
    from sales_erp.customers.models import Account, AccountStatus

    account = AccountFactory.create(
        code="OPS01", product=ProductFactory.create(customer=CustomerFactory.create(owner=team["s1"]))
    )
    client.force_login(UserFactory.create(username="f_ops", roles=["account_manager"]))
    url = "/desk/customers/account/"
    response = client.post(url, {"action": "block_accounts", "_selected_action": [account.pk]})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).status == AccountStatus.BLOCKED
    client.post(url, {"action": "unblock_accounts", "_selected_action": [account.pk]})
    assert Account.objects.get(pk=account.pk).status == AccountStatus.ACTIVE
    client.force_login(team["s1"])
    assert "block_accounts" not in client.get(url).content.decode()
    client.post(url, {"action": "block_accounts", "_selected_action": [account.pk]})
    assert Account.objects.get(pk=account.pk).status == AccountStatus.ACTIVE
