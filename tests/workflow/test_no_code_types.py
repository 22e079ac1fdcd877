"""Process types admins define entirely in the workbench (issue 11): built on the 流程定义 page with its
表单字段 and 节点 inlines, started, acted on and archived like the built-in processes, and never changed
under an instance by a later edit."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from sales_erp.customers.models import Customer, Tier
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.workbench.models import CustomField
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessDefinition, ProcessInstance, Status
from sales_erp.workflow.services import instance_start
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db

ADD_URL = "/desk/workflow/processdefinition/add/"


def customer(name: str, owner=None, tier=Tier.INTENT) -> Customer:
    return Customer.objects.create(name=name, owner=owner, tier=tier, business_contact="王五", mobile="13800000000")


def inline(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    """The formset part of an admin POST: management form plus one block of fields per row."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def definition_post(fields: list[dict[str, Any]], nodes: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {
        "name": "样品申请单",
        "code": "sample_request",
        "category": "operations",
        "starts_from": "customer",
        "description": "客户试用样品的申请",
        "is_active": "on",
        "order": "140",
        "cc_when": "finish",
        **inline("form_fields", fields, initial=sum(1 for f in fields if f.get("id"))),
        **inline("nodes", nodes, initial=sum(1 for n in nodes if n.get("id"))),
        **kw,
    }


def field_row(label: str, name: str, field_type: str, order: int, **kw: str) -> dict[str, str]:
    return {"label": label, "name": name, "field_type": field_type, "order": str(order), "is_active": "on", **kw}


FIELDS = [
    field_row("样品名称", "sample_name", "text", 1, required="on"),
    field_row("数量", "quantity", "number", 2, required="on"),
    field_row("单价", "unit_price", "money6", 3, required="on"),
    field_row("加急", "urgent", "yes_no", 4, help_text="当天发货"),
]
NODES = [
    {
        "position": "1",
        "name": "销管",
        "approver_roles": ["sales_admin"],
        "mode": "any",
        "condition_text": "quantity <= 100",
    },
    {"position": "2", "name": "财务", "approver_roles": ["finance"], "mode": "any", "condition_text": ""},
]


@pytest.fixture
def admin(people):
    return people["admin"]


@pytest.fixture
def mine(people) -> Customer:
    return customer("上海甲乙科技有限公司", owner=people["s1"])


def create_sample_request(client, admin) -> ProcessDefinition:
    client.force_login(admin)
    response = client.post(ADD_URL, definition_post(FIELDS, NODES))
    assert response.status_code == 302, response.content.decode()[:3000]
    return ProcessDefinition.objects.get(code="sample_request")


def rows_of(response) -> dict[str, str]:
    return {row["label"]: row["value"] for row in response.context["rows"]}


# --------------------------------------------------------------------------------- the "done when"
def test_type_built_in_the_workbench_runs_to_archive_and_keeps_its_form_after_an_edit(client, people, mine):
    # An admin creates the type on the 流程定义 page: fields and nodes in one save.
    definition = create_sample_request(client, people["admin"])
    assert (definition.name, definition.starts_from, definition.is_registered) == ("样品申请单", "customer", False)
    assert [
        (f.name, f.label, f.field_type, f.required, f.entity) for f in definition.form_fields.order_by("order")
    ] == [
        ("sample_name", "样品名称", "text", True, "sample_request"),
        ("quantity", "数量", "number", True, "sample_request"),
        ("unit_price", "单价", "money6", True, "sample_request"),
        ("urgent", "加急", "yes_no", False, "sample_request"),
    ]
    assert [(n.name, n.condition) for n in definition.nodes.order_by("position")] == [
        ("销管", [{"field": "quantity", "op": "<=", "value": "100"}]),
        ("财务", []),
    ]

    # A salesperson finds it where processes start, picks one of their customers, fills the form.
    client.force_login(people["s1"])
    assert "选择客户后发起" in client.get("/desk/workflow/start/").content.decode()
    customer("北京丙丁有限公司", owner=people["s2"])  # another salesperson's: never offered
    chooser = client.get("/desk/workflow/start/sample_request/")
    assert [str(o) for o in chooser.context["objects"]] == ["上海甲乙科技有限公司"]
    url = f"/desk/workflow/start/sample_request/?target={mine.pk}"
    page = client.get(url).content.decode()
    assert 'name="sample_name"' in page and 'name="urgent"' in page and "当天发货" in page
    post = {"sample_name": "短信测试包", "quantity": "20", "unit_price": "0.045", "urgent": "true"}
    response = client.post(url, post)
    assert response.status_code == 302
    first = ProcessInstance.objects.get()
    assert first.form_data == {"sample_name": "短信测试包", "quantity": "20", "unit_price": "0.045000", "urgent": True}
    assert (first.target, first.customer) == (mine, mine)

    # 销管 passes by itself (数量 ≤ 100), 财务 acts through the page, and the instance is archived.
    assert [(e.node_name, e.opinion) for e in first.timeline.filter(action="auto_pass")] == [
        ("销管", "满足条件: 数量 ≤ 100，系统自动通过")
    ]
    assert pending(first) == ["t_fin1", "t_fin2"]
    client.force_login(people["finance"])
    assert [p.pk for p in client.get("/desk/workflow/inbox/?tab=todo").context["page"]] == [first.pk]
    assert Message.objects.filter(recipient=people["finance"], kind=MessageKind.TASK, title__contains="样品申请单")
    response = client.post(f"/desk/workflow/{first.pk}/act/", {"action": "approve", "opinion": "同意"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.ARCHIVED
    assert [e.action for e in first.timeline.all()] == ["submit", "auto_pass", "approve", "archive"]

    # The admin edits the type: 单价 renamed, 加急 retired, 交付日期 added, 销管 now passes only up to 10.
    client.force_login(people["admin"])
    fields = [{**row, "id": f.pk} for row, f in zip(FIELDS, definition.form_fields.order_by("order"), strict=True)]
    fields[2]["label"] = "报价单价"
    del fields[3]["is_active"]
    fields.append({"label": "交付日期", "name": "delivery_date", "field_type": "date", "required": "on", "order": "5"})
    fields[4]["is_active"] = "on"
    nodes = [{**row, "id": n.pk} for row, n in zip(NODES, definition.nodes.order_by("position"), strict=True)]
    nodes[0]["condition_text"] = "quantity <= 10"
    response = client.post(
        f"/desk/workflow/processdefinition/{definition.pk}/change/",
        {**definition_post(fields, nodes), "form_fields-INITIAL_FORMS": "4", "nodes-INITIAL_FORMS": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    # The archived instance still renders with the fields it was started with…
    client.force_login(people["s1"])
    archived = client.get(f"/desk/workflow/{first.pk}/")
    assert rows_of(archived) == {"样品名称": "短信测试包", "数量": "20", "单价": "0.045000", "加急": "是"}
    assert "<dt>加急</dt><dd>是</dd>" in archived.content.decode()

    # …while a new instance gets the new form, and the new condition.
    form = client.get(url).context["form"]
    assert list(form.fields) == ["sample_name", "quantity", "unit_price", "delivery_date"]
    assert form.fields["unit_price"].label == "报价单价"
    response = client.post(
        url, {"sample_name": "语音包", "quantity": "50", "unit_price": "0.1", "delivery_date": "2026-12-20"}
    )
    assert response.status_code == 302
    second = ProcessInstance.objects.exclude(pk=first.pk).get()
    assert second.form_data == {
        "sample_name": "语音包",
        "quantity": "50",
        "unit_price": "0.100000",
        "delivery_date": "2026-12-20",
    }
    assert pending(second) == ["t_salesadmin"]  # 50 > 10: 销管 acts now
    assert rows_of(client.get(f"/desk/workflow/{second.pk}/")) == {
        "样品名称": "语音包",
        "数量": "50",
        "报价单价": "0.100000",
        "交付日期": "2026-12-20",
    }

    # The export of the type has every column either instance was started with, each filled from its own form.
    export = client.get("/desk/workflow/search/?code=sample_request&export=csv").content.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(export)))
    assert header[-5:] == ["样品名称", "数量", "报价单价", "交付日期", "加急"]
    assert sorted(line[-5:] for line in lines) == [
        ["短信测试包", "20", "0.045000", "", "是"],
        ["语音包", "50", "0.100000", "2026-12-20", ""],
    ]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("quantity", "12a", "「数量」须是数字，「12a」不是数字"),
        ("unit_price", "0.0450001", "「单价」最多 6 位小数，「0.0450001」超过了"),
        ("unit_price", "abc", "「单价」须是数字，「abc」不是数字"),
    ],
)
def test_a_field_type_error_is_refused_with_the_field_named(client, people, mine, field, typed, message):
    create_sample_request(client, people["admin"])
    client.force_login(people["s1"])
    before = state()
    post = {"sample_name": "短信测试包", "quantity": "20", "unit_price": "0.045", field: typed}
    response = client.post(f"/desk/workflow/start/sample_request/?target={mine.pk}", post)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert state() == before


def test_money_keeps_exactly_its_places(client, people, mine):
    create_sample_request(client, people["admin"])
    CustomField.objects.create(entity="sample_request", name="total", label="金额", field_type="money2")
    client.force_login(people["s1"])
    url = f"/desk/workflow/start/sample_request/?target={mine.pk}"
    refused = client.post(url, {"sample_name": "包", "quantity": "1", "unit_price": "1", "total": "12.345"})
    assert refused.context["form"].errors["total"] == ["「金额」最多 2 位小数，「12.345」超过了"]
    client.post(url, {"sample_name": "包", "quantity": "1", "unit_price": "1", "total": "12"})
    assert ProcessInstance.objects.get().form_data["total"] == "12.00"


# -------------------------------------------------------------------------------- the definition page
def test_a_condition_over_a_field_not_on_the_form_is_refused_with_the_fields_that_exist(client, people):
    client.force_login(people["admin"])
    nodes = [{**NODES[0], "condition_text": "qty <= 100"}, NODES[1]]
    response = client.post(ADD_URL, definition_post(FIELDS, nodes))
    assert response.status_code == 200
    assert (
        "第 1 行: 字段 qty 不在流程「sample_request」的表单中，可用字段: quantity、sample_name、unit_price、urgent"
        in response.content.decode()
    )
    assert not ProcessDefinition.objects.filter(code="sample_request").exists()
    assert not CustomField.objects.filter(entity="sample_request").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({1: {"name": "sample_name"}}, "name", "字段名「sample_name」在表单中出现了两次，请改为不同的字段名"),
        ({1: {"name": "1st"}}, "name", "字段名「1st」须以英文字母开头，只含字母、数字和下划线"),
        ({3: {"field_type": "choice", "choices": ""}}, "choices", "类型为「选项」时至少填写一个选项（每行一个）"),
    ],
)
def test_bad_form_fields_are_refused_and_nothing_is_saved(client, people, change, field, message):
    client.force_login(people["admin"])
    fields = [dict(row) for row in FIELDS]
    for index, values in change.items():
        fields[index].update(values)
    nodes = [{**NODES[0], "condition_text": ""}, NODES[1]]
    response = client.post(ADD_URL, definition_post(fields, nodes))
    assert response.status_code == 200
    errors = [form.errors.get(field) for form in response.context["inline_admin_formsets"][0].formset.forms]
    assert [message] in errors
    assert not ProcessDefinition.objects.filter(code="sample_request").exists()


def test_the_code_is_fixed_once_saved_and_a_built_in_shows_what_it_starts_from(client, people, expense):
    definition = create_sample_request(client, people["admin"])
    page = client.get(f"/desk/workflow/processdefinition/{definition.pk}/change/")
    assert "code" not in page.context["adminform"].form.fields
    assert "starts_from" in page.context["adminform"].form.fields
    built_in = client.get(f"/desk/workflow/processdefinition/{expense.pk}/change/")
    assert "starts_from" not in built_in.context["adminform"].form.fields
    listing = client.get("/desk/workflow/processdefinition/").content.decode()
    assert "自定义（无代码）" in listing and "内置" in listing


def test_starting_from_an_object_kind_not_installed_yet_is_refused(client, people, monkeypatch):
    from sales_erp.workbench import links

    monkeypatch.setitem(links.OBJECT_KINDS, "bill", links.ObjectKind("账单", "billing.NoSuchBill", "customer__", ()))
    client.force_login(people["admin"])
    response = client.post(ADD_URL, definition_post(FIELDS, NODES, starts_from="bill"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_from"] == ["「账单」功能尚未上线，暂不能选择从账单发起"]
    assert not ProcessDefinition.objects.filter(code="sample_request").exists()


def test_a_built_in_process_gains_extra_fields_on_its_definition_page(client, people, expense):
    client.force_login(people["admin"])
    nodes = [
        {"id": n.pk, "position": n.position, "name": n.name, "mode": n.mode, "condition_text": ""}
        | ({"approver_roles": n.approver_roles} if n.approver_roles else {"approver_superior": "on"})
        for n in expense.nodes.order_by("position")
    ]
    nodes[0]["condition_text"] = "project = 甲项目\namount < 500"
    url = f"/desk/workflow/processdefinition/{expense.pk}/change/"
    post = {**definition_post([], nodes, name="费用报销流程", code="expense"), "nodes-INITIAL_FORMS": "3"}
    del post["starts_from"]
    clash = [{"label": "金额", "name": "amount", "field_type": "text", "order": "1", "is_active": "on"}]
    response = client.post(url, {**post, **inline("form_fields", clash)})
    assert response.status_code == 200
    assert "字段名「amount」与表单已有字段重名，请换一个" in response.content.decode()
    extra = [{"label": "项目", "name": "project", "field_type": "choice", "choices": "甲项目\n乙项目", "order": "1"}]
    extra[0]["is_active"] = "on"
    response = client.post(url, {**post, **inline("form_fields", extra)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(expense.form_fields.values_list("entity", "name")) == [("expense", "project")]
    instance = instance_start(code="expense", initiator=people["s1"], form_data={"amount": "120", "project": "甲项目"})
    assert [e.opinion for e in instance.timeline.filter(action="auto_pass")] == [
        "满足条件: 项目 = 甲项目 且 金额 < 500，系统自动通过"
    ]
    assert instance.definition_snapshot["fields"][0]["label"] == "项目"


# -------------------------------------------------------------------------- running like the built-ins
def test_retired_type_starts_no_more_but_its_instances_still_open_act_and_render(client, people, mine):
    definition = create_sample_request(client, people["admin"])
    instance = instance_start(
        code="sample_request",
        initiator=people["s1"],
        target=mine,
        form_data={"sample_name": "包", "quantity": "500", "unit_price": "1"},
    )
    assert pending(instance) == ["t_salesadmin"]
    definition.is_active = False
    definition.save(update_fields=["is_active"])
    CustomField.objects.filter(entity="sample_request", name="quantity").delete()
    client.force_login(people["s1"])
    offered = client.get("/desk/workflow/start/").context["groups"]
    assert "sample_request" not in [row["definition"].code for group in offered for row in group["rows"]]
    assert client.get(f"/desk/workflow/start/sample_request/?target={mine.pk}").status_code == 404
    with pytest.raises(ProcessRefused):
        instance_start(code="sample_request", initiator=people["s1"], target=mine, form_data={})
    assert rows_of(client.get(f"/desk/workflow/{instance.pk}/"))["数量"] == "500"
    for user in (people["admin_sales"], people["finance"]):
        client.force_login(user)
        assert client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "approve"}).status_code == 302
    instance.refresh_from_db()
    assert instance.status == Status.ARCHIVED


def test_reject_resubmit_transfer_and_withdraw_keep_the_form_it_was_started_with(client, people, mine):
    definition = create_sample_request(client, people["admin"])
    url = f"/desk/workflow/start/sample_request/?target={mine.pk}"
    client.force_login(people["s1"])
    client.post(url, {"sample_name": "包", "quantity": "500", "unit_price": "2", "urgent": "false"})
    instance = ProcessInstance.objects.get()
    definition.form_fields.filter(name="urgent").update(label="特急", is_active=False)
    client.force_login(people["admin_sales"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "reject", "opinion": "数量太多"})
    client.force_login(people["s1"])
    edit = client.get(f"/desk/workflow/{instance.pk}/edit/")
    assert list(edit.context["form"].fields) == ["sample_name", "quantity", "unit_price", "urgent"]
    assert edit.context["form"].fields["urgent"].label == "加急"
    response = client.post(
        f"/desk/workflow/{instance.pk}/edit/", {"sample_name": "包", "quantity": "50", "unit_price": "2", "urgent": ""}
    )
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.form_data == {"sample_name": "包", "quantity": "50", "unit_price": "2.000000", "urgent": None}
    assert pending(instance) == ["t_fin1", "t_fin2"]  # resubmitted, 销管 passed by itself this time
    client.force_login(people["finance"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "transfer", "to_user": people["legal"].pk})
    assert pending(instance) == ["t_fin2", "t_legal"]
    client.force_login(people["s1"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "withdraw"})
    instance.refresh_from_db()
    assert instance.status == Status.WITHDRAWN
    assert [e.action for e in instance.timeline.all()] == [
        "submit",
        "reject",
        "resubmit",
        "auto_pass",
        "transfer",
        "withdraw",
    ]


def test_service_start_for_a_no_code_type_names_the_field_it_refuses(people, mine):
    """The start service the API exposes: dynamic types validate the same way, link fields take an id."""
    ecommerce = {
        "customer": mine.pk,
        "goods_name": "短信包",
        "quantity": "10",
        "unit_price": "0.0450001",
        "amount": "0.45",
        "delivery_date": "2026-12-31",
    }
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_start(code="ecommerce_order", initiator=people["s1"], form_data=ecommerce)
    assert refused.value.message == "表单填写有误：「单价」最多 6 位小数，「0.0450001」超过了"
    assert state() == before
    instance = instance_start(
        code="ecommerce_order", initiator=people["s1"], form_data={**ecommerce, "unit_price": "0.045"}
    )
    assert instance.form_data["customer"] == {"id": mine.pk, "label": "上海甲乙科技有限公司"}
    assert instance.customer == mine


def test_a_user_cannot_start_one_for_a_customer_they_may_not_see(client, people):
    create_sample_request(client, people["admin"])
    theirs = customer("北京丙丁有限公司", owner=people["s2"])
    client.force_login(people["s1"])
    assert client.get(f"/desk/workflow/start/sample_request/?target={theirs.pk}").status_code == 404
    post = {"sample_name": "包", "quantity": "1", "unit_price": "1"}
    assert client.post(f"/desk/workflow/start/sample_request/?target={theirs.pk}", post).status_code == 404
    assert client.post("/desk/workflow/start/sample_request/", post).status_code == 400  # no customer chosen
    assert not ProcessInstance.objects.exists()


def test_link_fields_offer_only_what_the_user_may_see_and_the_chooser_searches(client, people, mine):
    from sales_erp.customers.models import Account, Product

    theirs = customer("北京丙丁有限公司", owner=people["s2"])
    for owner_customer, name in ((mine, "行业短信"), (theirs, "营销短信")):
        product = Product.objects.create(
            customer=owner_customer, name=name, kind="industry_sms", bill_day=1, settlement="postpaid"
        )
        Account.objects.create(product=product, code=f"acc-{name}")
    definition = ProcessDefinition.objects.create(code="unblock", name="账号解禁单", starts_from="product")
    definition.nodes.create(position=1, name="财务", approver_roles=["finance"])
    CustomField.objects.create(definition=definition, name="account", label="账号", field_type="link_account")
    client.force_login(people["s1"])
    chooser = client.get("/desk/workflow/start/unblock/?q=短信")
    assert [str(o) for o in chooser.context["objects"]] == ["上海甲乙科技有限公司 · 行业短信"]
    assert list(client.get("/desk/workflow/start/unblock/?q=营销").context["objects"]) == []
    product = Product.objects.get(name="行业短信")
    form = client.get(f"/desk/workflow/start/unblock/?target={product.pk}").context["form"]
    assert [label for value, label in form.fields["account"].choices if value] == ["acc-行业短信"]
    client.force_login(people["finance"])  # finance sees every customer's accounts
    finance_form = client.get(f"/desk/workflow/start/unblock/?target={product.pk}").context["form"]
    assert sorted(label for value, label in finance_form.fields["account"].choices if value) == [
        "acc-营销短信",
        "acc-行业短信",
    ]


def test_an_editable_node_takes_a_new_file_and_checks_the_money_places(client, people, mine, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    definition = create_sample_request(client, people["admin"])
    definition.nodes.filter(name="财务").update(form_editable=True)
    CustomField.objects.create(definition=definition, name="quote", label="报价单", field_type="attachment", order=9)
    client.force_login(people["s1"])
    url = f"/desk/workflow/start/sample_request/?target={mine.pk}"
    post = {"sample_name": "包", "quantity": "5", "unit_price": "1", "quote": SimpleUploadedFile("报价v1.pdf", b"1")}
    client.post(url, post)
    instance = ProcessInstance.objects.get()
    assert pending(instance) == ["t_fin1", "t_fin2"]
    client.force_login(people["finance"])
    act = f"/desk/workflow/{instance.pk}/act/"
    edit = {"action": "approve", "edit_form": "1", "sample_name": "包", "quantity": "5"}
    before = state()
    refused = client.post(act, {**edit, "unit_price": "1.0000001"})
    assert refused.status_code == 400
    assert refused.context["edit_form"].errors["unit_price"] == ["「单价」最多 6 位小数，「1.0000001」超过了"]
    assert state() == before
    response = client.post(act, {**edit, "unit_price": "0.9", "quote": SimpleUploadedFile("报价v2.pdf", b"22")})
    assert response.status_code == 302
    instance.refresh_from_db()
    assert (instance.status, instance.form_data["unit_price"], instance.form_data["quote"]["name"]) == (
        Status.ARCHIVED,
        "0.900000",
        "报价v2.pdf",
    )
    assert instance.timeline.get(action="approve").opinion == "（修改了: 报价单、单价）"  # by field name
