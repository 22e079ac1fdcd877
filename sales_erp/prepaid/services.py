"""Writes on prepaid balances: the recharge process's effects (hooks.PROCESSES) and the monthly usage
debit (hooks.PERIODIC_JOBS). The ledger's unique keys make both idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from sales_erp.billing.models import BillLine
from sales_erp.customers.models import Account
from sales_erp.prepaid.models import BalanceEntry, EntryKind, Recharge
from sales_erp.prepaid.selectors import PREPAID_SETTLEMENTS, account_balance
from sales_erp.pricing.money import to_cents
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance

NOT_PREPAID = "账号 {code} 的产品「{product}」是{settlement}，只有预付费产品的账号可以充值"
USAGE_NOTE = "{month:%Y-%m} 账单消耗"


def _account_of(instance: ProcessInstance) -> Account:
    account = instance.target
    if not isinstance(account, Account):
        raise ProcessRefused("销售充值流程必须从账号发起", code="target_required")
    return account


def recharge_check(*, instance: ProcessInstance) -> None:
    """on_submit: only a prepaid product's account takes a recharge."""
    account = _account_of(instance)
    product = account.product
    if product.settlement not in PREPAID_SETTLEMENTS:
        raise ProcessRefused(
            NOT_PREPAID.format(code=account.code, product=product.name, settlement=product.get_settlement_display()),
            code="not_prepaid",
        )


def recharge_credit(*, instance: ProcessInstance) -> BalanceEntry:
    """on_archive: record the recharge and credit the account's ledger (once per process)."""
    account = _account_of(instance)
    data = instance.form_data
    key = f"recharge:{instance.pk}"
    existing = BalanceEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing

    def day(name: str) -> date | None:
        return date.fromisoformat(data[name]) if data.get(name) else None

    def required_day(name: str) -> date:
        return date.fromisoformat(data[name])

    amount = to_cents(Decimal(str(data["amount"])))
    with transaction.atomic():
        recharge = Recharge.objects.create(
            account=account,
            process=instance,
            recharge_type=data["recharge_type"],
            balance_before=account_balance(account=account),
            unit_price=Decimal(str(data["unit_price"])),
            amount=amount,
            count=int(data["count"]),
            invoice_deadline=required_day("invoice_deadline"),
            payment_deadline=required_day("payment_deadline"),
            actual_invoice_date=day("actual_invoice_date"),
            actual_payment_date=day("actual_payment_date"),
        )
        return BalanceEntry.objects.create(
            account=account,
            kind=EntryKind.RECHARGE,
            amount=amount,
            entry_date=timezone.localdate(),
            recharge=recharge,
            key=key,
            note=f"{recharge.get_recharge_type_display()}充值 {instance.number}",
        )


def usage_key(account_id: int, month: date) -> str:
    return f"usage:{account_id}:{month:%Y-%m}"


def balance_usage_debit(*, month: date | None = None) -> dict[str, Any]:
    """Debit each prepaid account once per month by its bill lines' amount for that month.

    `month` (any day of it) narrows the run to one month; without it every month before this one that has
    bills is looked at (the job runs daily, so a bill made late — bill day 28 — is debited the day after).
    An account+month already debited is skipped, so a rerun posts nothing new.
    """
    this_month = timezone.localdate().replace(day=1)
    lines = BillLine.objects.filter(bill__product__settlement__in=PREPAID_SETTLEMENTS, bill__period__lt=this_month)
    if month is not None:
        lines = lines.filter(bill__period=month.replace(day=1))
    totals = (
        lines.values("account_id", "bill__period")
        .annotate(total=Sum("amount"), day=Max("bill__bill_date"))
        .order_by("bill__period", "account_id")
    )
    wanted = {usage_key(row["account_id"], row["bill__period"]): row for row in totals}
    done = set(BalanceEntry.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    debited, amount = 0, Decimal("0.00")
    for key, row in wanted.items():
        if key in done:
            continue
        total = to_cents(Decimal(row["total"] or 0))
        try:
            with transaction.atomic():
                BalanceEntry.objects.create(
                    account_id=row["account_id"],
                    kind=EntryKind.USAGE,
                    amount=-total,
                    entry_date=row["day"],
                    month=row["bill__period"],
                    key=key,
                    note=USAGE_NOTE.format(month=row["bill__period"]),
                )
        except IntegrityError:  # a run at the same moment posted it first: still once
            continue
        debited += 1
        amount += total
    return {"debited": debited, "skipped": len(wanted) - debited, "amount": str(amount)}
