"""The automatic write-off of many matched deposits at once (a bank statement's import), set-based.

`services.write_off_auto` starts one instance per deposit through the engine's `instance_start`, about
20 queries each: fine for one deposit 销管 assigns, far too slow for a statement of 10,000. This does the
same work for a whole batch in a fixed number of statements: the deposits and the customers' open bills
are read (and locked) once, the plans computed in memory with the same rule (`services.auto_allocation`),
and the instances, their timeline (系统发起, the auto-passed nodes), tasks and messages, the write-offs,
allocations and the deposits' new balances written with bulk statements (history rows included).

It follows the instance's definition exactly as `instance_start` would (snapshot, conditions, handlers
of the first node that does not auto-pass). A deposit whose route would need anything this path does
not do — archiving at once (every node auto-passing), 抄送 at start — goes through `write_off_auto`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone

from sales_erp import bulk
from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.deposits.models import Deposit, DepositStatus
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
    node_handlers,
    node_role_label,
    system_submit_opinion,
    task_notice,
)
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import ZERO
from sales_erp.writeoffs.services import AUTO_NOTE, auto_allocation, fmt, form_data_make, write_off_auto

# What the plan reads of a deposit (auto_allocation, the form's deposits table): model instances by the
# ten thousand cost more than their reading.
DEPOSIT_FIELDS = ("pk", "received_on", "payer", "amount", "available", "status", "customer", "salesperson")


@transaction.atomic
def write_off_auto_many(*, deposits: Sequence[Deposit]) -> int:
    """hooks.DEPOSIT_MATCHED for a batch: write off what each matched deposit covers. Returns how many
    write_off instances were started."""
    ids = sorted({d.pk for d in deposits})
    locked: list[Deposit] = []
    for lookup in bulk.id_lookups("pk", ids):
        locked += list(
            Deposit.objects.select_for_update()
            .filter(**lookup, status=DepositStatus.MATCHED, available__gt=0, customer__isnull=False)
            .only(*DEPOSIT_FIELDS)
            .order_by("pk")
        )
    if not locked:
        return 0
    definition = ProcessDefinition.objects.filter(code="write_off", is_active=True).first()
    if definition is None:
        return 0
    snapshot = definition_snapshot(definition)
    nodes = snapshot["nodes"]
    labels = process_form_class("write_off", snapshot["fields"]).field_labels()
    cc_at_start = definition.cc_when in (CcWhen.START, CcWhen.BOTH)

    customer_ids = sorted({d.customer_id for d in locked if d.customer_id})
    customers: dict[int, Customer] = {}
    for lookup in bulk.id_lookups("pk", customer_ids):
        customers.update((c.pk, c) for c in Customer.objects.filter(**lookup).only("pk", "name", "owner"))
    bills_by_customer: dict[int, list[OpenBill]] = defaultdict(list)
    for lookup in bulk.id_lookups("customer", customer_ids):
        rows = [
            OpenBill(*row)
            for row in Bill.objects.select_for_update()
            .filter(**lookup, status=BillStatus.RECONCILED, written_off_amount__lt=F("amount"))
            .order_by("bill_date", "period", "pk")
            .values_list(
                "pk", "customer_id", "name", "amount", "written_off_amount", "bill_date", "product__settlement"
            )
        ]
        bills_by_customer_fill(bills_by_customer, rows, customers=lookup)

    people: dict[int, User] = {}
    person_ids = {d.salesperson_id or customers[d.customer_id].owner_id for d in locked}  # type: ignore[index]
    people.update(User.objects.in_bulk([p for p in person_ids if p]))
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    customer_type = ContentType.objects.get_for_model(Customer)
    handlers_cache: dict[tuple[int, int], list[User]] = {}
    recipients_cache: dict[tuple[int, ...], list[User]] = {}
    instance_type = ContentType.objects.get_for_model(ProcessInstance)

    plans: list[dict[str, Any]] = []
    for deposit in locked:
        customer = customers[deposit.customer_id]  # type: ignore[index]
        person = people.get(deposit.salesperson_id or customer.owner_id or 0)
        if person is None or not person.is_active:
            continue
        open_bills = [b for b in bills_by_customer.get(customer.pk, []) if b.open_amount > 0]
        chosen = auto_allocation(deposit=deposit, bills=open_bills)  # type: ignore[arg-type]
        if not chosen:
            continue
        total = sum((a for _, a in chosen), ZERO)
        form_data = form_data_make(bills=chosen, deposits=[(deposit.pk, total)], note=AUTO_NOTE, auto=True)
        passed, stop = [], None
        for index, node in enumerate(nodes):
            if condition_holds(node.get("condition", []), form_data):
                passed.append(node)
            else:
                stop = index
                break
        if stop is None or cc_at_start:
            write_off_auto(deposit=deposit)  # the engine's own path (archives at once, or copies people in)
            continue
        key = (stop, person.pk)
        if key not in handlers_cache:
            handlers_cache[key] = node_handlers(nodes[stop], ProcessInstance(initiator=person))
        handlers = handlers_cache[key]
        if not handlers:
            continue  # no one to confirm: the deposit keeps its balance (as instance_start would refuse)
        by_pk = {b.pk: b for b in open_bills}
        for pk, amount in chosen:
            by_pk[pk].open_amount -= amount
        form_data["bills"] = [
            {
                "bill": pk,
                "name": by_pk[pk].name,
                "amount": fmt(by_pk[pk].amount),
                "open": fmt(amount),
                "write_off": fmt(amount),
            }
            for pk, amount in chosen
        ]
        form_data["deposits"] = [
            {
                "deposit": deposit.pk,
                "received_on": deposit.received_on.isoformat(),
                "payer": deposit.payer,
                "amount": fmt(deposit.amount),
                "available": fmt(deposit.available),
                "write_off": fmt(total),
            }
        ]
        deposit.available -= total
        plans.append(
            {
                "deposit": deposit,
                "customer": customer,
                "person": person,
                "chosen": chosen,
                "total": total,
                "form_data": form_data,
                "passed": passed,
                "stop": stop,
                "handlers": handlers,
            }
        )
    if not plans:
        return 0

    snapshot_field = ProcessInstance._meta.get_field("definition_snapshot")
    assert isinstance(snapshot_field, models.JSONField)
    snapshot_db = snapshot_field.get_db_prep_save(snapshot, connection)  # the same for every instance: once
    customer_type_id, instance_type_id = customer_type.pk, instance_type.pk
    bulk.dicts_insert(
        ProcessInstance,
        [
            {
                "code": "write_off",
                "definition_id": definition.pk,
                "definition_snapshot": snapshot_db,
                "title": f"{definition.name}（{p['customer']}）"[:200],
                "initiator_id": p["person"].pk,
                "target_type_id": customer_type_id,
                "target_id": p["customer"].pk,
                "customer_id": p["customer"].pk,
                "form_data": p["form_data"],
                "status": Status.RUNNING.value,
                "current_node": p["stop"],
                "current_node_name": nodes[p["stop"]]["name"],
                "by_system": True,
                "step": 1,
                "created_at": now,
                "submitted_at": now,
                "updated_at": now,
            }
            for p in plans
        ],
        prepared={"definition_snapshot"},
    )
    # Ours are the write_off instances submitted at this very instant, in insertion order.
    instance_ids = list(
        ProcessInstance.objects.filter(code="write_off", submitted_at=now, number__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(instance_ids) == len(plans), "write_off instances written and read back differ"
    bulk.rows_update(ProcessInstance, "number", [(instance_number(pk), pk) for pk in instance_ids])
    bulk.history_copy(ProcessInstance, now, pks=instance_ids)

    timeline: list[tuple[Any, ...]] = []
    tasks: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    link_of = reverse("workflow:instance", args=[987654321]).replace("987654321", "{pk}")
    passed_texts: dict[int, list[tuple[str, str, str]]] = {}
    for pk, p in zip(instance_ids, plans, strict=True):
        title = f"{definition.name}（{p['customer']}）"[:200]
        timeline.append((pk, Action.SYSTEM_SUBMIT.value, None, None, "", "", system_submit_opinion(p["person"]), stamp))
        stop = p["stop"]
        if stop not in passed_texts:
            passed_texts[stop] = [
                (
                    node_role_label(node)[:50],
                    node["name"][:50],
                    auto_pass_opinion(node, labels),
                )
                for node in p["passed"]
            ]
        for role, node_name_, opinion in passed_texts[stop]:
            timeline.append((pk, Action.AUTO_PASS.value, None, None, role, node_name_, opinion, stamp))
        node_name = nodes[stop]["name"]
        for user in p["handlers"]:
            tasks.append(
                {
                    "instance_id": pk,
                    "node_index": stop,
                    "node_name": node_name,
                    "step": 1,
                    "assignee_id": user.pk,
                    "created_at": now,
                }
            )
        link = link_of.format(pk=pk)
        notice_title, notice_body = task_notice(title, definition.name, node_name)
        key = tuple(u.pk for u in p["handlers"])
        if key not in recipients_cache:
            found = {u.pk: u for u in [*p["handlers"], *delegates_of(p["handlers"])]}
            recipients_cache[key] = list(found.values())
        for user in recipients_cache[key]:
            messages.append(
                {
                    "recipient_id": user.pk,
                    "kind": MessageKind.TASK.value,
                    "title": notice_title[:200],
                    "body": notice_body,
                    "link": link,
                    "target_type_id": instance_type_id,
                    "target_id": pk,
                    "created_at": now,
                }
            )
    bulk.rows_insert(
        TimelineEntry,
        ["instance_id", "action", "actor_id", "on_behalf_of_id", "role", "node_name", "opinion", "created_at"],
        timeline,
    )
    bulk.dicts_insert(ProcessTask, tasks)
    bulk.dicts_insert(Message, messages)

    bulk.dicts_insert(
        WriteOff,
        [
            {
                "process_id": pk,
                "customer_id": p["customer"].pk,
                "salesperson_id": p["person"].pk,
                "auto": True,
                "total": p["total"],
                "note": AUTO_NOTE,
                "created_at": now,
            }
            for pk, p in zip(instance_ids, plans, strict=True)
        ],
    )
    write_off_of: dict[int, int] = {}
    for lookup in bulk.id_lookups("process", instance_ids):
        write_off_of.update(
            (process, pk) for pk, process in WriteOff.objects.filter(**lookup).values_list("pk", "process_id")
        )
    bulk.rows_insert(
        Allocation,
        ["write_off_id", "bill_id", "deposit_id", "amount", "status", "posted_on", "reversed_on"],
        [
            (write_off_of[instance], bill, p["deposit"].pk, str(amount), WriteOffStatus.RESERVED.value, None, None)
            for instance, p in zip(instance_ids, plans, strict=True)
            for bill, amount in p["chosen"]
        ],
    )
    bulk.rows_update(Deposit, "available", [(str(p["deposit"].available), p["deposit"].pk) for p in plans])
    bulk.history_copy(WriteOff, now, pks=[write_off_of[pk] for pk in instance_ids])
    bulk.history_copy(Deposit, now, pks=[p["deposit"].pk for p in plans], kind="~")
    return len(plans)


class OpenBill:
    """What the plan needs of an open bill, without a model instance per row (100,000 of them)."""

    __slots__ = (
        "pk",
        "customer_id",
        "name",
        "amount",
        "written_off_amount",
        "bill_date",
        "product_settlement",
        "open_amount",
    )

    def __init__(
        self,
        pk: int,
        customer_id: int,
        name: str,
        amount: Decimal,
        written_off_amount: Decimal,
        bill_date: Any,
        product_settlement: str,
    ) -> None:
        self.pk, self.customer_id, self.name, self.amount = pk, customer_id, name, amount
        self.written_off_amount, self.bill_date = written_off_amount, bill_date
        self.product_settlement = product_settlement
        self.open_amount = amount


def bills_by_customer_fill(
    target: dict[int, list[OpenBill]], rows: list[OpenBill], *, customers: dict[str, Any]
) -> None:
    """Each bill with its open amount (amount − written off − reserved), grouped by customer, oldest first.
    `customers` selects the customers (on customer) whose bills `rows` are."""
    reserved: dict[int, Decimal] = {}
    lookup = {f"bill__{key}": value for key, value in customers.items()}
    for row in (
        Allocation.objects.filter(**lookup, status="reserved").order_by().values("bill").annotate(total=Sum("amount"))
    ):
        reserved[row["bill"]] = row["total"]
    for bill in rows:
        bill.open_amount = bill.amount - bill.written_off_amount - reserved.get(bill.pk, ZERO)
        target[bill.customer_id].append(bill)
