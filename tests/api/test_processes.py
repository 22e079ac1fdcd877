"""Processes through the API: start any type (here the no-code 电商购销单 shipped as data), act on it, 待办."""

from __future__ import annotations

import pytest

from sales_erp.workflow.errors import ALREADY_HANDLED, NOT_HANDLER
from sales_erp.workflow.models import ProcessInstance, Status, TimelineEntry

pytestmark = pytest.mark.django_db


def order(customer_pk: int, **kw) -> dict:
    return {
        "code": "ecommerce_order",
        "form_data": {
            "customer": customer_pk,
            "goods_name": "营销短信包 10 万条",
            "quantity": "3",
            "unit_price": "0.045500",
            "amount": "13650",
            "delivery_date": "2026-12-31",
            **kw,
        },
        "remarks": "接口发起",
    }


@pytest.fixture
def started(people, books, api) -> ProcessInstance:
    response = api(people["s1"]).post("/api/processes/", order(books["mine"].pk), format="json")
    assert response.status_code == 201, response.json()
    return ProcessInstance.objects.get(pk=response.json()["id"])


def test_start_a_no_code_type(people, books, started, api):
    body = api(people["s1"]).get(f"/api/processes/{started.pk}/").json()
    assert (body["code"], body["status"], body["current_node_name"], body["handlers"]) == (
        "ecommerce_order",
        "running",
        "部门领导",
        [str(people["leader"])],
    )
    assert body["form_data"]["amount"] == "13650.00"
    assert body["form_data"]["customer"] == {"id": books["mine"].pk, "label": "上海一号科技有限公司"}
    assert body["customer"] == books["mine"].pk
    assert [t["action"] for t in body["timeline"]] == ["submit"]


def test_a_bad_form_is_refused_with_the_field_and_nothing_is_started(people, books, api):
    response = api(people["s1"]).post("/api/processes/", order(books["mine"].pk, unit_price="0.0455001"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "form_invalid"
    assert "「单价」" in body["detail"] and "unit_price" in body["errors"]
    assert not ProcessInstance.objects.exists()


def test_linking_another_salespersons_customer_is_refused(people, books, api):
    response = api(people["s1"]).post("/api/processes/", order(books["theirs"].pk), format="json")
    assert response.status_code == 400
    assert "customer" in response.json()["errors"]
    assert not ProcessInstance.objects.exists()


def test_an_unknown_code_says_so(people, api):
    response = api(people["s1"]).post("/api/processes/", {"code": "nope", "form_data": {}}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_process"


def test_todo_lists_the_leaders_task_and_approve_moves_on(people, started, api):
    leader = api(people["leader"])
    todo = leader.get("/api/processes/todo/").json()
    assert [p["id"] for p in todo["results"]] == [started.pk]
    assert todo["results"][0]["my_task"] is not None
    assert api(people["s2"]).get("/api/processes/todo/").json()["count"] == 0
    response = leader.post(
        f"/api/processes/{started.pk}/act/",
        {"action": "approve", "opinion": "同意", "task_id": todo["results"][0]["my_task"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["current_node_name"], response.json()["handlers"]) == ("财务", [str(people["finance"])])
    # the same task again: the race's loser gets 409 and nothing changes
    again = leader.post(
        f"/api/processes/{started.pk}/act/",
        {"action": "approve", "task_id": todo["results"][0]["my_task"]},
        format="json",
    )
    assert again.status_code in (400, 409)
    finance = api(people["finance"])
    done = finance.post(f"/api/processes/{started.pk}/act/", {"action": "approve"}, format="json")
    assert done.json()["status"] == "archived"


def test_a_stale_task_id_is_409_already_handled(people, started, api):
    leader = api(people["leader"])
    task_id = leader.get("/api/processes/todo/").json()["results"][0]["my_task"]
    leader.post(f"/api/processes/{started.pk}/act/", {"action": "reject", "opinion": "改"}, format="json")
    timeline = TimelineEntry.objects.count()
    response = leader.post(
        f"/api/processes/{started.pk}/act/", {"action": "approve", "task_id": task_id}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": ALREADY_HANDLED, "code": "already_handled"}
    assert TimelineEntry.objects.count() == timeline


def test_someone_not_handling_it_is_refused_with_the_sentence(people, started, api):
    # the director sees it (the initiator's superior chain) but holds no task
    response = api(people["director"]).post(f"/api/processes/{started.pk}/act/", {"action": "approve"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == NOT_HANDLER
    started.refresh_from_db()
    assert started.current_node_name == "部门领导"


def test_an_instance_one_may_not_see_is_404(people, started, api):
    other = api(people["s2"])
    assert other.get(f"/api/processes/{started.pk}/").status_code == 404
    assert other.post(f"/api/processes/{started.pk}/act/", {"action": "withdraw"}, format="json").status_code == 404
    started.refresh_from_db()
    assert started.status == Status.RUNNING


def test_reject_then_resubmit_then_withdraw(people, started, api):
    api(people["leader"]).post(
        f"/api/processes/{started.pk}/act/", {"action": "reject", "opinion": "数量不对"}, format="json"
    )
    me = api(people["s1"])
    assert me.get(f"/api/processes/{started.pk}/").json()["status"] == "rejected"
    form = {**started.form_data, "customer": started.form_data["customer"]["id"], "quantity": "4"}
    resubmitted = me.post(f"/api/processes/{started.pk}/act/", {"action": "resubmit", "form_data": form}, format="json")
    assert resubmitted.status_code == 200, resubmitted.json()
    assert (resubmitted.json()["status"], resubmitted.json()["form_data"]["quantity"]) == ("running", "4")
    withdrawn = me.post(f"/api/processes/{started.pk}/act/", {"action": "withdraw"}, format="json")
    assert withdrawn.json()["status"] == "withdrawn"


def test_transfer_needs_a_colleague_and_hands_the_task_over(people, started, api):
    leader = api(people["leader"])
    missing = leader.post(f"/api/processes/{started.pk}/act/", {"action": "transfer"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["detail"] == "转办需要给出 to_user（员工编号）"
    response = leader.post(
        f"/api/processes/{started.pk}/act/",
        {"action": "transfer", "to_user": people["director"].pk, "opinion": "请代批"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["handlers"] == [str(people["director"])]


def test_an_unknown_action_is_a_validation_error(people, started, api):
    response = api(people["leader"]).post(f"/api/processes/{started.pk}/act/", {"action": "explode"}, format="json")
    assert response.status_code == 400
    assert "action" in response.json()


def test_the_process_list_is_what_one_may_see(people, started, api):
    assert api(people["s1"]).get("/api/processes/").json()["count"] == 1
    assert api(people["s2"]).get("/api/processes/").json()["count"] == 0
    assert api(people["admin"]).get("/api/processes/?status=running").json()["count"] == 1
