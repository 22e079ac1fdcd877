"""Prepaid balances (DESIGN §5.5, manual 2.5): a ledger per account.

Every change of an account's balance is one `BalanceEntry` row — a credit when a recharge process is
archived, a debit per month of usage — and the balance is their sum; rows are never edited. Each row has a
unique `key` (the recharge's process, or account + month for usage), so archiving twice or running a
month's debit again cannot post it twice. A balance below zero is shown as 欠费, never hidden.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.customers.models import Account
from sales_erp.workflow.models import ProcessInstance


class RechargeType(models.TextChoices):
    PREPAID = "prepaid", "预付"  # money held in advance; what is unused is refundable
    PREPURCHASE = "prepurchase", "预购"  # service bought in advance; not refundable


class Recharge(models.Model):
    """销售充值: one archived recharge process and its terms."""

    account = models.ForeignKey(Account, verbose_name="账号", on_delete=models.PROTECT, related_name="recharges")
    process = models.OneToOneField(
        ProcessInstance, verbose_name="流程", on_delete=models.PROTECT, related_name="recharge"
    )
    recharge_type = models.CharField("充值类型", max_length=16, choices=RechargeType.choices)
    balance_before = models.DecimalField("充值前余额(元)", max_digits=14, decimal_places=2)
    unit_price = models.DecimalField("单价(元/条)", max_digits=14, decimal_places=6)
    amount = models.DecimalField("充值金额(元)", max_digits=14, decimal_places=2)
    count = models.PositiveBigIntegerField("条数")
    invoice_deadline = models.DateField("开票截止日期")
    payment_deadline = models.DateField("收款截止日期")
    actual_invoice_date = models.DateField("实际开票日期", null=True, blank=True)
    actual_payment_date = models.DateField("实际收款日期", null=True, blank=True)
    credited_at = models.DateTimeField("入账时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "充值记录"
        verbose_name_plural = "充值记录"
        ordering = ["-credited_at"]

    def __str__(self) -> str:
        return f"{self.account.code} 充值 {self.amount}"


class EntryKind(models.TextChoices):
    RECHARGE = "recharge", "充值"
    USAGE = "usage", "月度消耗"


class BalanceEntry(models.Model):
    """One movement of an account's balance: + credit (充值), − debit (a month's usage)."""

    account = models.ForeignKey(Account, verbose_name="账号", on_delete=models.PROTECT, related_name="balance_entries")
    kind = models.CharField("类型", max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2, help_text="正数入账，负数扣费")
    entry_date = models.DateField("记账日期")
    month = models.DateField("消耗月份", null=True, blank=True)  # first day of the month a usage debit is for
    recharge = models.OneToOneField(
        Recharge, verbose_name="充值记录", null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    # "recharge:<process id>" or "usage:<account id>:<YYYY-MM>": what makes reposting impossible.
    key = models.CharField("幂等键", max_length=64, unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "余额流水"
        verbose_name_plural = "余额流水"
        ordering = ["account", "entry_date", "pk"]
        indexes = [models.Index(fields=["account", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.account.code} {self.get_kind_display()} {self.amount}"
