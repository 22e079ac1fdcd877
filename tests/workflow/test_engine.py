"""The engine's actions and refusals, through its services (the HTTP door is in test_pages.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.roles import Role
from sales_erp.workflow import errors
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import Action, Delegation, ProcessNode, Status
from sales_erp.workflow.services import (
    instance_add_signer,
    instance_approve,
    instance_reject,
    instance_remind,
    instance_resubmit,
    instance_send_back,
    instance_start,
    instance_transfer,
    instance_withdraw,
)
from tests.factories import UserFactory
from tests.workflow import process
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db

FORM = {"amount": "120.50", "kind": "travel", "note": "上海出差"}


def start(people, **kw):
    return instance_start(code="expense", initiator=people["s1"], form_data=dict(FORM), **kw)


def actions(instance) -> list[tuple[str, str, str]]:
    return [(e.action, e.actor_label, e.node_name) for e in instance.timeline.all()]


def test_submit_routes_to_first_node_and_records_everything(expense, people):
    instance = start(people, remarks="请审批")
    assert instance.status == Status.RUNNING
    assert instance.number == f"LC-{timezone.localdate():%Y}-{instance.pk:06d}"
    assert instance.form_data == {
        "amount": "120.50",
        "auto_flag": "",
        "kind": "travel",
        "spent_on": None,
        "note": "上海出差",
    }
    assert (instance.current_node, instance.current_node_name) == (0, "部门领导")
    assert pending(instance) == ["t_leader"]
    entry = instance.timeline.get()
    assert (entry.action, entry.actor, entry.role, entry.opinion) == (Action.SUBMIT, people["s1"], "销售", "请审批")
    task_message = Message.objects.get(recipient=people["leader"])
    assert task_message.kind == MessageKind.TASK
    assert task_message.link == f"/desk/workflow/{instance.pk}/"
    assert [("submit", instance.pk, Status.RUNNING)] == process.CALLS


def test_approve_through_every_node_archives_and_tells_the_initiator(expense, people):
    instance = start(people)
    instance = instance_approve(instance=instance, user=people["leader"], opinion="同意")
    assert pending(instance) == ["t_fin1", "t_fin2"]
    instance = instance_approve(instance=instance, user=people["finance2"])
    assert pending(instance) == ["t_salesadmin"]  # 或签: one finance pass was enough
    assert instance.tasks.get(assignee=people["finance"]).status == "cancelled"
    instance = instance_approve(instance=instance, user=people["admin_sales"])
    assert instance.status == Status.ARCHIVED
    assert instance.current_node is None and instance.finished_at is not None
    assert actions(instance) == [
        ("submit", str(people["s1"]), ""),
        ("approve", str(people["leader"]), "部门领导"),
        ("approve", str(people["finance2"]), "财务"),
        ("approve", str(people["admin_sales"]), "销管"),
        ("archive", "系统", ""),
    ]
    roles = [e.role for e in instance.timeline.all()]
    assert roles == ["销售", "部门领导", "财务", "销管", ""]
    assert [e.opinion for e in instance.timeline.filter(action="approve")] == ["同意", "", ""]
    assert [c[0] for c in process.CALLS] == ["submit", "archive"]
    outcome = Message.objects.get(recipient=people["s1"], kind=MessageKind.PROCESS)
    assert outcome.title == f"已归档：{instance.title}"


def test_countersign_waits_for_everyone(make_definition, people):
    make_definition({"name": "财务会签", "approver_roles": [Role.FINANCE], "mode": "all"})
    instance = start(people)
    instance = instance_approve(instance=instance, user=people["finance"])
    assert instance.status == Status.RUNNING
    assert pending(instance) == ["t_fin2"]
    instance = instance_approve(instance=instance, user=people["finance2"])
    assert instance.status == Status.ARCHIVED


def test_someone_who_is_not_a_handler_cannot_act(expense, people):
    instance = start(people)
    before = state()
    for action in (instance_approve, instance_reject):
        with pytest.raises(ProcessRefused) as refused:
            action(instance=instance, user=people["finance"])
        assert refused.value.message == errors.NOT_HANDLER
    with pytest.raises(ProcessRefused, match=errors.NOT_HANDLER):
        instance_transfer(instance=instance, user=people["outsider"], to_user=people["s2"])
    assert state() == before


def test_acting_twice_on_one_task_is_already_handled(expense, people):
    instance = start(people)
    instance_approve(instance=instance, user=people["leader"])
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_approve(instance=instance, user=people["leader"])
    assert refused.value.code == "already_handled"
    assert refused.value.message == errors.ALREADY_HANDLED
    assert state() == before


def test_the_other_anyone_approver_is_told_already_handled(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance_approve(instance=instance, user=people["finance"])
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_approve(instance=instance, user=people["finance2"])
    assert refused.value.code == "already_handled"
    assert state() == before


def test_stale_task_id_from_an_earlier_round_is_already_handled(expense, people):
    """A page opened on node 1 must not approve node 1 again after a send-back made it current anew."""
    instance = instance_approve(instance=start(people), user=people["leader"])
    old_task = instance.tasks.get(assignee=people["finance"])
    instance = instance_send_back(instance=instance, user=people["finance2"], node_index=0)
    instance = instance_approve(instance=instance, user=people["leader"])
    assert pending(instance) == ["t_fin1", "t_fin2"]
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_approve(instance=instance, user=people["finance"], task_id=old_task.pk)
    assert refused.value.code == "already_handled"
    assert state() == before


def test_reject_goes_back_to_the_initiator_who_resubmits(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance = instance_reject(instance=instance, user=people["finance"], opinion="金额不对")
    assert instance.status == Status.REJECTED
    assert pending(instance) == []
    assert Message.objects.filter(recipient=people["s1"], title=f"已驳回：{instance.title}").count() == 1
    assert [c[0] for c in process.CALLS] == ["submit", "reject"]

    before = state()
    with pytest.raises(ProcessRefused, match="只有发起人可以重新提交"):
        instance_resubmit(instance=instance, user=people["leader"], form_data={**FORM, "amount": "99"})
    assert state() == before

    instance = instance_resubmit(
        instance=instance, user=people["s1"], form_data={**FORM, "amount": "100.00"}, opinion="已改"
    )
    assert instance.status == Status.RUNNING
    assert instance.form_data["amount"] == "100.00"
    assert pending(instance) == ["t_leader"]  # from the first node again
    assert [c[0] for c in process.CALLS] == ["submit", "reject", "submit"]
    assert list(instance.timeline.values_list("action", flat=True)) == ["submit", "approve", "reject", "resubmit"]


def test_resubmit_of_a_running_instance_is_refused(expense, people):
    instance = start(people)
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_resubmit(instance=instance, user=people["s1"])
    assert refused.value.code == "already_handled"
    assert state() == before


def test_only_the_initiator_withdraws_at_any_node(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    before = state()
    for someone in ("leader", "finance", "admin"):
        with pytest.raises(ProcessRefused, match="只有发起人可以撤回流程"):
            instance_withdraw(instance=instance, user=people[someone])
    assert state() == before
    instance = instance_withdraw(instance=instance, user=people["s1"], opinion="不报了")
    assert instance.status == Status.WITHDRAWN
    assert pending(instance) == []
    assert [c[0] for c in process.CALLS] == ["submit", "withdraw"]
    # the finance people who were waiting learn they need not act
    assert Message.objects.filter(title=f"已撤回：{instance.title}").count() == 2


def test_withdraw_of_a_rejected_instance_runs_no_second_undo(expense, people):
    instance = instance_reject(instance=start(people), user=people["leader"])
    instance = instance_withdraw(instance=instance, user=people["s1"])
    assert instance.status == Status.WITHDRAWN
    assert [c[0] for c in process.CALLS] == ["submit", "reject"]


def test_withdraw_after_archive_is_refused_clearly(expense, people):
    instance = start(people)
    for who in ("leader", "finance", "admin_sales"):
        instance = instance_approve(instance=instance, user=people[who])
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_withdraw(instance=instance, user=people["s1"])
    assert refused.value.message == errors.WITHDRAW_ARCHIVED == "流程已归档，不能撤回"
    assert state() == before


def test_withdraw_twice_is_refused(expense, people):
    instance = instance_withdraw(instance=start(people), user=people["s1"])
    before = state()
    with pytest.raises(ProcessRefused, match=errors.WITHDRAW_TWICE):
        instance_withdraw(instance=instance, user=people["s1"])
    assert state() == before


def test_transfer_moves_the_task_to_a_colleague(expense, people):
    instance = start(people)
    colleague = UserFactory.create(username="t_colleague", roles=[Role.SALES_LEADER])
    instance = instance_transfer(instance=instance, user=people["leader"], to_user=colleague, opinion="出差中")
    assert pending(instance) == ["t_colleague"]
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_approve(instance=instance, user=people["leader"])
    assert refused.value.code == "already_handled"
    assert state() == before
    instance = instance_approve(instance=instance, user=colleague)
    assert pending(instance) == ["t_fin1", "t_fin2"]
    transfer = instance.timeline.get(action=Action.TRANSFER)
    assert transfer.opinion == f"转办给 {colleague}。出差中"
    assert Message.objects.filter(recipient=colleague, kind=MessageKind.TASK).count() == 1


def test_transfer_refusals_change_nothing(expense, people):
    instance = start(people)
    before = state()
    with pytest.raises(ProcessRefused, match=errors.TRANSFER_SELF):
        instance_transfer(instance=instance, user=people["leader"], to_user=people["leader"])
    instance = instance_approve(instance=instance, user=people["leader"])
    before = state()
    with pytest.raises(ProcessRefused, match="已是当前节点的处理人"):
        instance_transfer(instance=instance, user=people["finance"], to_user=people["finance2"])
    assert state() == before


def test_add_signer_must_also_pass(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance = instance_add_signer(
        instance=instance, user=people["finance"], signer=people["legal"], opinion="请法务看看"
    )
    assert pending(instance) == ["t_fin1", "t_fin2", "t_legal"]
    instance = instance_approve(instance=instance, user=people["finance"])
    assert instance.current_node_name == "财务"  # the node waits for the added signer
    assert pending(instance) == ["t_legal"]
    instance = instance_approve(instance=instance, user=people["legal"])
    assert instance.current_node_name == "销管"
    added = instance.timeline.get(action=Action.ADD_SIGNER)
    assert added.opinion == f"加签 {people['legal']}。请法务看看"


def test_added_signer_can_reject(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance_add_signer(instance=instance, user=people["finance"], signer=people["legal"])
    instance = instance_reject(instance=instance, user=people["legal"], opinion="合同条款有问题")
    assert instance.status == Status.REJECTED
    assert pending(instance) == []


def test_send_back_to_an_earlier_node_its_approvers_act_again(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance = instance_approve(instance=instance, user=people["finance"])
    assert instance.current_node_name == "销管"
    instance = instance_send_back(instance=instance, user=people["admin_sales"], node_index=0, opinion="请领导再看")
    assert (instance.current_node, pending(instance)) == (0, ["t_leader"])
    back = instance.timeline.get(action=Action.SEND_BACK)
    assert (back.node_name, back.opinion) == ("销管", "退回到「部门领导」。请领导再看")


def test_send_back_refuses_the_current_or_a_later_node(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    before = state()
    for index in (1, 2, 5):
        with pytest.raises(ProcessRefused, match="只能退回到当前节点之前的节点"):
            instance_send_back(instance=instance, user=people["finance"], node_index=index)
    assert state() == before


def test_send_back_makes_a_condition_node_act_again(make_definition, people):
    make_definition(
        {
            "name": "财务",
            "approver_roles": [Role.FINANCE],
            "condition": [{"field": "kind", "op": "=", "value": "travel"}],
        },
        {"name": "销管", "approver_roles": [Role.SALES_ADMIN]},
    )
    instance = start(people)
    assert instance.current_node_name == "销管"  # 财务 passed automatically
    instance = instance_send_back(instance=instance, user=people["admin_sales"], node_index=0)
    assert (instance.current_node_name, pending(instance)) == ("财务", ["t_fin1", "t_fin2"])


def test_remind_messages_the_current_handlers_once_per_ten_minutes(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance_remind(instance=instance, user=people["s1"], opinion="客户在催")
    reminders = Message.objects.filter(kind=MessageKind.REMINDER)
    assert sorted(reminders.values_list("recipient__username", flat=True)) == ["t_fin1", "t_fin2"]
    before = state()
    with pytest.raises(ProcessRefused, match="10 分钟内已催办过"):
        instance_remind(instance=instance, user=people["s1"])
    with pytest.raises(ProcessRefused, match="只有发起人可以催办"):
        instance_remind(instance=instance, user=people["s2"])
    assert state() == before


def test_cc_on_start_and_on_finish(expense, people):
    expense.cc_when = "both"
    expense.cc_roles = [Role.LEGAL]
    expense.save()
    instance = start(people, cc=[people["s2"]])
    assert sorted(instance.copies.values_list("user__username", flat=True)) == ["t_legal", "t_sales2"]
    for who in ("leader", "finance", "admin_sales"):
        instance = instance_approve(instance=instance, user=people[who])
    assert instance.copies.count() == 2  # the legal copy at finish is not sent twice
    assert Message.objects.filter(recipient=people["s2"], title=f"抄送：{instance.title}").count() == 1


def test_cc_on_finish_only(expense, people):
    expense.cc_users.set([people["legal"]])
    instance = start(people)
    assert instance.copies.count() == 0
    for who in ("leader", "finance", "admin_sales"):
        instance = instance_approve(instance=instance, user=people[who])
    assert list(instance.copies.values_list("user__username", flat=True)) == ["t_legal"]


def test_delegate_acts_while_the_approver_is_away(expense, people):
    today = timezone.localdate()
    deputy = UserFactory.create(username="t_deputy", roles=[Role.SALES])
    Delegation.objects.create(user=people["leader"], delegate=deputy, start=today, end=today + timedelta(days=3))
    instance = start(people)
    assert Message.objects.filter(recipient=deputy, kind=MessageKind.TASK).count() == 1
    instance = instance_approve(instance=instance, user=deputy, opinion="代批")
    entry = instance.timeline.get(action=Action.APPROVE)
    assert entry.actor_label == f"{deputy} 代理 {people['leader']}"
    assert entry.role == "部门领导"
    assert pending(instance) == ["t_fin1", "t_fin2"]


def test_expired_delegation_gives_no_right_to_act(expense, people):
    today = timezone.localdate()
    deputy = UserFactory.create(username="t_deputy", roles=[Role.SALES])
    Delegation.objects.create(
        user=people["leader"], delegate=deputy, start=today - timedelta(days=5), end=today - timedelta(days=1)
    )
    instance = start(people)
    before = state()
    with pytest.raises(ProcessRefused, match=errors.NOT_HANDLER):
        instance_approve(instance=instance, user=deputy)
    assert state() == before


def test_effect_refusal_keeps_nothing_of_the_action(expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"])
    instance = instance_approve(instance=instance, user=people["finance"])
    process.REFUSE.add("archive")
    before = state()
    with pytest.raises(ProcessRefused, match=process.REFUSAL):
        instance_approve(instance=instance, user=people["admin_sales"])
    process.CALLS.clear()
    before["effects"] = []
    assert state() == before


def test_submit_refused_by_effect_keeps_no_instance(expense, people):
    process.REFUSE.add("submit")
    before = state()
    with pytest.raises(ProcessRefused, match=process.REFUSAL):
        start(people)
    process.CALLS.clear()
    before["effects"] = []
    assert state() == before


def test_invalid_form_is_refused_with_the_field_named(expense, people):
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        instance_start(code="expense", initiator=people["s1"], form_data={"amount": "abc"})
    assert refused.value.message.startswith("表单填写有误：金额:")
    assert state() == before


def test_node_without_any_handler_refuses_the_submit(make_definition, people):
    make_definition({"name": "技术支持", "approver_roles": [Role.TECH_SUPPORT]})
    before = state()
    with pytest.raises(ProcessRefused) as refused:
        start(people)
    assert refused.value.message == "节点「技术支持」找不到处理人，请管理员在管理工作台为该节点配置审批人"
    process.CALLS.clear()  # on_submit ran in memory; its writes were rolled back with the rest
    assert state() == before


def test_named_users_and_the_initiator_as_approvers(make_definition, people):
    make_definition(
        {"name": "指定人", "users": [people["legal"]]},
        {"name": "发起人确认", "approver_initiator": True},
    )
    instance = start(people)
    assert pending(instance) == ["t_legal"]
    instance = instance_approve(instance=instance, user=people["legal"])
    assert pending(instance) == ["t_sales1"]
    instance = instance_approve(instance=instance, user=people["s1"], opinion="确认")
    assert instance.status == Status.ARCHIVED


def test_editable_node_takes_changed_form_data(make_definition, people):
    make_definition(
        {"name": "财务", "approver_roles": [Role.FINANCE], "form_editable": True},
        {"name": "销管", "approver_roles": [Role.SALES_ADMIN]},
    )
    instance = start(people)
    instance = instance_approve(instance=instance, user=people["finance"], form_data={**FORM, "amount": "110.00"})
    assert instance.form_data["amount"] == "110.00"
    assert instance.timeline.get(action="approve").opinion == "（修改了: 金额）"
    before = state()
    with pytest.raises(ProcessRefused, match=errors.FORM_NOT_EDITABLE):
        instance_approve(instance=instance, user=people["admin_sales"], form_data={**FORM, "amount": "1"})
    assert state() == before


def test_definition_snapshot_keeps_running_instances_on_their_path(expense, people):
    running = start(people)
    # the admin removes 部门领导 and adds a legal node at the end
    expense.nodes.get(name="部门领导").delete()
    ProcessNode.objects.create(definition=expense, position=9, name="法务", approver_roles=[Role.LEGAL])
    fresh = start(people)
    assert [n["name"] for n in running.nodes] == ["部门领导", "财务", "销管"]
    assert [n["name"] for n in fresh.nodes] == ["财务", "销管", "法务"]
    assert pending(fresh) == ["t_fin1", "t_fin2"]
    for who in ("leader", "finance", "admin_sales"):
        running = instance_approve(instance=running, user=people[who])
    assert running.status == Status.ARCHIVED  # never asked legal


def test_snapshot_keeps_approvers_too(expense, people):
    running = instance_approve(instance=start(people), user=people["leader"])
    expense.nodes.filter(name="财务").update(approver_roles=[Role.LEGAL])
    assert pending(running) == ["t_fin1", "t_fin2"]
    running = instance_approve(instance=running, user=people["finance"])
    assert running.current_node_name == "销管"


def test_system_start_says_so_and_auto_passes(make_definition, people):
    make_definition(
        {
            "name": "销售事业部总",
            "approver_roles": [Role.SALES_DIRECTOR],
            "condition": [{"field": "auto_flag", "op": "=", "value": "1"}],
        },
        {
            "name": "财务(总部)",
            "approver_roles": [Role.FINANCE_HQ],
            "condition": [{"field": "auto_flag", "op": "=", "value": "1"}],
        },
        {"name": "销售确认", "approver_initiator": True},
    )
    instance = instance_start(
        code="expense", initiator=people["s1"], form_data={"amount": "5", "auto_flag": "1"}, by_system=True
    )
    lines = [(e.action, e.actor_label, e.role, e.node_name, e.opinion) for e in instance.timeline.all()]
    assert lines == [
        ("system_submit", "系统", "", "", f"系统为 {people['s1']} 自动发起。"),
        ("auto_pass", "系统", "销售事业部总", "销售事业部总", "满足条件: 自动销账 = 1，系统自动通过"),
        ("auto_pass", "系统", "财务(总部)", "财务(总部)", "满足条件: 自动销账 = 1，系统自动通过"),
    ]
    assert pending(instance) == ["t_sales1"]
    assert instance.by_system is True


def test_unknown_or_inactive_process_is_refused(expense, people):
    expense.is_active = False
    expense.save()
    before = state()
    with pytest.raises(ProcessRefused, match="流程「expense」不存在或已停用"):
        start(people)
    assert state() == before
