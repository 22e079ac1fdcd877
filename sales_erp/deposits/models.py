"""Bank deposits (到款, DESIGN §5.4): credits imported from bank statements, matched to customers.

A deposit's `available` is what write-offs may still use: it drops the moment a write-off reserves
money (its instance starts), comes back exactly when a write-off is rejected, withdrawn or reversed,
and never goes below zero. What is left after write-offs stays with the customer as credit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.customers.models import Customer


class DepositStatus(models.TextChoices):
    UNMATCHED = "unmatched", "未匹配"  # in the deposit pool (到款池): no customer, or several fit
    MATCHED = "matched", "已匹配"  # belongs to a customer (automatically or assigned by 销管)


class Deposit(models.Model):
    received_on = models.DateField("到款日期", db_index=True)
    payer = models.CharField("付款方", max_length=200, db_index=True)
    payer_account = models.CharField("付款账号", max_length=64, blank=True)
    amount = models.DecimalField("到款金额(元)", max_digits=14, decimal_places=2)
    # Not yet reserved or used by a write-off (余额). Kept by the write-off services only.
    available = models.DecimalField("余额(元)", max_digits=14, decimal_places=2)
    customer = models.ForeignKey(
        Customer, verbose_name="客户", null=True, blank=True, on_delete=models.PROTECT, related_name="deposits"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销售",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deposits",
        help_text="匹配时客户的负责销售",
    )
    status = models.CharField(
        "状态", max_length=16, choices=DepositStatus.choices, default=DepositStatus.UNMATCHED, db_index=True
    )
    match_reason = models.CharField("匹配依据", max_length=100, blank=True)  # e.g. 发票抬头一致
    history = HistoricalRecords()

    class Meta:
        verbose_name = "到款"
        verbose_name_plural = "到款"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(available__gte=0), name="deposit_available_not_negative"),
            models.CheckConstraint(
                condition=models.Q(available__lte=models.F("amount")), name="deposit_available_within_amount"
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.received_on} {self.payer} {self.amount}"
