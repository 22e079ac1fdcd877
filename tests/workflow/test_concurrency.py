"""Two people acting on one task at the same moment: exactly one action counts, the other hears "已处理".

Real concurrent HTTP requests, each thread on its own database connection, in transactional tests (so
the row lock is really taken and released by committed transactions). `make test` runs this on SQLite
and on MariaDB.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sales_erp.org.roles import Role
from sales_erp.workflow.models import Action, ProcessInstance, ProcessTask, Status
from sales_erp.workflow.services import instance_approve, instance_start
from tests.factories import UserFactory, sales_team
from tests.workflow.conftest import node

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {"amount": "10", "kind": "meal"}
ROUNDS = 5


def race(*calls: Callable[..., Any]) -> list[Any]:
    """Run the calls at the same moment, each in its own thread (and so its own DB connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def setup(base_data, expense_hooks):
    from sales_erp.workflow.models import ProcessDefinition

    team = sales_team()
    finance = [UserFactory.create(username=f"t_fin{i}", roles=[Role.FINANCE]) for i in (1, 2)]
    definition = ProcessDefinition.objects.create(code="expense", name="费用报销流程")
    node(definition, 1, "财务", approver_roles=[Role.FINANCE])
    node(definition, 2, "部门领导", approver_superior=True)
    return {"s1": team["s1"], "leader": team["leader"], "fin": finance}


def post_as(user, url: str, data: dict[str, str]) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    return response.status_code, response.content.decode()


def test_two_approvers_on_one_anyone_node_at_once(setup):
    for _ in range(ROUNDS):
        instance = instance_start(code="expense", initiator=setup["s1"], form_data=FORM)
        url = f"/desk/workflow/{instance.pk}/act/"
        a, b = setup["fin"]
        results = race(
            lambda a=a, url=url: post_as(a, url, {"action": "approve", "opinion": "甲"}),
            lambda b=b, url=url: post_as(b, url, {"action": "approve", "opinion": "乙"}),
        )
        codes = sorted(code for code, _ in results)
        assert codes == [302, 409], results
        loser = next(html for code, html in results if code == 409)
        assert "已处理" in loser
        instance.refresh_from_db()
        assert instance.current_node_name == "部门领导"
        assert instance.timeline.filter(action=Action.APPROVE).count() == 1
        assert ProcessTask.objects.filter(instance=instance, status="approved").count() == 1
        assert ProcessTask.objects.filter(instance=instance, node_index=1, status="pending").count() == 1


def test_approve_and_reject_at_once_only_one_counts(setup):
    for _ in range(ROUNDS):
        instance = instance_start(code="expense", initiator=setup["s1"], form_data=FORM)
        url = f"/desk/workflow/{instance.pk}/act/"
        a, b = setup["fin"]
        results = race(
            lambda a=a, url=url: post_as(a, url, {"action": "approve"}),
            lambda b=b, url=url: post_as(b, url, {"action": "reject"}),
        )
        assert sorted(code for code, _ in results) == [302, 409], results
        instance.refresh_from_db()
        decided = instance.timeline.filter(action__in=[Action.APPROVE, Action.REJECT]).count()
        assert decided == 1
        assert instance.status in (Status.RUNNING, Status.REJECTED)
        if instance.status == Status.REJECTED:
            assert not instance.tasks.filter(status="pending").exists()


def test_same_person_double_submits(setup):
    for _ in range(ROUNDS):
        instance = instance_start(code="expense", initiator=setup["s1"], form_data=FORM)
        a = setup["fin"][0]
        results = race(
            lambda instance=instance, a=a: instance_approve(instance=instance, user=a),
            lambda instance=instance, a=a: instance_approve(instance=instance, user=a),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and getattr(errors[0], "code", "") == "already_handled", results
        assert ProcessInstance.objects.get(pk=instance.pk).timeline.filter(action=Action.APPROVE).count() == 1


def test_withdraw_racing_the_last_approval(setup):
    """Either the withdraw or the archive wins; a withdraw that arrives after the archive is a clear refusal."""
    for _ in range(ROUNDS):
        instance = instance_start(code="expense", initiator=setup["s1"], form_data=FORM)
        instance = instance_approve(instance=instance, user=setup["fin"][0])
        url = f"/desk/workflow/{instance.pk}/act/"
        results = race(
            lambda url=url: post_as(setup["leader"], url, {"action": "approve"}),
            lambda url=url: post_as(setup["s1"], url, {"action": "withdraw"}),
        )
        instance.refresh_from_db()
        approve, withdraw = results
        assert 500 not in (approve[0], withdraw[0]), results
        if instance.status == Status.ARCHIVED:
            assert (approve[0], withdraw[0]) == (302, 400)
            assert "流程已归档，不能撤回" in withdraw[1]
        else:
            assert instance.status == Status.WITHDRAWN
            assert (approve[0], withdraw[0]) == (409, 302)
            assert "已处理" in approve[1]
