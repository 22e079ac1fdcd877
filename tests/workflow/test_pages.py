"""The desk pages of the workflow, through the HTTP door: start, draft, instance page, actions, inbox, search."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sales_erp import hooks
from sales_erp.customers.models import Customer, Tier
from sales_erp.desk.search import global_search
from sales_erp.messaging.models import Message
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve, instance_reject, instance_start
from tests.workflow.conftest import EXPENSE_HOOKS
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db

FORM = {"amount": "120.50", "kind": "travel", "note": "上海出差"}


def customer(name: str, owner=None, tier=Tier.INTENT) -> Customer:
    return Customer.objects.create(name=name, owner=owner, tier=tier, business_contact="王五", mobile="13800000000")


def login(client, user):
    client.force_login(user)
    return client


def start(people, **kw):
    return instance_start(code="expense", initiator=people["s1"], form_data=dict(FORM), **kw)


@pytest.fixture
def with_target(expense, monkeypatch):
    monkeypatch.setitem(
        hooks.PROCESSES, "expense", hooks.ProcessHooks(**{**EXPENSE_HOOKS.__dict__, "target": "customers.Customer"})
    )


# ------------------------------------------------------------------------------------------- start page
def test_start_page_renders_the_form_and_submits(client, expense, people):
    login(client, people["s1"])
    page = client.get("/desk/workflow/start/expense/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "发起费用报销流程" in html and 'name="amount"' in html and "总大小不超过 100.0\xa0MB" in html
    assert "流程节点顺序：发起人 → 部门领导 → 财务 → 销管" in html
    response = client.post("/desk/workflow/start/expense/", {**FORM, "remarks": "请批", "cc": [people["s2"].pk]})
    instance = ProcessInstance.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/workflow/{instance.pk}/"
    assert (instance.status, instance.remarks, instance.form_data["amount"]) == (Status.RUNNING, "请批", "120.50")
    assert list(instance.copies.values_list("user__username", flat=True)) == ["t_sales2"]


def test_start_with_a_bad_field_shows_the_error_and_keeps_nothing(client, expense, people):
    login(client, people["s1"])
    before = state()
    response = client.post("/desk/workflow/start/expense/", {**FORM, "amount": "一百"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"amount": ["输入一个数字。"]}
    assert "输入一个数字。" in response.content.decode()
    assert state() == before


def test_start_from_a_customer(client, with_target, people):
    mine = customer("上海甲乙科技有限公司", owner=people["s1"])
    login(client, people["s1"])
    page = client.get(f"/desk/workflow/start/expense/?target={mine.pk}")
    assert "上海甲乙科技有限公司" in page.content.decode()
    client.post(f"/desk/workflow/start/expense/?target={mine.pk}", {**FORM, "target": mine.pk})
    instance = ProcessInstance.objects.get()
    assert (instance.target, instance.customer, instance.title) == (mine, mine, "费用报销流程（上海甲乙科技有限公司）")


def test_start_from_someone_elses_customer_is_404(client, with_target, people):
    theirs = customer("北京丙丁有限公司", owner=people["s2"])
    login(client, people["s1"])
    assert client.get(f"/desk/workflow/start/expense/?target={theirs.pk}").status_code == 404
    assert client.post(f"/desk/workflow/start/expense/?target={theirs.pk}", FORM).status_code == 404
    assert ProcessInstance.objects.count() == 0


def test_a_process_that_needs_a_target_refuses_to_start_without_one(client, with_target, people):
    login(client, people["s1"])
    before = state()
    response = client.post("/desk/workflow/start/expense/", FORM)
    assert response.status_code == 400
    assert "流程「费用报销流程」须从客户页面发起" in response.content.decode()
    assert state() == before


def test_draft_is_saved_while_typing_and_comes_back(client, expense, people):
    login(client, people["s1"])
    saved = client.post(
        "/desk/workflow/start/expense/draft/", {"amount": "88", "note": "还没写完", "remarks": "草稿备注"}
    )
    assert saved.status_code == 200 and "saved_at" in saved.json()
    client.post("/desk/workflow/start/expense/draft/", {"amount": "88.5", "note": "还没写完", "remarks": "草稿备注"})
    draft = ProcessInstance.objects.get(status=Status.DRAFT)
    assert (draft.form_data, draft.remarks) == ({"amount": "88.5", "note": "还没写完"}, "草稿备注")
    html = client.get("/desk/workflow/start/expense/").content.decode()
    assert 'value="88.5"' in html and "还没写完" in html and "草稿备注" in html and "已恢复" in html
    # nobody else sees it, in the inbox or on a page
    assert client.get(f"/desk/workflow/{draft.pk}/").status_code == 404
    # submitting turns the draft into the instance
    client.post("/desk/workflow/start/expense/", {**FORM, "remarks": "正式"})
    assert ProcessInstance.objects.count() == 1
    assert ProcessInstance.objects.get().status == Status.RUNNING


def test_drafts_are_per_user(client, expense, people):
    login(client, people["s1"])
    client.post("/desk/workflow/start/expense/draft/", {"note": "张的草稿"})
    login(client, people["s2"])
    assert "张的草稿" not in client.get("/desk/workflow/start/expense/").content.decode()


# ---------------------------------------------------------------------------------------- instance page
def test_instance_page_shows_form_handlers_timeline_and_buttons(client, expense, people):
    instance = instance_approve(instance=start(people), user=people["leader"], opinion="同意")
    login(client, people["finance"])
    html = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "120.50" in html and "差旅" in html and "上海出差" in html
    assert 'data-handler="t_fin1"' in html and 'data-handler="t_fin2"' in html
    assert "同意" in html and "［部门领导］" in html
    assert 'value="approve"' in html and 'value="reject"' in html and 'value="transfer"' in html
    assert 'value="send_back"' in html and 'value="withdraw"' not in html
    login(client, people["s1"])
    mine = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert 'value="withdraw"' in mine and 'value="remind"' in mine and 'value="approve"' not in mine


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("s1", True),
        ("leader", True),
        ("director", True),
        ("finance", True),
        ("admin", True),
        ("s2", False),
        ("outsider", False),
        ("legal", False),
    ],
)
def test_instance_visibility(client, expense, people, who, sees):
    instance = start(people)  # the leader has the task; finance have not had one yet
    if who == "finance":
        instance = instance_approve(instance=instance, user=people["leader"])
    login(client, people[who])
    assert client.get(f"/desk/workflow/{instance.pk}/").status_code == (200 if sees else 404)


def test_copied_person_sees_it(client, expense, people):
    instance = start(people, cc=[people["legal"]])
    login(client, people["legal"])
    assert client.get(f"/desk/workflow/{instance.pk}/").status_code == 200


def test_every_action_through_the_page(client, expense, people):
    instance = start(people)
    url = f"/desk/workflow/{instance.pk}/act/"
    login(client, people["leader"])
    assert client.post(url, {"action": "approve", "opinion": "同意"}).status_code == 302
    login(client, people["finance"])
    assert client.post(url, {"action": "add_signer", "signer": people["legal"].pk}).status_code == 302
    assert pending(instance) == ["t_fin1", "t_fin2", "t_legal"]
    assert client.post(url, {"action": "transfer", "to_user": people["outsider"].pk}).status_code == 302
    assert pending(instance) == ["t_fin2", "t_legal", "t_outsider"]
    login(client, people["legal"])
    assert client.post(url, {"action": "approve"}).status_code == 302
    login(client, people["outsider"])
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert pending(instance) == ["t_salesadmin"]
    login(client, people["admin_sales"])
    assert client.post(url, {"action": "send_back", "node": "0", "opinion": "重看"}).status_code == 302
    assert pending(instance) == ["t_leader"]
    login(client, people["s1"])
    assert client.post(url, {"action": "remind"}).status_code == 302
    assert Message.objects.filter(recipient=people["leader"], kind="reminder").count() == 1
    login(client, people["leader"])
    assert client.post(url, {"action": "reject", "opinion": "不合规"}).status_code == 302
    instance.refresh_from_db()
    assert instance.status == Status.REJECTED
    login(client, people["s1"])
    edit = client.get(f"/desk/workflow/{instance.pk}/edit/")
    assert edit.status_code == 200 and 'value="120.50"' in edit.content.decode()
    assert (
        client.post(f"/desk/workflow/{instance.pk}/edit/", {**FORM, "amount": "99.00", "remarks": "已改"}).status_code
        == 302
    )
    instance.refresh_from_db()
    assert (instance.status, instance.form_data["amount"], pending(instance)) == (Status.RUNNING, "99.00", ["t_leader"])
    assert client.post(url, {"action": "withdraw", "opinion": "不要了"}).status_code == 302
    instance.refresh_from_db()
    assert instance.status == Status.WITHDRAWN
    assert list(instance.timeline.values_list("action", flat=True)) == [
        "submit", "approve", "add_signer", "transfer", "approve", "approve",
        "send_back", "remind", "reject", "resubmit", "withdraw",
    ]  # fmt: skip


def test_refused_actions_through_the_page_say_why_and_change_nothing(client, expense, people):
    instance = start(people)
    url = f"/desk/workflow/{instance.pk}/act/"
    login(client, people["finance"])
    before = state()
    response = client.post(url, {"action": "approve"})  # finance has no task yet, but sees nothing either
    assert response.status_code == 404
    login(client, people["leader"])
    response = client.post(url, {"action": "withdraw"})
    assert response.status_code == 400 and "只有发起人可以撤回流程" in response.content.decode()
    response = client.post(url, {"action": "send_back", "node": "0"})
    assert response.status_code == 400 and "只能退回到当前节点之前的节点" in response.content.decode()
    response = client.post(url, {"action": "fly"})
    assert response.status_code == 400 and "未知的操作「fly」" in response.content.decode()
    assert state() == before
    client.post(url, {"action": "approve"})
    before = state()
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 409 and "已处理" in response.content.decode()
    assert state() == before


def test_withdraw_after_archive_through_the_page_is_a_clear_400(client, expense, people):
    instance = start(people)
    for who in ("leader", "finance", "admin_sales"):
        instance = instance_approve(instance=instance, user=people[who])
    login(client, people["s1"])
    before = state()
    response = client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "withdraw"})
    assert response.status_code == 400
    assert "流程已归档，不能撤回" in response.content.decode()
    assert state() == before


def test_editable_node_form_through_the_page(client, make_definition, people):
    from sales_erp.org.roles import Role

    make_definition({"name": "财务", "approver_roles": [Role.FINANCE], "form_editable": True})
    instance = start(people)
    login(client, people["finance"])
    assert 'name="edit_form"' in client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    response = client.post(
        f"/desk/workflow/{instance.pk}/act/", {"action": "approve", "edit_form": "1", **FORM, "amount": "100"}
    )
    assert response.status_code == 302
    instance.refresh_from_db()
    assert (instance.status, instance.form_data["amount"]) == (Status.ARCHIVED, "100")


# ------------------------------------------------------------------------------------------------ inbox
def test_inbox_tabs_and_counts(client, expense, people):
    a = start(people)
    b = start(people)
    instance_approve(instance=b, user=people["leader"])
    c = instance_start(code="expense", initiator=people["s2"], form_data=dict(FORM), cc=[people["s1"]])
    login(client, people["leader"])
    todo = client.get("/desk/workflow/inbox/?tab=todo")
    assert [p.pk for p in todo.context["page"]] == [c.pk, a.pk]
    assert todo.context["tabs"] == [
        ("todo", "待办", 2),
        ("done", "已办", 1),
        ("mine", "我发起的", 0),
        ("cc", "抄送我的", 0),
    ]
    assert [p.pk for p in client.get("/desk/workflow/inbox/?tab=done").context["page"]] == [b.pk]
    login(client, people["s1"])
    assert [p.pk for p in client.get("/desk/workflow/inbox/?tab=mine").context["page"]] == [b.pk, a.pk]
    cc_page = client.get("/desk/workflow/inbox/?tab=cc")
    assert [p.pk for p in cc_page.context["page"]] == [c.pk]
    assert f'href="/desk/workflow/{c.pk}/"' in cc_page.content.decode()


def test_inbox_filters(client, expense, people):
    acme = customer("上海甲乙科技有限公司", owner=people["s1"])
    other = customer("北京丙丁有限公司", owner=people["s1"])
    a = start(people, target=acme)
    b = start(people, target=other)
    instance_reject(instance=b, user=people["leader"])
    old = start(people)
    ProcessInstance.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    login(client, people["s1"])

    def ids(query: str) -> list[int]:
        return [p.pk for p in client.get(f"/desk/workflow/inbox/?tab=mine&{query}").context["page"]]

    assert ids("") == [b.pk, a.pk, old.pk]
    assert ids("status=rejected") == [b.pk]
    assert ids("status=running") == [a.pk, old.pk]
    assert ids("customer=甲乙") == [a.pk]
    assert ids("code=expense") == [b.pk, a.pk, old.pk]
    assert ids("code=write_off") == []
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert ids(f"date_from={since}") == [b.pk, a.pk]
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert ids(f"date_to={until}") == [old.pk]
    assert ids(f"text={a.number}") == [a.pk]


def test_done_tab_filters_by_the_day_i_acted(client, expense, people):
    a = instance_approve(instance=start(people), user=people["leader"])
    b = instance_approve(instance=start(people), user=people["leader"])
    a.tasks.filter(acted_by=people["leader"]).update(acted_at=timezone.now() - timedelta(days=10))
    login(client, people["leader"])
    today = timezone.localdate().isoformat()
    assert [p.pk for p in client.get(f"/desk/workflow/inbox/?tab=done&date_from={today}").context["page"]] == [b.pk]


def test_menu_badges_count(client, expense, people):
    start(people)
    start(people)
    login(client, people["leader"])
    html = client.get("/desk/").content.decode()
    todo = html[html.index('href="/desk/workflow/inbox/?tab=todo"') :]
    badge = todo[: todo.index("</a>")].split("ml-2 px-1")[1]
    assert badge[badge.index(">") + 1 : badge.index("</span>")].split() == ["2"]
    done = html[html.index('href="/desk/workflow/inbox/?tab=done"') :]
    assert "ml-2 px-1" not in done[: done.index("</a>")]  # nothing done yet: no (empty) badge
    from django.test import RequestFactory

    from sales_erp.workflow.selectors import done_badge, todo_badge

    request = RequestFactory().get("/")
    request.user = people["leader"]
    assert (todo_badge(request), done_badge(request)) == ("2", "")


# ----------------------------------------------------------------------------------------------- search
def test_process_search_page_and_exports(client, expense, people):
    acme = customer("上海甲乙科技有限公司", owner=people["s1"])
    a = start(people, target=acme)
    instance_start(code="expense", initiator=people["s2"], form_data=dict(FORM))
    login(client, people["s1"])
    page = client.get("/desk/workflow/search/?customer=甲乙")
    assert [p.pk for p in page.context["page"]] == [a.pk]
    exported = client.get("/desk/workflow/search/?code=expense&export=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "流程编号",
        "流程",
        "标题",
        "客户",
        "发起人",
        "状态",
        "当前节点",
        "发起时间",
        "结束时间",
        "金额",
        "自动销账",
        "类型",
        "日期",
        "说明",
    ]
    assert len(rows) == 2  # only what s1 may see
    assert rows[1][:7] == [
        a.number,
        "费用报销流程",
        a.title,
        "上海甲乙科技有限公司",
        str(people["s1"]),
        "审批中",
        "部门领导",
    ]
    assert rows[1][9:] == ["120.50", "", "差旅", "", "上海出差"]
    xlsx = client.get("/desk/workflow/search/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:2] == [a.number, "费用报销流程"]
    assert sheet.max_row == 2


def test_global_search_finds_processes_one_may_see(expense, people):
    a = start(people)
    hits = global_search(user=people["s1"], query=a.number)
    assert [(h.kind, h.url) for h in hits] == [("流程", f"/desk/workflow/{a.pk}/")]
    assert global_search(user=people["s2"], query=a.number) == []


def test_start_list_groups_the_processes(client, people):
    login(client, people["s1"])
    html = client.get("/desk/workflow/start/").content.decode()
    assert "运营流程" in html and "收尾流程" in html and "销账流程" in html


# ------------------------------------------------------------------------------------ an object's page
def test_object_page_helpers_offer_its_processes_and_list_them(with_target, people):
    from sales_erp.workflow.selectors import instances_for_target, processes_for_target

    mine = customer("上海甲乙科技有限公司", owner=people["s1"])
    offered = processes_for_target(mine)
    assert sorted((d.code, url) for d, url in offered) == [
        ("expense", f"/desk/workflow/start/expense/?target={mine.pk}"),
        ("reconciliation", f"/desk/workflow/start/reconciliation/?target={mine.pk}"),  # 对账 starts from a customer
    ]
    a = start(people, target=mine)
    start(people, target=customer("北京丙丁有限公司", owner=people["s1"]))
    assert list(instances_for_target(people["s1"], mine)) == [a]
    assert list(instances_for_target(people["s2"], mine)) == []


def test_inbox_row_links_to_the_object(client, expense, people, monkeypatch):
    """A process about an object that has a desk page (here a department) links to it from the row."""
    monkeypatch.setitem(
        hooks.PROCESSES, "expense", hooks.ProcessHooks(**{**EXPENSE_HOOKS.__dict__, "target": "org.Department"})
    )
    department = people["s1"].department
    assert department is not None
    start(people, target=department)
    login(client, people["s1"])
    html = client.get("/desk/workflow/inbox/?tab=mine").content.decode()
    assert f'<a class="text-primary-600" href="/desk/org/department/{department.pk}/change/">{department}</a>' in html


# ---------------------------------------------------------------------------------------- delegation page
def test_delegation_page_sets_and_cancels_a_delegate(client, expense, people):
    login(client, people["leader"])
    today = timezone.localdate()
    bad = client.post(
        "/desk/workflow/delegations/",
        {"delegate": people["s2"].pk, "start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()
    from sales_erp.workflow.models import Delegation

    assert Delegation.objects.count() == 0
    response = client.post(
        "/desk/workflow/delegations/",
        {"delegate": people["s2"].pk, "start": today.isoformat(), "end": today.isoformat(), "reason": "年假"},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.user, delegation.delegate, delegation.reason) == (people["leader"], people["s2"], "年假")
    instance = start(people)
    login(client, people["s2"])
    assert [p.pk for p in client.get("/desk/workflow/inbox/?tab=todo").context["page"]] == [instance.pk]
    assert "您正在代理" in client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    client.post("/desk/workflow/delegations/", {"end_delegation": delegation.pk})  # not s2's to cancel
    assert Delegation.objects.count() == 1
    login(client, people["leader"])
    client.post("/desk/workflow/delegations/", {"end_delegation": delegation.pk})
    assert Delegation.objects.count() == 0


def test_a_process_with_a_page_of_its_own(client, expense, people, monkeypatch, settings):
    """ProcessHooks.template replaces the generic rendering of the form on the start page."""
    from pathlib import Path

    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]
    monkeypatch.setitem(
        hooks.PROCESSES,
        "expense",
        hooks.ProcessHooks(**{**EXPENSE_HOOKS.__dict__, "template": "tests/expense_start.html"}),
    )
    login(client, people["s1"])
    html = client.get("/desk/workflow/start/expense/").content.decode()
    assert "<div data-own-page>报销专用页面：</div>" in html and 'name="amount"' in html
    assert (
        'class="flex flex-col group mb-4">\n        <div class="flex flex-col gap-2">'
        not in html.split("data-own-page")[1].split("备注")[0]
    )
