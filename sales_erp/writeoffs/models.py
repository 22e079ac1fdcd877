"""Write-offs (销账, DESIGN §5.4) and interest (计息罚息, DESIGN §5.6).

A write-off is one `write_off` process instance's money: allocation rows (bill, deposit, amount) that are
*reserved* the moment the instance starts, *posted* when it is archived, *released* when it is rejected or
withdrawn, and *reversed* when finance reverses a posted one.

Balances, and where each is kept:
- `Deposit.available` (deposits app) drops by every reserved or posted allocation and rises again exactly
  on release or reversal; kept by these services only, always under a row lock.
- `Bill.written_off_amount` (billing app) is the sum of the bill's *posted* allocations.
- A bill's reserved money is not stored on the bill: it is the sum of its *reserved* allocations, so
  open = amount − written_off_amount − reserved (`selectors.bill_open_amounts`). Computing it keeps one
  source of truth for money in flight and needs no column on a table another app owns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.billing.models import Bill
from sales_erp.customers.models import Account, Customer
from sales_erp.deposits.models import Deposit


class WriteOffStatus(models.TextChoices):
    RESERVED = "reserved", "审批中(已预占)"
    POSTED = "posted", "已销账"
    RELEASED = "released", "已释放"
    REVERSED = "reversed", "已冲销"


# The only moves a write-off and its allocations make (services.write_off_transition is the one door).
WRITE_OFF_TRANSITIONS: dict[str, frozenset[str]] = {
    WriteOffStatus.RESERVED: frozenset({WriteOffStatus.POSTED, WriteOffStatus.RELEASED}),
    WriteOffStatus.POSTED: frozenset({WriteOffStatus.REVERSED}),
    WriteOffStatus.RELEASED: frozenset(),
    WriteOffStatus.REVERSED: frozenset(),
}


class WriteOff(models.Model):
    """One write-off: the money of one `write_off` process instance."""

    # A rejected instance that is resubmitted reserves again: one write-off per submission, the newest current.
    process = models.ForeignKey(
        "workflow.ProcessInstance", verbose_name="流程", on_delete=models.PROTECT, related_name="write_offs"
    )
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT, related_name="write_offs")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="销售", on_delete=models.PROTECT, related_name="write_offs"
    )
    auto = models.BooleanField("自动销账", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=WriteOffStatus.choices, default=WriteOffStatus.RESERVED, db_index=True
    )
    total = models.DecimalField("销账合计(元)", max_digits=14, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    posted_on = models.DateField("销账日期", null=True, blank=True, db_index=True)  # the archive day
    posted_month = models.DateField("销账月份", null=True, blank=True)  # first day of posted_on's month
    released_at = models.DateTimeField("释放时间", null=True, blank=True)
    reversed_at = models.DateTimeField("冲销时间", null=True, blank=True)
    reversed_on = models.DateField("冲销日期", null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="冲销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversal_reason = models.CharField("冲销原因", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "销账"
        verbose_name_plural = "销账"
        ordering = ["-created_at", "-pk"]
        permissions = [("reverse_writeoff", "可冲销已归档的销账"), ("view_commission", "可查看提成依据")]
        indexes = [models.Index(fields=["salesperson", "posted_month"])]

    def __str__(self) -> str:
        return f"销账 {self.pk} {self.customer} {self.total}"


class Allocation(models.Model):
    """Money of one deposit used for one bill within one write-off.

    Deliberately no history of its own: its rows never change except the status (and its dates), which
    always moves with its write-off's — audited there (WriteOff.history: who, when, before/after).
    """

    write_off = models.ForeignKey(WriteOff, verbose_name="销账", on_delete=models.CASCADE, related_name="allocations")
    bill = models.ForeignKey(Bill, verbose_name="账单", on_delete=models.PROTECT, related_name="allocations")
    deposit = models.ForeignKey(Deposit, verbose_name="到款", on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField("销账金额(元)", max_digits=14, decimal_places=2)
    status = models.CharField(
        "状态", max_length=16, choices=WriteOffStatus.choices, default=WriteOffStatus.RESERVED, db_index=True
    )
    posted_on = models.DateField("销账日期", null=True, blank=True)
    reversed_on = models.DateField("冲销日期", null=True, blank=True)

    class Meta:
        verbose_name = "销账明细"
        verbose_name_plural = "销账明细"
        ordering = ["write_off", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive")]
        indexes = [models.Index(fields=["bill", "status"]), models.Index(fields=["deposit", "status"])]

    def __str__(self) -> str:
        return f"{self.bill} ← {self.deposit}: {self.amount}"


# ------------------------------------------------------------------------------------------ interest
class InterestKind(models.TextChoices):
    PENALTY = "penalty", "罚息"  # on overdue postpaid bills
    CREDIT = "credit", "计息"  # on prepaid money held (needs the prepaid ledger)


class InterestRate(models.Model):
    """A monthly rate (资金月 = 30 days) from its effective date until the next one of the same kind."""

    kind = models.CharField("类型", max_length=16, choices=InterestKind.choices)
    monthly_rate = models.DecimalField("月息率", max_digits=8, decimal_places=6, help_text="如 0.015 表示每资金月 1.5%")
    effective_from = models.DateField("生效日期")
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "息率"
        verbose_name_plural = "息率配置"
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="interest_rate_one_per_kind_day"),
            models.CheckConstraint(condition=models.Q(monthly_rate__gte=0), name="interest_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.monthly_rate} 自 {self.effective_from}"


class InterestExemptAccount(models.Model):
    """不计息账号配置 (V19 #6): accounts that accrue neither penalty nor credit interest. Kept by 销管."""

    account = models.OneToOneField(
        Account, verbose_name="账号", on_delete=models.CASCADE, related_name="interest_exemption"
    )
    reason = models.CharField("原因", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="添加人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "不计息账号"
        verbose_name_plural = "不计息账号配置"
        ordering = ["account__code"]

    def __str__(self) -> str:
        return str(self.account)


class InterestEntry(models.Model):
    """One month's accrual for one bill (penalty) or one account's prepaid money (credit), rounded once."""

    kind = models.CharField("类型", max_length=16, choices=InterestKind.choices)
    bill = models.ForeignKey(
        Bill, verbose_name="账单", null=True, blank=True, on_delete=models.CASCADE, related_name="interest_entries"
    )
    account = models.ForeignKey(
        Account, verbose_name="账号", null=True, blank=True, on_delete=models.CASCADE, related_name="interest_entries"
    )
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="+")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销售",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    month = models.DateField("月份")  # first day of the month
    days = models.PositiveSmallIntegerField("计息天数")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    through = models.DateField("计至")  # the last day counted
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "计息罚息"
        verbose_name_plural = "计息罚息"
        ordering = ["-month", "bill"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "bill", "month"], name="interest_one_per_bill_month"),
            models.UniqueConstraint(fields=["kind", "account", "month"], name="interest_one_per_account_month"),
        ]
        indexes = [models.Index(fields=["salesperson", "month"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} {self.amount}"


class InterestRun(models.Model):
    """How far the interest job has counted: the next run recomputes from the month after the last final one."""

    through = models.DateField("计至")
    started_at = models.DateTimeField("运行时间", auto_now_add=True)
    bills = models.PositiveIntegerField("账单数", default=0)
    entries = models.PositiveIntegerField("记录数", default=0)

    class Meta:
        verbose_name = "计息运行记录"
        verbose_name_plural = "计息运行记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"计至 {self.through}"
