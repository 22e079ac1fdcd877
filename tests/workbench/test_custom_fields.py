"""Custom fields: defined in the workbench, they appear in forms, detail pages, list filters and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import RequestFactory, override_settings

from sales_erp.customers.models import Customer
from sales_erp.org.roles import Role
from sales_erp.workbench.models import CustomField
from sales_erp.workflow.models import ProcessInstance
from sales_erp.workflow.services import instance_start
from tests.factories import UserFactory
from tests.workbench.site import CustomerAdmin, site

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory.create(username="t_admin", roles=[Role.ADMIN], is_superuser=True)


def field(entity: str, name: str, label: str, field_type: str = "text", **kw) -> CustomField:
    return CustomField.objects.create(entity=entity, name=name, label=label, field_type=field_type, **kw)


# --------------------------------------------------------------------------------------- the admin page
def add_post(**kw) -> dict[str, str]:
    return {
        "entity": "customer",
        "label": "行业",
        "name": "industry",
        "field_type": "text",
        "choices": "",
        "order": "10",
        "help_text": "",
        "is_active": "on",
        **kw,
    }


def test_admin_adds_a_custom_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/desk/workbench/customfield/add/", add_post(field_type="choice", choices="金融\n电商\n"))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = CustomField.objects.get(entity="customer")
    assert (saved.entity, saved.name, saved.choice_list, saved.required) == (
        "customer",
        "industry",
        ["金融", "电商"],
        False,
    )


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"name": "2abc"}, "字段名「2abc」须以英文字母开头，只含字母、数字和下划线"),
        ({"field_type": "choice", "choices": " \n"}, "类型为「选项」时至少填写一个选项（每行一个）"),
        ({"entity": "expense", "name": "amount"}, "字段名「amount」与表单已有字段重名，请换一个"),
        ({"field_type": "link_customer"}, "类型「关联客户」只能用于流程表单"),
        ({"field_type": "attachment"}, "类型「附件」只能用于流程表单"),
    ],
)
def test_bad_custom_fields_are_refused(client, admin_user, expense, post, message):
    client.force_login(admin_user)
    response = client.post("/desk/workbench/customfield/add/", add_post(**post))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CustomField.objects.exclude(entity="ecommerce_order").exists()  # 电商购销单's own are base data


def test_a_process_field_added_here_belongs_to_its_definition(client, admin_user):
    client.force_login(admin_user)
    post = add_post(entity="write_off", name="region", label="区域", field_type="yes_no")
    assert client.post("/desk/workbench/customfield/add/", post).status_code == 302
    saved = CustomField.objects.get(name="region")
    assert (saved.entity, saved.definition.code if saved.definition else None) == ("write_off", "write_off")


def test_yes_no_and_money_on_a_customer_show_as_a_reader_expects(admin_user, customers):
    from sales_erp.workbench.selectors import custom_field_values

    field("customer", "vip", "重点客户", "yes_no")
    field("customer", "deposit", "保证金", "money2")
    a, _ = customers
    a.extra = {"vip": False, "deposit": "5000.00"}
    assert custom_field_values(entity="customer", values=a.extra) == [("重点客户", "否"), ("保证金", "5000.00")]


def test_process_codes_are_offered_as_entities(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/desk/workbench/customfield/add/").content.decode()
    assert 'value="customer"' in html and 'value="product"' in html and "流程: 销账流程" in html


# ----------------------------------------------------------------------------------- on process forms
def test_process_custom_fields_in_form_instance_page_condition_and_export(client, expense, people):
    field("expense", "project", "项目", "choice", choices="甲项目\n乙项目", required=True, order=1)
    field("expense", "budget_date", "预算日期", "date", order=2)
    client.force_login(people["s1"])
    html = client.get("/desk/workflow/start/expense/").content.decode()
    assert 'name="project"' in html and "项目" in html and 'name="budget_date"' in html
    missing = client.post("/desk/workflow/start/expense/", {"amount": "10"})
    assert missing.status_code == 400 and "project" in missing.context["form"].errors
    client.post("/desk/workflow/start/expense/", {"amount": "10", "project": "乙项目", "budget_date": "2026-11-05"})
    instance = ProcessInstance.objects.get()
    assert (instance.form_data["project"], instance.form_data["budget_date"]) == ("乙项目", "2026-11-05")
    page = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "<dt>项目</dt><dd>乙项目</dd>" in page and "<dt>预算日期</dt><dd>2026-11-05</dd>" in page
    # the process search offers the choice field as a filter and exports it
    search = client.get("/desk/workflow/search/?code=expense&project=甲项目&cf_project=甲项目")
    assert [c["field"].name for c in search.context["custom_filters"]] == ["project"]
    assert list(search.context["page"]) == []
    assert [p.pk for p in client.get("/desk/workflow/search/?code=expense&cf_project=乙项目").context["page"]] == [
        instance.pk
    ]
    rows = list(
        csv.reader(
            io.StringIO(client.get("/desk/workflow/search/?code=expense&export=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0][-2:] == ["项目", "预算日期"] and rows[1][-2:] == ["乙项目", "2026-11-05"]


def test_condition_may_name_a_custom_field_and_it_auto_passes(make_definition, people):
    from sales_erp.workflow.admin import condition_validate

    field("expense", "urgent", "紧急", "choice", choices="是\n否")
    assert condition_validate("urgent = 是", "expense") == [{"field": "urgent", "op": "=", "value": "是"}]
    make_definition(
        {
            "name": "财务",
            "approver_roles": [Role.FINANCE],
            "condition": [{"field": "urgent", "op": "=", "value": "是"}],
        },
        {"name": "销管", "approver_roles": [Role.SALES_ADMIN]},
    )
    instance = instance_start(code="expense", initiator=people["s1"], form_data={"amount": "1", "urgent": "是"})
    assert instance.timeline.get(action="auto_pass").opinion == "满足条件: 紧急 = 是，系统自动通过"


def test_a_process_without_registered_form_runs_on_its_custom_fields(client, people):
    """A definition whose whole form is custom fields (a no-code process type)."""
    from sales_erp.workflow.models import ProcessDefinition, ProcessNode

    definition = ProcessDefinition.objects.create(code="gift_order", name="礼品申领单")
    ProcessNode.objects.create(definition=definition, position=1, name="财务", approver_roles=[Role.FINANCE])
    field("gift_order", "goods", "商品", required=True)
    field("gift_order", "qty", "数量", "number", required=True)
    client.force_login(people["s1"])
    response = client.post("/desk/workflow/start/gift_order/", {"goods": "短信包", "qty": "3"})
    assert response.status_code == 302
    instance = ProcessInstance.objects.get()
    assert instance.form_data == {"goods": "短信包", "qty": "3"}
    assert [t.assignee.username for t in instance.tasks.all()] == ["t_fin1", "t_fin2"]


# ---------------------------------------------------------------------------- the admin mixin (customers)
@pytest.fixture
def customers():
    a = Customer.objects.create(
        name="上海甲乙科技有限公司", business_contact="王五", mobile="13800000000", extra={"industry": "金融"}
    )
    b = Customer.objects.create(name="北京丙丁有限公司", business_contact="赵六", mobile="13900000000")
    return a, b


@override_settings(ROOT_URLCONF="tests.workbench.site")
def test_mixin_puts_custom_fields_on_the_edit_form_and_saves_them_in_extra(client, admin_user, customers):
    field("customer", "industry", "行业", "choice", choices="金融\n电商")
    field("customer", "staff_count", "员工人数", "number")
    field("customer", "vip", "重点客户", "yes_no")
    field("customer", "deposit", "保证金", "money2")
    client.force_login(admin_user)
    a, _ = customers
    page = client.get(f"/cf/customers/customer/{a.pk}/change/")
    html = page.content.decode()
    assert "自定义字段" in html and 'name="cf_industry"' in html and 'name="cf_staff_count"' in html
    assert page.context["adminform"].form.initial["cf_industry"] == "金融"
    data = {
        "name": a.name,
        "business_contact": "王五",
        "mobile": "13800000000",
        "tier": a.tier,
        "cf_industry": "电商",
        "cf_staff_count": "120",
        "cf_vip": "true",
        "cf_deposit": "5000",
    }
    response = client.post(f"/cf/customers/customer/{a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    a.refresh_from_db()
    assert a.extra == {"industry": "电商", "staff_count": "120", "vip": True, "deposit": "5000.00"}
    page = client.get(f"/cf/customers/customer/{a.pk}/change/").content.decode()
    assert '<option value="true" selected>是</option>' in page


@override_settings(ROOT_URLCONF="tests.workbench.site")
def test_mixin_list_filter_and_detail_display(client, admin_user, customers):
    field("customer", "industry", "行业", "choice", choices="金融\n电商")
    field("customer", "note", "备注说明")
    client.force_login(admin_user)
    listing = client.get("/cf/customers/customer/?cf_industry=金融")
    assert [c.name for c in listing.context["cl"].result_list] == ["上海甲乙科技有限公司"]
    empty = client.get("/cf/customers/customer/?cf_note=__empty")
    assert len(empty.context["cl"].result_list) == 2
    assert "<strong>行业</strong>：金融" in listing.content.decode()


def test_mixin_export_has_a_column_per_custom_field(admin_user, customers):
    field("customer", "industry", "行业", "choice", choices="金融\n电商")
    request = RequestFactory().get("/")
    request.user = admin_user
    resource_class = CustomerAdmin(Customer, site).get_export_resource_classes(request)[0]
    dataset = resource_class().export(Customer.objects.order_by("pk"))
    assert dataset.headers == ["name", "mobile", "行业"]
    assert [list(r) for r in dataset] == [
        ["上海甲乙科技有限公司", "13800000000", "金融"],
        ["北京丙丁有限公司", "13900000000", ""],
    ]


# ----------------------------------------------------------------------------------------- the workbench
def test_workbench_home_groups_by_category(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/desk/workbench/").content.decode()
    for category in ("流程", "表单", "组织与权限", "系统"):
        assert f'data-category="{category}"' in html
    assert "/desk/workflow/processdefinition/" in html and "/desk/workbench/customfield/" in html


def test_workbench_is_for_admins_only(client):
    client.force_login(UserFactory.create(username="t_sales", roles=[Role.SALES]))
    assert client.get("/desk/workbench/").status_code == 404
    assert client.get("/desk/workflow/processdefinition/").status_code in (302, 403)
