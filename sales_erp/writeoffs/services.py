"""Writes of write-offs (DESIGN §5.4): reserve on start, post on archive, release on reject/withdraw,
reverse by finance; the automatic write-off of a matched deposit; the manual write-off.

Money moves only here, always under row locks on the deposits and bills involved (deposits first, then
bills, each in primary-key order, so two write-offs never deadlock), and never below zero.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer, Settlement
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.org.models import User
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance
from sales_erp.writeoffs.models import WRITE_OFF_TRANSITIONS, Allocation, WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import ZERO, bills_open_for_customer

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # 14 digits, 2 of them places (WriteOffAllocation.amount)
AUTO_NOTE = "自动销账流程"

# Refusals: each names the row and the figure to fix.
NOTHING_CHOSEN = "请至少选择一张账单和一笔到款，并填写本次销账金额"
AMOUNT_INVALID = "{what}的销账金额「{value}」须是大于 0、最多 2 位小数的金额"
BILL_NOT_OPEN = "账单 {bill} 不是该客户已对账且未销完的账单，请刷新页面后重新选择"
DEPOSIT_NOT_AVAILABLE = "到款 {deposit} 不是该客户有余额的到款，请刷新页面后重新选择"
BILL_OVER_OPEN = "账单「{bill}」本次销账 {amount} 元超过其未销金额 {open} 元"
DEPOSIT_OVER_AVAILABLE = "到款「{deposit}」本次销账 {amount} 元超过其余额 {available} 元"
TOTALS_DIFFER = "账单销账合计 {bills} 元与到款销账合计 {deposits} 元不相等，请调整到相等"
TOTAL_WRONG = "销账合计 {total} 元与明细合计 {sum} 元不一致"
AUTO_ONLY_BY_SYSTEM = "自动销账 = 1 只能由系统发起，手工销账请保持为 0"
BAD_TRANSITION = "销账状态为「{old}」，不能改为「{new}」"
REVERSAL_REASON_REQUIRED = "请填写冲销原因"
DUPLICATE_ROW = "{what} {pk} 重复选择了，请每行只填一次"


def today() -> date:
    """The business date of a posting or reversal (one place, so tests can set the day)."""
    return timezone.localdate()


class WriteOffRefused(Exception):
    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def money(value: Any, *, what: str) -> Decimal:
    """A positive amount with at most 2 places, or WriteOffRefused naming the row and the value."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise WriteOffRefused(AMOUNT_INVALID.format(what=what, value=value), code="amount_invalid") from None
    # The size first: quantize raises on a figure longer than the context's precision (1e30).
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT or amount != amount.quantize(CENT):
        raise WriteOffRefused(AMOUNT_INVALID.format(what=what, value=value), code="amount_invalid")
    return amount.quantize(CENT)


def fmt(amount: Decimal) -> str:
    return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")


@dataclass
class Plan:
    """A checked allocation: the bills and deposits with their figures, and how they pair up."""

    customer: Customer
    bills: list[tuple[Bill, Decimal, Decimal]]  # bill, open before, this time
    deposits: list[tuple[Deposit, Decimal]]  # deposit (available before), this time
    pairs: list[tuple[Bill, Deposit, Decimal]]
    total: Decimal


def rows_parse(rows: Any, *, key: str, what: str) -> list[tuple[int, Decimal]]:
    parsed: list[tuple[int, Decimal]] = []
    seen: set[int] = set()
    for row in rows or []:
        if not isinstance(row, dict) or not str(row.get(key, "")).isdigit():
            raise WriteOffRefused(NOTHING_CHOSEN, code="nothing_chosen")
        pk = int(row[key])
        if pk in seen:
            raise WriteOffRefused(DUPLICATE_ROW.format(what=what, pk=pk), code="duplicate")
        seen.add(pk)
        parsed.append((pk, money(row.get("write_off"), what=f"{what} {pk} ")))
    return parsed


def allocation_plan(
    *, customer: Customer, bills: Sequence[tuple[int, Decimal]], deposits: Sequence[tuple[int, Decimal]], lock: bool
) -> Plan:
    """Check every limit of a write-off: each bill ≤ its open amount, each deposit ≤ its balance, equal totals.

    With lock=True (inside the reserving transaction) the deposit and bill rows are locked first, so the
    figures checked are the figures written.
    """
    if not bills or not deposits:
        raise WriteOffRefused(NOTHING_CHOSEN, code="nothing_chosen")
    bill_total = sum((a for _, a in bills), ZERO)
    deposit_total = sum((a for _, a in deposits), ZERO)
    if bill_total != deposit_total:
        raise WriteOffRefused(
            TOTALS_DIFFER.format(bills=fmt(bill_total), deposits=fmt(deposit_total)), code="totals_differ"
        )
    deposit_rows = Deposit.objects.filter(pk__in=[pk for pk, _ in deposits]).order_by("pk")
    bill_rows = Bill.objects.filter(pk__in=[pk for pk, _ in bills]).order_by("pk")
    if lock:
        deposit_rows = deposit_rows.select_for_update()
        bill_rows = bill_rows.select_for_update()
    found_deposits = {d.pk: d for d in deposit_rows}
    found_bills = {b.pk: b for b in bill_rows}
    reserved = {
        row["bill"]: row["total"]
        for row in Allocation.objects.filter(bill__in=list(found_bills), status=WriteOffStatus.RESERVED)
        .order_by()
        .values("bill")
        .annotate(total=Sum("amount"))
    }
    plan_bills: list[tuple[Bill, Decimal, Decimal]] = []
    for pk, amount in bills:
        bill = found_bills.get(pk)
        if bill is None or bill.customer_id != customer.pk or bill.status != BillStatus.RECONCILED:
            raise WriteOffRefused(BILL_NOT_OPEN.format(bill=pk), code="bill_not_open")
        open_amount = bill.amount - bill.written_off_amount - reserved.get(pk, ZERO)
        if amount > open_amount:
            raise WriteOffRefused(
                BILL_OVER_OPEN.format(bill=bill.name, amount=fmt(amount), open=fmt(open_amount)), code="bill_over_open"
            )
        plan_bills.append((bill, open_amount, amount))
    plan_deposits: list[tuple[Deposit, Decimal]] = []
    for pk, amount in deposits:
        deposit = found_deposits.get(pk)
        if deposit is None or deposit.customer_id != customer.pk or deposit.status != DepositStatus.MATCHED:
            raise WriteOffRefused(DEPOSIT_NOT_AVAILABLE.format(deposit=pk), code="deposit_not_available")
        if amount > deposit.available:
            raise WriteOffRefused(
                DEPOSIT_OVER_AVAILABLE.format(
                    deposit=f"{deposit.received_on} {deposit.payer}",
                    amount=fmt(amount),
                    available=fmt(deposit.available),
                ),
                code="deposit_over_available",
            )
        plan_deposits.append((deposit, amount))
    return Plan(customer, plan_bills, plan_deposits, pairs_make(plan_bills, plan_deposits), bill_total)


def pairs_make(
    bills: list[tuple[Bill, Decimal, Decimal]], deposits: list[tuple[Deposit, Decimal]]
) -> list[tuple[Bill, Deposit, Decimal]]:
    """Pair bills and deposits in their order (oldest first): each bill takes from the deposits in turn."""
    pairs: list[tuple[Bill, Deposit, Decimal]] = []
    left = [amount for _, amount in deposits]
    i = 0
    for bill, _, need in bills:
        while need > 0:
            take = min(need, left[i])
            pairs.append((bill, deposits[i][0], take))
            need -= take
            left[i] -= take
            if left[i] == 0:
                i += 1
    return pairs


def form_data_make(
    *, bills: Sequence[tuple[int, Decimal]], deposits: Sequence[tuple[int, Decimal]], note: str, auto: bool
) -> dict[str, Any]:
    total = sum((a for _, a in bills), ZERO)
    return {
        "auto_write_off": "1" if auto else "0",
        "bills": [{"bill": pk, "write_off": fmt(a)} for pk, a in bills],
        "deposits": [{"deposit": pk, "write_off": fmt(a)} for pk, a in deposits],
        "total": fmt(total),
        "note": note,
    }


def instance_customer(instance: ProcessInstance) -> Customer:
    target = instance.target
    if isinstance(target, Customer):
        return target
    assert instance.customer is not None
    return instance.customer


def current_write_off(instance: ProcessInstance, status: str) -> WriteOff | None:
    return WriteOff.objects.select_for_update().filter(process=instance, status=status).order_by("-pk").first()


def write_off_transition(*, write_off: WriteOff, new: WriteOffStatus) -> None:
    """The one place a write-off and its allocations change status; a move not in the map is refused."""
    old = WriteOffStatus(write_off.status)
    if new not in WRITE_OFF_TRANSITIONS[old]:
        raise WriteOffRefused(BAD_TRANSITION.format(old=old.label, new=new.label), code="bad_transition")
    write_off.status = new
    write_off.allocations.update(status=new)


# ------------------------------------------------------------------------------------------ effects
def write_off_reserve(*, instance: ProcessInstance) -> None:
    """on_submit: reserve the allocations at once (deposits' balances and bills' open amounts drop)."""
    data = instance.form_data
    auto = str(data.get("auto_write_off", "")).strip() == "1"
    if auto and not instance.by_system:
        raise ProcessRefused(AUTO_ONLY_BY_SYSTEM)
    customer = instance_customer(instance)
    try:
        bills = rows_parse(data.get("bills"), key="bill", what="账单")
        deposits = rows_parse(data.get("deposits"), key="deposit", what="到款")
        plan = allocation_plan(customer=customer, bills=bills, deposits=deposits, lock=True)
    except WriteOffRefused as refusal:
        raise ProcessRefused(refusal.message, code=refusal.code) from None
    write_off = WriteOff.objects.create(
        process=instance,
        customer=customer,
        salesperson=instance.initiator,
        auto=auto,
        total=plan.total,
        note=str(data.get("note", ""))[:200],
    )
    Allocation.objects.bulk_create(
        Allocation(write_off=write_off, bill=bill, deposit=deposit, amount=amount)
        for bill, deposit, amount in plan.pairs
    )
    for deposit, amount in plan.deposits:
        Deposit.objects.filter(pk=deposit.pk).update(available=F("available") - amount)
    # The instance shows the tables as they were at submit (the manual's 账单信息 / 到款信息).
    data["bills"] = [
        {"bill": b.pk, "name": b.name, "amount": fmt(b.amount), "open": fmt(o), "write_off": fmt(a)}
        for b, o, a in plan.bills
    ]
    data["deposits"] = [
        {
            "deposit": d.pk,
            "received_on": d.received_on.isoformat(),
            "payer": d.payer,
            "amount": fmt(d.amount),
            "available": fmt(d.available),
            "write_off": fmt(a),
        }
        for d, a in plan.deposits
    ]
    data["total"] = fmt(plan.total)
    ProcessInstance.objects.filter(pk=instance.pk).update(form_data=data)


def write_off_post(*, instance: ProcessInstance) -> None:
    """on_archive: the reserved allocations become final; the bills' written-off amounts rise."""
    write_off = current_write_off(instance, WriteOffStatus.RESERVED)
    if write_off is None:
        return
    day = today()
    write_off_transition(write_off=write_off, new=WriteOffStatus.POSTED)
    write_off.posted_on, write_off.posted_month = day, day.replace(day=1)
    write_off.save(update_fields=["status", "posted_on", "posted_month"])
    write_off.allocations.update(posted_on=day)
    per_bill = write_off.allocations.values("bill").annotate(total=Sum("amount")).order_by("bill")
    for row in per_bill:
        Bill.objects.filter(pk=row["bill"]).update(written_off_amount=F("written_off_amount") + row["total"])


def write_off_release(*, instance: ProcessInstance) -> None:
    """on_reject / on_withdraw: give the reserved money back exactly."""
    write_off = current_write_off(instance, WriteOffStatus.RESERVED)
    if write_off is None:
        return
    deposits_restore(write_off)
    write_off_transition(write_off=write_off, new=WriteOffStatus.RELEASED)
    write_off.released_at = timezone.now()
    write_off.save(update_fields=["status", "released_at"])


def deposits_restore(write_off: WriteOff) -> None:
    per_deposit = write_off.allocations.values("deposit").annotate(total=Sum("amount")).order_by("deposit")
    rows = list(per_deposit)
    list(Deposit.objects.select_for_update().filter(pk__in=[r["deposit"] for r in rows]).order_by("pk"))
    for row in rows:
        Deposit.objects.filter(pk=row["deposit"]).update(available=F("available") + row["total"])


@transaction.atomic
def write_off_reverse(*, write_off: WriteOff, user: User, reason: str) -> WriteOff:
    """冲销: finance undoes a posted write-off; bills and deposits get back exactly what it took."""
    reason = reason.strip()
    if not reason:
        raise WriteOffRefused(REVERSAL_REASON_REQUIRED, code="reason_required")
    locked = WriteOff.objects.select_for_update().get(pk=write_off.pk)
    old = WriteOffStatus(locked.status)
    if WriteOffStatus.REVERSED not in WRITE_OFF_TRANSITIONS[old]:
        raise WriteOffRefused(
            BAD_TRANSITION.format(old=old.label, new=WriteOffStatus.REVERSED.label), code="bad_transition"
        )
    deposits_restore(locked)
    per_bill = list(locked.allocations.values("bill").annotate(total=Sum("amount")).order_by("bill"))
    list(Bill.objects.select_for_update().filter(pk__in=[r["bill"] for r in per_bill]).order_by("pk"))
    for row in per_bill:
        Bill.objects.filter(pk=row["bill"]).update(written_off_amount=F("written_off_amount") - row["total"])
    day = today()
    write_off_transition(write_off=locked, new=WriteOffStatus.REVERSED)
    locked.allocations.update(reversed_on=day)
    locked.reversed_at, locked.reversed_on, locked.reversed_by, locked.reversal_reason = (
        timezone.now(),
        day,
        user,
        reason[:500],
    )
    locked.save(update_fields=["status", "reversed_at", "reversed_on", "reversed_by", "reversal_reason"])
    return locked


# ------------------------------------------------------------------------------------------ starting
def write_off_start(
    *,
    user: User,
    customer: Customer,
    bills: Sequence[tuple[int, Decimal]],
    deposits: Sequence[tuple[int, Decimal]],
    note: str = "",
    remarks: str = "",
) -> ProcessInstance:
    """手工销账: start the write_off process with the chosen allocations (reserved at once)."""
    from sales_erp.workflow.services import instance_start

    try:
        allocation_plan(customer=customer, bills=bills, deposits=deposits, lock=False)
    except WriteOffRefused as refusal:
        raise ProcessRefused(refusal.message, code=refusal.code) from None
    return instance_start(
        code="write_off",
        initiator=user,
        form_data=form_data_make(bills=bills, deposits=deposits, note=note, auto=False),
        target=customer,
        remarks=remarks,
    )


def auto_allocation(*, deposit: Deposit, bills: Sequence[Bill]) -> list[tuple[int, Decimal]]:
    """DESIGN §5.4: oldest first, a bill only when the balance covers its whole open amount, stop at the
    first one it cannot cover. A prepaid bill is never covered by a deposit dated after the bill date
    (survey 2 #4 C); that stops the run too, so a newer bill is never written off before an older one."""
    remaining = deposit.available
    chosen: list[tuple[int, Decimal]] = []
    for bill in bills:
        open_amount: Decimal = bill.open_amount  # type: ignore[attr-defined]
        settlement = getattr(bill, "product_settlement", None) or bill.product.settlement
        if Settlement(settlement).is_prepaid and deposit.received_on > bill.bill_date:
            break
        if open_amount > remaining:
            break
        chosen.append((bill.pk, open_amount))
        remaining -= open_amount
    return chosen


def write_off_auto(*, deposit: Deposit) -> ProcessInstance | None:
    """hooks.DEPOSIT_MATCHED: write off what a matched deposit covers, as a write_off instance with
    自动销账 = 1 started by the system for the customer's salesperson, who only confirms."""
    from sales_erp.workflow.services import instance_start

    deposit = Deposit.objects.select_related("customer", "salesperson").get(pk=deposit.pk)
    customer = deposit.customer
    if customer is None or deposit.status != DepositStatus.MATCHED or deposit.available <= 0:
        return None
    salesperson = deposit.salesperson or customer.owner
    if salesperson is None or not salesperson.is_active:
        return None
    chosen = auto_allocation(deposit=deposit, bills=bills_open_for_customer(customer=customer))
    if not chosen:
        return None
    total = sum((a for _, a in chosen), ZERO)
    try:
        return instance_start(
            code="write_off",
            initiator=salesperson,
            form_data=form_data_make(bills=chosen, deposits=[(deposit.pk, total)], note=AUTO_NOTE, auto=True),
            target=customer,
            by_system=True,
        )
    except ProcessRefused as refusal:
        # The deposit keeps its balance as credit; the salesperson can write off by hand.
        log.warning("automatic write-off of deposit %s refused: %s", deposit.pk, refusal.message)
        return None
