"""Writes of reconciliation (DESIGN §5.1): the customer's figures on a bill, and the reconciliation
process's effects (hooks.PROCESSES["reconciliation"]).

The bills move 未对账 → 对账中 on submit, back on reject or withdraw, and → 已对账 on archive, always
through billing.services.bill_transition. On archive a bill keeps our figures in our_count/our_amount and
carries the agreed ones in count/amount: invoices and write-offs read those.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus, CustomerCountSource
from sales_erp.billing.services import BillRefused, bill_transition
from sales_erp.org.models import User
from sales_erp.reconciliation.selectors import bill_our_figures
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance

CUSTOMER_COUNT_LOCKED = "{name} 已对账，客户数据不能再修改"
CUSTOMER_COUNT_NEGATIVE = "{name}：客户数据须是不小于 0 的整数，「{count}」不行"
BILL_NOT_OURS = "账单 {name} 不是本流程客户的账单"
BILL_NOT_HELD = "{name} 当前为{status}，不在本对账流程中，不能归档"


class ReconciliationRefused(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@transaction.atomic
def bill_customer_count_enter(
    *, bill: Bill, count: int | None, user: User | None, source: str = CustomerCountSource.DESK
) -> Bill:
    """客户数据: the customer's own count of a bill, typed by sales on the reconciliation page or by the
    customer in the portal (source=portal); records who and when. None clears it. Refused once reconciled."""
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status == BillStatus.RECONCILED:
        raise ReconciliationRefused(CUSTOMER_COUNT_LOCKED.format(name=bill.name), code="recon.customer_count_locked")
    if count is not None and count < 0:
        raise ReconciliationRefused(
            CUSTOMER_COUNT_NEGATIVE.format(name=bill.name, count=count), code="recon.customer_count_invalid"
        )
    if count == bill.customer_count:
        return bill
    bill.customer_count = count
    bill.customer_count_source = CustomerCountSource(source) if count is not None else ""
    bill.customer_count_by = user if count is not None else None
    bill.customer_count_at = timezone.now() if count is not None else None
    bill._history_user = user  # type: ignore[attr-defined]
    bill.save(update_fields=["customer_count", "customer_count_source", "customer_count_by", "customer_count_at"])
    return bill


def instance_lines(instance: ProcessInstance) -> list[dict[str, Any]]:
    return list(instance.form_data.get("lines") or [])


def transition(bill: Bill, to: str, user: User | None) -> Bill:
    try:
        return bill_transition(bill=bill, to=to, user=user)
    except BillRefused as refusal:
        raise ProcessRefused(refusal.message) from None


def reconciliation_submit(*, instance: ProcessInstance) -> None:
    """on_submit (and every resubmit): the ticked bills go 对账中 under this instance; the customer's
    figures typed on the page are recorded as the initiator's."""
    for line in instance_lines(instance):
        bill = Bill.objects.select_for_update().get(pk=line["bill"])
        if bill.customer_id != instance.customer_id:
            raise ProcessRefused(BILL_NOT_OURS.format(name=bill.name))
        bill = transition(bill, BillStatus.RECONCILING, instance.initiator)
        bill.reconciliation = instance
        bill.save(update_fields=["reconciliation"])
        if line.get("customer_count") is not None:
            try:
                bill_customer_count_enter(bill=bill, count=int(line["customer_count"]), user=instance.initiator)
            except ReconciliationRefused as refusal:
                raise ProcessRefused(refusal.message) from None


def bills_release(instance: ProcessInstance) -> None:
    for bill in Bill.objects.filter(reconciliation=instance, status=BillStatus.RECONCILING).order_by("pk"):
        bill = transition(bill, BillStatus.ISSUED, None)
        bill.reconciliation = None
        bill.save(update_fields=["reconciliation"])


def reconciliation_reject(*, instance: ProcessInstance) -> None:
    """on_reject: the bills go back to 未对账 (a resubmit takes them again)."""
    bills_release(instance)


def reconciliation_withdraw(*, instance: ProcessInstance) -> None:
    """on_withdraw: the bills go back to 未对账."""
    bills_release(instance)


def reconciliation_archive(*, instance: ProcessInstance) -> None:
    """on_archive: each bill carries the agreed figures (amount = agreed count × unit price, half-up to
    the cent; our amount when the count is ours) and is 已对账; our figures stay in our_count/our_amount."""
    now = timezone.now()
    for line in instance_lines(instance):
        bill = Bill.objects.select_for_update().get(pk=line["bill"])
        if bill.status != BillStatus.RECONCILING or bill.reconciliation_id != instance.pk:
            raise ProcessRefused(BILL_NOT_HELD.format(name=bill.name, status=bill.get_status_display()))
        ours = bill_our_figures(bill)
        agreed = int(line["agreed_count"])
        bill = transition(bill, BillStatus.RECONCILED, None)
        bill.our_count, bill.our_amount = ours.count, ours.amount
        bill.count, bill.amount = agreed, ours.amount_of(agreed)
        bill.reconciled_at = now
        bill.save(update_fields=["our_count", "our_amount", "count", "amount", "reconciled_at"])
