"""Many instances of one process started by the system at once, set-based (a bank statement's automatic
write-offs: 10,000 in one import).

`services.instance_start` takes about 20 queries an instance. This takes the same route for a whole batch
in a fixed number of statements (sales_erp/bulk.py): the instances, their numbers and history, the
timeline (系统发起, the nodes passed by condition), the waiting node's tasks and the handlers' (and their
delegates') messages — the texts the engine itself writes. Only the route `instance_start` would take
with nothing else to do: a start whose every node passes (the instance archives at once, effects run) or
a definition that copies people in at start is `needs_engine` — the caller starts it through the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.urls import reverse

from sales_erp import bulk
from sales_erp.customers.models import Customer
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.models import User
from sales_erp.workflow.conditions import condition_holds
from sales_erp.workflow.forms import process_form_class
from sales_erp.workflow.models import (
    Action,
    CcWhen,
    ProcessDefinition,
    ProcessInstance,
    ProcessTask,
    Status,
    TimelineEntry,
)
from sales_erp.workflow.services import (
    auto_pass_opinion,
    definition_snapshot,
    delegates_of,
    instance_number,
    instance_title,
    node_handlers,
    node_role_label,
    system_submit_opinion,
    task_notice,
)


@dataclass
class SystemStart:
    """One instance to start: for whom, about which customer, with what form, and its route."""

    initiator: User
    customer: Customer
    form_data: dict[str, Any]
    passed: list[dict[str, Any]]  # the nodes passed by their condition, in order
    stop: int | None  # the node that waits; None: every node passes
    handlers: list[User]  # who acts at `stop`


class BatchStart:
    """The starts of one process definition, as of now (its snapshot, as `instance_start` takes it)."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.snapshot = definition_snapshot(definition)
        self.nodes: list[dict[str, Any]] = self.snapshot["nodes"]
        self.labels = process_form_class(definition.code, self.snapshot["fields"]).field_labels()
        self._handlers: dict[tuple[int, int], list[User]] = {}
        self._recipients: dict[tuple[int, ...], list[User]] = {}

    def route(self, *, initiator: User, customer: Customer, form_data: dict[str, Any]) -> SystemStart:
        """The route instance_start would take for this form: nodes passed by condition, then the first
        that waits and its handlers (cached per node and initiator)."""
        passed: list[dict[str, Any]] = []
        for index, node in enumerate(self.nodes):
            if not condition_holds(node.get("condition", []), form_data):
                key = (index, initiator.pk)
                if key not in self._handlers:
                    self._handlers[key] = node_handlers(node, ProcessInstance(initiator=initiator))
                return SystemStart(initiator, customer, form_data, passed, index, self._handlers[key])
            passed.append(node)
        return SystemStart(initiator, customer, form_data, passed, None, [])

    def needs_engine(self, start: SystemStart) -> bool:
        """Whether this start needs `instance_start` (archives at once, or 抄送 at start)."""
        return start.stop is None or self.definition.cc_when in (CcWhen.START, CcWhen.BOTH)

    def start_all(self, starts: list[SystemStart], *, now: Any) -> list[int]:
        """Write the instances (each with a waiting node and handlers); their ids, in the order of `starts`."""
        definition, nodes = self.definition, self.nodes
        assert all(s.stop is not None and s.handlers for s in starts) and not any(map(self.needs_engine, starts))
        snapshot_field = ProcessInstance._meta.get_field("definition_snapshot")
        assert isinstance(snapshot_field, models.JSONField)
        snapshot_db = snapshot_field.get_db_prep_save(self.snapshot, connection)  # the same for all: once
        customer_type = ContentType.objects.get_for_model(Customer).pk
        titles = [instance_title(definition, s.customer, s.initiator) for s in starts]
        bulk.dicts_insert(
            ProcessInstance,
            [
                {
                    "code": definition.code,
                    "definition_id": definition.pk,
                    "definition_snapshot": snapshot_db,
                    "title": title,
                    "initiator_id": s.initiator.pk,
                    "target_type_id": customer_type,
                    "target_id": s.customer.pk,
                    "customer_id": s.customer.pk,
                    "form_data": s.form_data,
                    "status": Status.RUNNING.value,
                    "current_node": s.stop,
                    "current_node_name": nodes[s.stop]["name"],  # type: ignore[index]
                    "by_system": True,
                    "step": 1,
                    "created_at": now,
                    "submitted_at": now,
                    "updated_at": now,
                }
                for s, title in zip(starts, titles, strict=True)
            ],
            prepared={"definition_snapshot"},
        )
        # Ours are this process's instances submitted at this very instant and not yet numbered, in order.
        ids = list(
            ProcessInstance.objects.filter(code=definition.code, submitted_at=now, number__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        assert len(ids) == len(starts), f"{definition.code} instances written and read back differ"
        bulk.rows_update(ProcessInstance, "number", [(instance_number(pk), pk) for pk in ids])
        bulk.history_copy(ProcessInstance, now, pks=ids)
        self._timeline_tasks_messages(ids, starts, titles, now=now)
        return ids

    def _timeline_tasks_messages(
        self, ids: list[int], starts: list[SystemStart], titles: list[str], *, now: Any
    ) -> None:
        stamp = connection.ops.adapt_datetimefield_value(now)
        instance_type = ContentType.objects.get_for_model(ProcessInstance).pk
        link_of = reverse("workflow:instance", args=[987654321]).replace("987654321", "{pk}")
        passed_rows: dict[int, list[tuple[str, str, str]]] = {}
        timeline: list[tuple[Any, ...]] = []
        tasks: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        for pk, s, title in zip(ids, starts, titles, strict=True):
            stop: int = s.stop  # type: ignore[assignment]
            opinion = system_submit_opinion(s.initiator)
            timeline.append((pk, Action.SYSTEM_SUBMIT.value, "", "", opinion, stamp))
            if stop not in passed_rows:
                passed_rows[stop] = [
                    (node_role_label(node)[:50], node["name"][:50], auto_pass_opinion(node, self.labels))
                    for node in s.passed
                ]
            for role, node_name, opinion in passed_rows[stop]:
                timeline.append((pk, Action.AUTO_PASS.value, role, node_name, opinion, stamp))
            node_name = self.nodes[stop]["name"]
            tasks += [
                {
                    "instance_id": pk,
                    "node_index": stop,
                    "node_name": node_name,
                    "step": 1,
                    "assignee_id": user.pk,
                    "created_at": now,
                }
                for user in s.handlers
            ]
            notice_title, notice_body = task_notice(title, self.definition.name, node_name)
            messages += [
                {
                    "recipient_id": user.pk,
                    "kind": MessageKind.TASK.value,
                    "title": notice_title[:200],
                    "body": notice_body,
                    "link": link_of.format(pk=pk),
                    "target_type_id": instance_type,
                    "target_id": pk,
                    "created_at": now,
                }
                for user in self.recipients(s.handlers)
            ]
        bulk.rows_insert(
            TimelineEntry,
            ["instance_id", "action", "role", "node_name", "opinion", "created_at"],  # no actor: the system
            timeline,
        )
        bulk.dicts_insert(ProcessTask, tasks)
        bulk.dicts_insert(Message, messages)

    def recipients(self, handlers: list[User]) -> list[User]:
        """The handlers and their delegates, each once (as `notify` sends)."""
        key = tuple(u.pk for u in handlers)
        if key not in self._recipients:
            self._recipients[key] = list({u.pk: u for u in [*handlers, *delegates_of(handlers)]}.values())
        return self._recipients[key]
