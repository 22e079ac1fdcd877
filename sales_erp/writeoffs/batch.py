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

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.models import User
from sales_erp.workflow.conditions import condition_describe, condition_holds
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
from sales_erp.workflow.services import definition_snapshot, delegates_of, node_handlers, node_role_label
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import ZERO
from sales_erp.writeoffs.services import AUTO_NOTE, auto_allocation, fmt, form_data_make, write_off_auto

CHUNK = 500


def chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


@transaction.atomic
def write_off_auto_many(*, deposits: Sequence[Deposit]) -> int:
    """hooks.DEPOSIT_MATCHED for a batch: write off what each matched deposit covers. Returns how many
    write_off instances were started."""
    ids = sorted({d.pk for d in deposits})
    locked: list[Deposit] = []
    for part in chunks(ids):
        locked += list(
            Deposit.objects.select_for_update()
            .filter(pk__in=part, status=DepositStatus.MATCHED, available__gt=0, customer__isnull=False)
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
    for part in chunks(customer_ids):
        customers.update(Customer.objects.in_bulk(part))
    bills_by_customer: dict[int, list[OpenBill]] = defaultdict(list)
    for part in chunks(customer_ids):
        rows = [
            OpenBill(*row)
            for row in Bill.objects.select_for_update()
            .filter(customer__in=part, status=BillStatus.RECONCILED, written_off_amount__lt=F("amount"))
            .order_by("bill_date", "period", "pk")
            .values_list(
                "pk", "customer_id", "name", "amount", "written_off_amount", "bill_date", "product__settlement"
            )
        ]
        bills_by_customer_fill(bills_by_customer, rows)

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
        probe = ProcessInstance(initiator=person)
        key = (stop, person.pk)
        if key not in handlers_cache:
            handlers_cache[key] = node_handlers(nodes[stop], probe)
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

    instances = [
        ProcessInstance(
            code="write_off",
            definition=definition,
            definition_snapshot=snapshot,
            title=f"{definition.name}（{p['customer']}）"[:200],
            initiator=p["person"],
            target_type=customer_type,
            target_id=p["customer"].pk,
            customer=p["customer"],
            form_data=p["form_data"],
            status=Status.RUNNING,
            current_node=p["stop"],
            current_node_name=nodes[p["stop"]]["name"],
            by_system=True,
            step=1,
            submitted_at=now,
        )
        for p in plans
    ]
    instances = ProcessInstance.objects.bulk_create(instances, batch_size=CHUNK)
    if instances[0].pk is None:  # a backend that does not return ids from a bulk insert
        instances = list(ProcessInstance.objects.filter(code="write_off", submitted_at=now).order_by("pk"))
    year = f"{timezone.localdate():%Y}"
    for instance in instances:
        instance.number = f"LC-{year}-{instance.pk:06d}"
    rows_update(ProcessInstance, "number", [(i.number, i.pk) for i in instances])
    history_insert(ProcessInstance, instances, now)

    timeline, tasks, messages = [], [], []
    for instance, p in zip(instances, plans, strict=True):
        timeline.append(
            TimelineEntry(
                instance=instance, action=Action.SYSTEM_SUBMIT, actor=None, opinion=f"系统为 {p['person']} 自动发起。"
            )
        )
        for node in p["passed"]:
            timeline.append(
                TimelineEntry(
                    instance=instance,
                    action=Action.AUTO_PASS,
                    actor=None,
                    role=node_role_label(node)[:50],
                    node_name=node["name"][:50],
                    opinion=f"满足条件: {condition_describe(node['condition'], labels)}，系统自动通过",
                )
            )
        node_name = nodes[p["stop"]]["name"]
        for user in p["handlers"]:
            tasks.append(
                ProcessTask(instance=instance, node_index=p["stop"], node_name=node_name, step=1, assignee=user)
            )
        link = reverse("workflow:instance", args=[instance.pk])
        key = tuple(u.pk for u in p["handlers"])
        if key not in recipients_cache:
            found = {u.pk: u for u in [*p["handlers"], *delegates_of(p["handlers"])]}
            recipients_cache[key] = list(found.values())
        for user in recipients_cache[key]:
            messages.append(
                Message(
                    recipient=user,
                    kind=MessageKind.TASK,
                    title=f"待办：{instance.title}"[:200],
                    body=f"{definition.name}「{node_name}」节点等待您处理。",
                    link=link,
                    target_type=instance_type,
                    target_id=instance.pk,
                )
            )
    rows_insert(
        TimelineEntry,
        ["instance_id", "action", "actor_id", "on_behalf_of_id", "role", "node_name", "opinion", "created_at"],
        [(t.instance.pk, t.action, None, None, t.role, t.node_name, t.opinion, stamp) for t in timeline],
    )
    ProcessTask.objects.bulk_create(tasks, batch_size=CHUNK)
    Message.objects.bulk_create(messages, batch_size=CHUNK)

    write_offs = WriteOff.objects.bulk_create(
        [
            WriteOff(
                process=instance,
                customer=p["customer"],
                salesperson=p["person"],
                auto=True,
                total=p["total"],
                note=AUTO_NOTE,
            )
            for instance, p in zip(instances, plans, strict=True)
        ],
        batch_size=CHUNK,
    )
    if write_offs[0].pk is None:
        by_process = {w.process_id: w for w in WriteOff.objects.filter(process__in=instances)}
        write_offs = [by_process[i.pk] for i in instances]
    rows_insert(
        Allocation,
        ["write_off_id", "bill_id", "deposit_id", "amount", "status", "posted_on", "reversed_on"],
        [
            (write_off.pk, pk, p["deposit"].pk, amount, WriteOffStatus.RESERVED.value, None, None)
            for write_off, p in zip(write_offs, plans, strict=True)
            for pk, amount in p["chosen"]
        ],
    )
    rows_update(Deposit, "available", [(p["deposit"].available, p["deposit"].pk) for p in plans])
    history_insert(WriteOff, write_offs, now)
    history_insert(Deposit, [p["deposit"] for p in plans], now, kind="~")
    return len(plans)


def rows_insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERTs with executemany for the many small rows of a batch (timeline, allocations): the
    ORM's per-object work would cost several times the database's (NOTES: SQLite floor)."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def history_insert(model: type[models.Model], objs: Sequence[models.Model], now: Any, *, kind: str = "+") -> None:
    """django-simple-history rows for objects written in bulk, as plain INSERTs (its bulk_history_create
    builds a model instance per row, the slowest part of a batch)."""
    history = model.history.model  # type: ignore[attr-defined]
    fields = [f for f in history._meta.local_concrete_fields if f.name != "history_id"]
    special = {
        "history_date": connection.ops.adapt_datetimefield_value(now),
        "history_change_reason": None,
        "history_type": kind,
        "history_user_id": None,
    }
    plain = [f for f in fields if f.attname not in special]
    columns = [f.column for f in plain] + list(special)
    rows = [
        tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in plain) + tuple(special.values())
        for obj in objs
    ]
    rows_insert(history, columns, rows)


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


def rows_update(model: type[models.Model], column: str, rows: list[tuple[Any, int]]) -> None:
    """One column of many rows by primary key, with executemany (bulk_update's CASE is far slower)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    sql = f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def bills_by_customer_fill(target: dict[int, list[OpenBill]], rows: list[OpenBill]) -> None:
    """Each bill with its open amount (amount − written off − reserved), grouped by customer, oldest first."""
    reserved: dict[int, Decimal] = {}
    ids = [b.pk for b in rows]
    for part in chunks(ids):
        for row in (
            Allocation.objects.filter(bill__in=part, status="reserved")
            .order_by()
            .values("bill")
            .annotate(total=Sum("amount"))
        ):
            reserved[row["bill"]] = row["total"]
    for bill in rows:
        bill.open_amount = bill.amount - bill.written_off_amount - reserved.get(bill.pk, ZERO)
        target[bill.customer_id].append(bill)
