"""Writes on invoices: the effects of bill_invoice and free_invoice (hooks.PROCESSES).

bill_invoice: on submit the amounts per bill are reserved under the bills' row locks (so a second process
started at the same moment sees the first one's reservation and is refused); on archive the invoice is
issued, the bills' 已开票金额 rise and the reservation goes; on reject or withdraw the reservation goes.
free_invoice: on submit 备注 must say why (manual 3.3); on archive the invoice is issued with no bills.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sales_erp.billing.models import Bill
from sales_erp.customers.models import Customer, InvoiceKind, InvoiceTitle
from sales_erp.customers.services import INVOICE_TITLE_INCOMPLETE, invoice_title_missing_fields
from sales_erp.invoicing.forms import BILL_OVER, BILL_REPEATED, BILL_TOTAL_MISMATCH, money_sum
from sales_erp.invoicing.models import Invoice, InvoiceBill, InvoiceReservation, InvoiceSource
from sales_erp.invoicing.selectors import INVOICEABLE_STATUSES, reserved_by_bill
from sales_erp.org.models import InvoicingEntity
from sales_erp.pricing.money import to_cents
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance

REMARKS_REQUIRED = "无账单开票须在备注中说明情况（客户已付款、尚无账单的原因等），请填写备注"
BILL_GONE = "账单「{bill}」已不能开票（须为该客户已对账的账单）"
TITLE_GONE = "客户开票信息已被删除，请重新选择"
ENTITY_GONE = "我司开票信息已停用或被删除，请重新选择"


def _lines(instance: ProcessInstance) -> list[tuple[int, Decimal]]:
    lines = [(int(line["bill"]), Decimal(str(line["amount"]))) for line in instance.form_data.get("bill_lines", [])]
    ids = [pk for pk, _ in lines]
    repeated = next((pk for pk in ids if ids.count(pk) > 1), None)
    if repeated is not None:  # each line is checked alone: a bill twice could be invoiced above its amount
        raise ProcessRefused(BILL_REPEATED.format(bill=f"账单 #{repeated}"), code="bill_repeated")
    return lines


def _bills_locked(*, instance: ProcessInstance, bill_ids: list[int]) -> dict[int, Bill]:
    """The process's bills, row-locked in id order (two processes on the same bills queue up, never
    deadlock), checked to be the customer's invoiceable bills still."""
    customer = instance.target
    bills = {b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=sorted(set(bill_ids))).order_by("pk")}
    for pk in bill_ids:
        bill = bills.get(pk)
        if bill is None or bill.customer_id != getattr(customer, "pk", None) or bill.status not in INVOICEABLE_STATUSES:
            raise ProcessRefused(BILL_GONE.format(bill=bill.name if bill else f"#{pk}"), code="bill_not_invoiceable")
    return bills


def _amounts_check(*, instance: ProcessInstance, bills: dict[int, Bill], lines: list[tuple[int, Decimal]]) -> None:
    """Each amount within what is still open of its bill (other running processes' reservations
    counted), and bill total = invoice total to the cent."""
    reserved = reserved_by_bill(bill_ids=list(bills), exclude_instance_id=instance.pk)
    for pk, amount in lines:
        bill = bills[pk]
        available = to_cents(bill.amount - bill.invoiced_amount - reserved.get(pk, Decimal(0)))
        if amount <= 0 or amount > available:
            raise ProcessRefused(
                BILL_OVER.format(bill=bill.name, amount=amount, available=max(available, Decimal("0.00"))),
                code="over_invoiceable",
            )
    bills_total = money_sum([amount for _, amount in lines])
    invoices_total = money_sum([Decimal(str(a)) for a in instance.form_data.get("invoice_amounts", [])])
    if bills_total != invoices_total:
        raise ProcessRefused(
            BILL_TOTAL_MISMATCH.format(bills=bills_total, invoices=invoices_total), code="total_mismatch"
        )


def _title_check(instance: ProcessInstance) -> InvoiceTitle:
    customer = instance.target
    title = (
        InvoiceTitle.objects.filter(pk=instance.form_data.get("title"), customer=customer).first()
        if isinstance(customer, Customer)
        else None
    )
    if title is None:
        raise ProcessRefused(TITLE_GONE, code="title_gone")
    kind = instance.form_data.get("invoice_type", "")
    missing = invoice_title_missing_fields(title, kind)
    if missing:
        raise ProcessRefused(
            INVOICE_TITLE_INCOMPLETE.format(kind=InvoiceKind(kind).label, fields="、".join(missing)),
            code="invoice_title_incomplete",
        )
    return title


# -------------------------------------------------------------------------------------- bill_invoice
def invoice_reserve(*, instance: ProcessInstance) -> None:
    """on_submit (and every resubmit): hold the amounts per bill while the process runs."""
    _title_check(instance)
    lines = _lines(instance)
    bills = _bills_locked(instance=instance, bill_ids=[pk for pk, _ in lines])
    InvoiceReservation.objects.filter(process=instance).delete()  # a resubmit reserves its new figures
    _amounts_check(instance=instance, bills=bills, lines=lines)
    for pk, amount in lines:
        InvoiceReservation.objects.create(process=instance, bill=bills[pk], amount=amount)


def invoice_release(*, instance: ProcessInstance) -> None:
    """on_reject / on_withdraw: the held money is invoiceable again, exactly."""
    InvoiceReservation.objects.filter(process=instance).delete()


def invoice_issue(*, instance: ProcessInstance) -> None:
    """on_archive of bill_invoice: issue the invoice; each bill's 已开票金额 rises by its amount."""
    lines = _lines(instance)
    bills = _bills_locked(instance=instance, bill_ids=[pk for pk, _ in lines])
    _amounts_check(instance=instance, bills=bills, lines=lines)
    invoice = _invoice_create(instance=instance, source=InvoiceSource.BILL)
    for pk, amount in lines:
        InvoiceBill.objects.create(invoice=invoice, bill=bills[pk], amount=amount)
        bill = bills[pk]  # row-locked above: the sum cannot race another archive
        bill.invoiced_amount = to_cents(bill.invoiced_amount + amount)
        bill.save(update_fields=["invoiced_amount"])  # a history row per bill: when it was invoiced
    InvoiceReservation.objects.filter(process=instance).delete()


# -------------------------------------------------------------------------------------- free_invoice
def free_invoice_check(*, instance: ProcessInstance) -> None:
    """on_submit of free_invoice: no bill table and no equality check, so the reason must be written."""
    if not (instance.remarks or "").strip():
        raise ProcessRefused(REMARKS_REQUIRED, code="remarks_required")
    _title_check(instance)


def free_invoice_issue(*, instance: ProcessInstance) -> None:
    """on_archive of free_invoice: issue the invoice, about no bill."""
    _invoice_create(instance=instance, source=InvoiceSource.FREE)


# ---------------------------------------------------------------------------------------------- shared
def _invoice_create(*, instance: ProcessInstance, source: str) -> Invoice:
    customer = instance.target
    if not isinstance(customer, Customer):
        raise ProcessRefused("开票流程必须从客户发起", code="target_required")
    title = _title_check(instance)
    entity = InvoicingEntity.objects.filter(pk=instance.form_data.get("entity")).first()
    if entity is None:
        raise ProcessRefused(ENTITY_GONE, code="entity_gone")
    amounts: list[Any] = list(instance.form_data.get("invoice_amounts", []))
    with transaction.atomic():
        invoice = Invoice.objects.create(
            source=source,
            customer=customer,
            entity=entity,
            invoice_type=instance.form_data["invoice_type"],
            title=title,
            title_company_name=title.company_name,
            title_tax_id=title.tax_id,
            title_address=title.address,
            title_phone=title.phone,
            title_bank=title.bank,
            title_bank_account=title.bank_account,
            amount=money_sum([Decimal(str(a)) for a in amounts]),
            amounts=[str(a) for a in amounts],
            received_amount=Decimal(str(instance.form_data.get("received_amount") or "0")),
            issued_on=timezone.localdate(),
            process=instance,
            applicant=instance.initiator,
            remarks=instance.remarks,
        )
        invoice.number = f"KP-{invoice.issued_on:%Y}-{invoice.pk:06d}"
        invoice.save(update_fields=["number"])
    return invoice
