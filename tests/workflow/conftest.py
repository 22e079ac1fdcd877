"""The generic test process `expense`: a form, effects that record their calls, and a definition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sales_erp import hooks
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessDefinition, ProcessNode
from tests.factories import UserFactory, sales_team
from tests.workflow import process

PATH = "tests.workflow.process"
EXPENSE_HOOKS = hooks.ProcessHooks(
    form=f"{PATH}.ExpenseForm",
    on_submit=f"{PATH}.on_submit",
    on_archive=f"{PATH}.on_archive",
    on_reject=f"{PATH}.on_reject",
    on_withdraw=f"{PATH}.on_withdraw",
)


@pytest.fixture
def expense_hooks(monkeypatch):
    process.CALLS.clear()
    process.REFUSE.clear()
    monkeypatch.setitem(hooks.PROCESSES, "expense", EXPENSE_HOOKS)


def node(definition: ProcessDefinition, position: int, name: str, **kw: Any) -> ProcessNode:
    users = kw.pop("users", [])
    n = ProcessNode.objects.create(definition=definition, position=position, name=name, **kw)
    n.approver_users.set(users)
    return n


@pytest.fixture
def people(db) -> dict[str, User]:
    team = sales_team()
    team["finance"] = UserFactory.create(username="t_fin1", roles=[Role.FINANCE])
    team["finance2"] = UserFactory.create(username="t_fin2", roles=[Role.FINANCE])
    team["admin_sales"] = UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    team["outsider"] = UserFactory.create(username="t_outsider", roles=[Role.SALES])
    team["legal"] = UserFactory.create(username="t_legal", roles=[Role.LEGAL])
    team["admin"] = UserFactory.create(username="t_admin", roles=[Role.ADMIN], is_superuser=True)
    return team


@pytest.fixture
def expense(expense_hooks, people) -> ProcessDefinition:
    """部门领导 (superior) → 财务 (或签 over two finance users) → 销管."""
    definition = ProcessDefinition.objects.create(code="expense", name="费用报销流程")
    node(definition, 1, "部门领导", approver_superior=True)
    node(definition, 2, "财务", approver_roles=[Role.FINANCE])
    node(definition, 3, "销管", approver_roles=[Role.SALES_ADMIN])
    return definition


@pytest.fixture
def make_definition(expense_hooks) -> Callable[..., ProcessDefinition]:
    def make(*nodes: dict[str, Any], code: str = "expense") -> ProcessDefinition:
        definition = ProcessDefinition.objects.create(code=code, name="费用报销流程")
        for position, spec in enumerate(nodes, start=1):
            node(definition, position, **spec)
        return definition

    return make
