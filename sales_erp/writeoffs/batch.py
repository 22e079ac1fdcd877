"""The automatic write-off of many matched deposits at once (a bank statement's import), set-based.

`services.write_off_auto` starts one instance per deposit through the engine's `instance_start`, about
20 queries each: fine for one deposit 销管 assigns, far too slow for a statement of 10,000. This does the
same work for a whole batch in a fixed number of statements: the deposits and the customers' open bills
are read (and locked) once, the plans computed in memory with the same rule (`services.auto_allocation`),
the instances started by the engine's batch path (`workflow.batch.BatchStart`), and the write-offs,
allocations and the deposits' new balances written with bulk statements (history rows included). A
deposit whose route the batch path does not take (every node passing, 抄送 at start) goes through
`write_off_auto`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from sales_erp import bulk
from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.org.models import User
from sales_erp.workflow.batch import BatchStart
from sales_erp.workflow.models import ProcessDefinition
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
    starter = BatchStart(definition)

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
    plans: list[dict[str, Any]] = []
    by_engine = 0
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
        start = starter.route(initiator=person, customer=customer, form_data=form_data)
        if starter.needs_engine(start):
            # the engine's own path (archives at once, or copies people in)
            by_engine += write_off_auto(deposit=deposit) is not None
            continue
        if not start.handlers:
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
        plans.append({"deposit": deposit, "person": person, "chosen": chosen, "total": total, "start": start})
    if not plans:
        return by_engine

    now = timezone.now()
    instance_ids = starter.start_all([p["start"] for p in plans], now=now)

    bulk.dicts_insert(
        WriteOff,
        [
            {
                "process_id": pk,
                "customer_id": p["start"].customer.pk,
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
        ["write_off_id", "bill_id", "deposit_id", "amount", "status"],  # not posted, not reversed: NULL
        [
            (write_off_of[instance], bill, p["deposit"].pk, str(amount), WriteOffStatus.RESERVED.value)
            for instance, p in zip(instance_ids, plans, strict=True)
            for bill, amount in p["chosen"]
        ],
    )
    bulk.rows_update(Deposit, "available", [(str(p["deposit"].available), p["deposit"].pk) for p in plans])
    bulk.history_copy(WriteOff, now, pks=[write_off_of[pk] for pk in instance_ids])
    bulk.history_copy(Deposit, now, pks=[p["deposit"].pk for p in plans], kind="~")
    return len(plans) + by_engine


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
