"""Definitions: the twelve defaults, their idempotent loading, and editing them in the workbench."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.org.roles import OPS_CHECK_ROLES, Role
from sales_erp.workflow.admin import condition_validate
from sales_erp.workflow.forms import ProcessForm, registered_field_labels
from sales_erp.workflow.models import ProcessDefinition, ProcessNode
from sales_erp.workflow.services import definitions_load_defaults, instance_start
from tests.factories import UserFactory, sales_team
from tests.workflow.state import pending

pytestmark = pytest.mark.django_db

DEFAULT_ROUTES = {
    "apply_customer": ["部门领导", "销管"],
    "test_account": ["部门领导", "客户维护专员", "技术支持"],
    "contract_review": ["部门领导", "销管", "财务", "法务", "销售上传盖章合同"],
    "channel_report": ["客户维护专员", "资源部"],
    "price_change": ["部门领导", "销管", "销售事业部总"],
    "recharge": ["销管", "财务"],
    "special_request": ["风控专家", "运营副总"],
    "payment_term": ["部门领导", "财务"],
    "reconciliation": ["运营核对", "财务"],
    "bill_invoice": ["销管", "财务"],
    "free_invoice": ["销管", "财务"],
    "write_off": ["销售事业部总", "财务(总部)", "销售确认"],
}


def route(code: str) -> list[str]:
    return list(ProcessDefinition.objects.get(code=code).nodes.order_by("position").values_list("name", flat=True))


def test_the_twelve_defaults_are_loaded_on_install():
    assert {code: route(code) for code in DEFAULT_ROUTES} == DEFAULT_ROUTES
    # …and the no-code example 电商购销单 (tests/workflow/test_no_code_types.py)
    assert set(ProcessDefinition.objects.values_list("code", flat=True)) == {*DEFAULT_ROUTES, "ecommerce_order"}


def test_default_approvers_follow_design():
    leader = ProcessNode.objects.get(definition__code="apply_customer", name="部门领导")
    assert (leader.approver_superior, leader.approver_roles) == (True, [])
    ops = ProcessNode.objects.get(definition__code="reconciliation", name="运营核对")
    assert (ops.approver_roles, ops.mode) == ([r.value for r in OPS_CHECK_ROLES], "any")
    hq = ProcessNode.objects.get(definition__code="write_off", name="财务(总部)")
    assert (hq.approver_roles, hq.condition) == (
        [Role.FINANCE_HQ],
        [{"field": "auto_write_off", "op": "=", "value": "1"}],
    )
    confirm = ProcessNode.objects.get(definition__code="write_off", name="销售确认")
    assert confirm.approver_initiator is True and confirm.condition == []
    auto_renew = [{"field": "auto_renew", "op": "=", "value": "是"}, {"field": "is_standard", "op": "=", "value": "是"}]
    contract = {n.name: n.condition for n in ProcessNode.objects.filter(definition__code="contract_review")}
    assert contract == {
        "部门领导": [],
        "销管": auto_renew,
        "财务": auto_renew,
        "法务": auto_renew,
        "销售上传盖章合同": [],
    }


def test_loading_again_keeps_the_admins_edits():
    write_off = ProcessDefinition.objects.get(code="write_off")
    write_off.name = "销账流程（新）"
    write_off.save()
    write_off.nodes.filter(name="销售确认").delete()
    ProcessDefinition.objects.get(code="recharge").delete()
    assert definitions_load_defaults() == ["recharge"]
    assert route("write_off") == ["销售事业部总", "财务(总部)"]
    assert ProcessDefinition.objects.get(code="write_off").name == "销账流程（新）"
    assert definitions_load_defaults() == []
    assert ProcessDefinition.objects.exclude(code="ecommerce_order").count() == 12


def test_every_default_definition_validates_against_its_registered_form():
    """Bites once the domains register their forms: each default condition must name real fields."""
    for node in ProcessNode.objects.exclude(condition=[]).select_related("definition"):
        code = node.definition.code
        if code in hooks.PROCESSES:
            known = registered_field_labels(code)
            assert known is not None
            missing = {row["field"] for row in node.condition} - set(known)
            assert not missing, f"{code} / {node.name}: {missing} not in {import_string(hooks.PROCESSES[code].form)}"


class WriteOffStandIn(ProcessForm):
    """Stands in for the finance engineer's form: only the field the default condition names."""

    auto_write_off = forms.CharField(label="自动销账", required=False)


class ContractStandIn(ProcessForm):
    auto_renew = forms.ChoiceField(label="自动续签", choices=[("是", "是"), ("否", "否")])
    is_standard = forms.ChoiceField(label="是否标准合同", choices=[("是", "是"), ("否", "否")])


@pytest.fixture
def stand_in_forms(monkeypatch):
    monkeypatch.setitem(hooks.PROCESSES, "write_off", hooks.ProcessHooks(form=f"{__name__}.WriteOffStandIn"))
    monkeypatch.setitem(hooks.PROCESSES, "contract_review", hooks.ProcessHooks(form=f"{__name__}.ContractStandIn"))


def test_automatic_write_off_only_needs_the_salesperson_to_confirm(stand_in_forms):
    UserFactory.create(username="t_director", roles=[Role.SALES_DIRECTOR])
    UserFactory.create(username="t_hq", roles=[Role.FINANCE_HQ])
    sales = UserFactory.create(username="t_sales", roles=[Role.SALES])
    instance = instance_start(code="write_off", initiator=sales, form_data={"auto_write_off": "1"}, by_system=True)
    lines = [(e.actor_label, e.role, e.opinion) for e in instance.timeline.all()]
    assert lines[1:] == [
        ("系统", "销售事业部总", "满足条件: 自动销账 = 1，系统自动通过"),
        ("系统", "财务(总部)", "满足条件: 自动销账 = 1，系统自动通过"),
    ]
    assert lines[0][0] == "系统"
    assert pending(instance) == ["t_sales"]


def test_manual_write_off_goes_through_director_and_finance_hq(stand_in_forms):
    UserFactory.create(username="t_director", roles=[Role.SALES_DIRECTOR])
    sales = UserFactory.create(username="t_sales", roles=[Role.SALES])
    instance = instance_start(code="write_off", initiator=sales, form_data={})
    assert pending(instance) == ["t_director"]


def test_standard_auto_renewing_contract_skips_sales_admin_finance_and_legal(stand_in_forms):
    team = sales_team()
    instance = instance_start(
        code="contract_review", initiator=team["s1"], form_data={"auto_renew": "是", "is_standard": "是"}
    )
    assert pending(instance) == ["t_leader"]
    from sales_erp.workflow.services import instance_approve

    instance = instance_approve(instance=instance, user=team["leader"])
    assert [e.node_name for e in instance.timeline.filter(action="auto_pass")] == ["销管", "财务", "法务"]
    assert pending(instance) == ["t_sales1"]


# ------------------------------------------------------------------------------- editing in the workbench
def admin_post(definition: ProcessDefinition | None, nodes: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "费用报销流程",
        "code": "expense",
        "category": "operations",
        "description": "",
        "is_active": "on",
        "order": "100",
        "cc_when": "finish",
        "form_fields-TOTAL_FORMS": "0",
        "form_fields-INITIAL_FORMS": "0",
        "nodes-TOTAL_FORMS": str(len(nodes)),
        "nodes-INITIAL_FORMS": str(sum(1 for n in nodes if n.get("id"))),
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, node in enumerate(nodes):
        for key, value in node.items():
            data[f"nodes-{i}-{key}"] = value
        data[f"nodes-{i}-definition"] = definition.pk if definition else ""
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.create(username="t_admin", roles=[Role.ADMIN], is_superuser=True))
    return client


def test_admin_adds_a_definition_with_nodes(admin_client, expense_hooks):
    nodes: list[dict[str, Any]] = [
        {"position": "1", "name": "部门领导", "approver_superior": "on", "mode": "any", "condition_text": ""},
        {
            "position": "2",
            "name": "财务",
            "approver_roles": ["finance"],
            "mode": "all",
            "condition_text": "amount > 1000",
        },
    ]
    response = admin_client.post("/desk/workflow/processdefinition/add/", admin_post(None, nodes))
    assert response.status_code == 302, response.content.decode()[:3000]
    definition = ProcessDefinition.objects.get(code="expense")
    saved = [
        (n.name, n.approver_roles, n.approver_superior, n.mode, n.condition)
        for n in definition.nodes.order_by("position")
    ]
    assert saved == [
        ("部门领导", [], True, "any", []),
        ("财务", ["finance"], False, "all", [{"field": "amount", "op": ">", "value": "1000"}]),
    ]


def test_condition_on_an_unknown_field_is_refused_on_save(admin_client, expense_hooks):
    nodes = [
        {
            "position": "1",
            "name": "财务",
            "approver_roles": ["finance"],
            "mode": "any",
            "condition_text": "amount > 1\nauto_writeoff = 1",
        }
    ]
    response = admin_client.post("/desk/workflow/processdefinition/add/", admin_post(None, nodes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 2 行: 字段 auto_writeoff 不在流程「expense」的表单中" in html
    assert not ProcessDefinition.objects.filter(code="expense").exists()


def test_editing_a_default_condition_to_an_unknown_field_is_refused(admin_client, stand_in_forms):
    definition = ProcessDefinition.objects.get(code="write_off")
    nodes = [
        {
            "id": n.pk,
            "position": n.position,
            "name": n.name,
            "mode": n.mode,
            "condition_text": "\n".join(f"{r['field']} {r['op']} {r['value']}" for r in n.condition),
            **({"approver_roles": n.approver_roles} if n.approver_roles else {}),
            **({"approver_initiator": "on"} if n.approver_initiator else {}),
        }
        for n in definition.nodes.order_by("position")
    ]
    nodes[0]["condition_text"] = "auto_writeoff = 1"
    url = f"/desk/workflow/processdefinition/{definition.pk}/change/"
    response = admin_client.post(
        url, admin_post(definition, nodes, name="销账流程", code="write_off", category="closing")
    )
    assert response.status_code == 200
    assert "字段 auto_writeoff 不在流程「write_off」的表单中，可用字段: auto_write_off" in response.content.decode()
    assert definition.nodes.get(name="销售事业部总").condition == [{"field": "auto_write_off", "op": "=", "value": "1"}]
    # removing the last node and reordering the first two is accepted
    nodes[0]["condition_text"] = "auto_write_off = 1"
    nodes[0]["position"], nodes[1]["position"] = 20, 10
    nodes[2]["DELETE"] = "on"
    response = admin_client.post(
        url, admin_post(definition, nodes, name="销账流程", code="write_off", category="closing")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert route("write_off") == ["财务(总部)", "销售事业部总"]


def test_node_without_approvers_is_refused(admin_client, expense_hooks):
    nodes = [{"position": "1", "name": "空节点", "mode": "any", "condition_text": ""}]
    response = admin_client.post("/desk/workflow/processdefinition/add/", admin_post(None, nodes))
    assert "请至少选择一种审批人" in response.content.decode()
    assert not ProcessDefinition.objects.filter(code="expense").exists()


def test_a_process_without_registered_form_accepts_its_condition_as_written(monkeypatch):
    monkeypatch.delitem(hooks.PROCESSES, "payment_term", raising=False)  # registered since; the rule stands
    assert registered_field_labels("payment_term") is None
    assert condition_validate("whatever_field = 1", "payment_term") == [
        {"field": "whatever_field", "op": "=", "value": "1"}
    ]


def test_the_workbench_pages_render(admin_client):
    definition = ProcessDefinition.objects.get(code="contract_review")
    page = admin_client.get(f"/desk/workflow/processdefinition/{definition.pk}/change/")
    assert page.status_code == 200
    assert "auto_renew = 是\nis_standard = 是" in page.content.decode()
    listing = admin_client.get("/desk/workflow/processdefinition/").content.decode()
    assert "部门领导 → 销管 → 财务 → 法务 → 销售上传盖章合同" in listing
