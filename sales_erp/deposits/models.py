"""Bank deposits (到款, DESIGN §5.4): credits imported from bank statements, matched to customers.

A deposit's `available` is what write-offs may still use: it drops the moment a write-off reserves
money (its instance starts), comes back exactly when a write-off is rejected, withdrawn or reversed,
and never goes below zero. What is left after write-offs stays with the customer as credit.

Bank statements come in one layout per bank (`ImportProfile`, editable by finance); each import is an
`DepositImport` record; `PayerAlias` remembers which customer 销管 gave a payer name to by hand, so the
next deposit from that payer matches by itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sales_erp.customers.models import Customer
from sales_erp.customers.names import company_name_key

# The payer of a credit whose statement line names nobody (bank interest, 结息): kept as a deposit so no
# money is lost, never matched automatically; 销管 may still assign it.
NO_PAYER = "(无付款方)"


def payer_key_of(payer: str) -> str:
    """The payer as matching compares it (customers.names.company_name_key); empty for NO_PAYER."""
    return "" if payer == NO_PAYER else company_name_key(payer)


class DepositStatus(models.TextChoices):
    UNMATCHED = "unmatched", "未匹配"  # in the deposit pool (到款池): no customer, or several fit
    MATCHED = "matched", "已匹配"  # belongs to a customer (automatically or assigned by 销管)


# The only moves a deposit's status makes (services.deposit_transition performs them). A matched deposit
# stays its customer's: undoing a wrong match is a correction finance makes with the write-offs in view.
DEPOSIT_TRANSITIONS: dict[str, frozenset[str]] = {
    DepositStatus.UNMATCHED: frozenset({DepositStatus.MATCHED}),
    DepositStatus.MATCHED: frozenset(),
}


class ImportProfile(models.Model):
    """One bank's statement layout (导入格式): which header names hold what. The header row is found by
    these names (the first of the file's first 20 rows that holds them all), so account lines above it do
    not matter; the encoding (UTF-8, UTF-8 with BOM, GBK) is detected."""

    code = models.SlugField("代码", max_length=40, unique=True, help_text="系统内部使用，不可重复")
    name = models.CharField("名称", max_length=100, unique=True, help_text="如：某银行对公流水")
    is_active = models.BooleanField("启用", default=True)
    date_column = models.CharField("日期列", max_length=50, help_text="如：交易日")
    date_formats = models.CharField(
        "日期格式",
        max_length=200,
        default="%Y%m%d, %Y-%m-%d, %Y/%m/%d, %Y-%m-%d %H:%M:%S, %Y/%m/%d %H:%M:%S, %Y-%m-%d %H:%M",
        help_text="逗号分隔，依次尝试；如 %Y%m%d 表示 20261102。Excel 日期单元格和日期序号总能识别",
    )
    time_column = models.CharField("时间列", max_length=50, blank=True, help_text="日期列已含时间时留空")
    credit_column = models.CharField("贷方金额列", max_length=50, help_text="收入（到款）的金额列，如：贷方金额")
    debit_column = models.CharField("借方金额列", max_length=50, blank=True, help_text="支出的金额列；没有则留空")
    direction_column = models.CharField(
        "借贷标志列", max_length=50, blank=True, help_text="如：借/贷；有此列时按它区分收入与支出"
    )
    credit_marks = models.CharField("贷方标志", max_length=50, default="贷", help_text="逗号分隔，如：贷, 收入")
    debit_marks = models.CharField("借方标志", max_length=50, default="借", help_text="逗号分隔，如：借, 支出")
    payer_column = models.CharField("付款方户名列", max_length=50, help_text="如：对方户名")
    payer_account_column = models.CharField("付款方账号列", max_length=50, blank=True)
    serial_column = models.CharField(
        "流水号列", max_length=50, blank=True, help_text="银行的交易流水号；有此列时以它判断重复导入"
    )
    summary_column = models.CharField("摘要列", max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "银行流水格式"
        verbose_name_plural = "银行流水格式"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.direction_column.strip() and self.debit_column.strip() == self.credit_column.strip():
            raise ValidationError({"debit_column": "借方金额列与贷方金额列相同时，请填写借贷标志列以区分收入与支出"})
        if not [f for f in self.date_formats.replace("，", ",").split(",") if "%" in f]:
            raise ValidationError({"date_formats": "请至少填写一个日期格式，如 %Y%m%d 或 %Y-%m-%d"})


class DepositImport(models.Model):
    """One bank statement imported: who, when, which file with which layout, and what it added."""

    profile = models.ForeignKey(ImportProfile, verbose_name="流水格式", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    digest = models.CharField("文件摘要(SHA-256)", max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("数据行", default=0)
    credits = models.PositiveIntegerField("收入笔数", default=0)
    debits = models.PositiveIntegerField("支出笔数（不导入）", default=0)
    created = models.PositiveIntegerField("新增到款", default=0)
    already_imported = models.PositiveIntegerField("已导入过", default=0)
    matched = models.PositiveIntegerField("自动匹配", default=0)
    total = models.DecimalField("新增金额(元)", max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = "银行流水导入记录"
        verbose_name_plural = "银行流水导入记录"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} {timezone.localtime(self.imported_at):%Y-%m-%d %H:%M}"


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
    matched_at = models.DateTimeField("匹配时间", null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="销管指定时为指定人；自动匹配时为空",
    )
    # The payer as the system compares names (customers.names.company_name_key), kept for set-based matching.
    payer_key = models.CharField("付款方(规范化)", max_length=200, blank=True, db_index=True, editable=False)
    received_time = models.TimeField("到款时间", null=True, blank=True)
    serial = models.CharField("银行流水号", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=200, blank=True)
    import_record = models.ForeignKey(
        DepositImport,
        verbose_name="导入记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    # What makes a statement line the same line again (services.deposit_import_key); unique, so the same
    # statement imported twice adds nothing. Empty (NULL) for deposits that came from elsewhere.
    import_key = models.CharField("导入键", max_length=64, null=True, blank=True, unique=True, editable=False)
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
        permissions = [("import_deposits", "导入银行流水"), ("assign_deposit", "指定到款客户")]

    def __str__(self) -> str:
        return f"{self.received_on} {self.payer} {self.amount}"

    def save(self, *args, **kwargs):
        self.payer_key = payer_key_of(self.payer)
        if kwargs.get("update_fields") is not None and "payer" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "payer_key"}
        super().save(*args, **kwargs)


class PayerAlias(models.Model):
    """付款方别名: a payer name 销管 gave to a customer by hand; the next deposit from it matches by itself."""

    payer = models.CharField("付款方", max_length=200)
    payer_key = models.CharField("付款方(规范化)", max_length=200, unique=True, editable=False)
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="payer_aliases")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="指定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("指定时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "付款方别名"
        verbose_name_plural = "付款方别名"
        ordering = ["payer"]

    def __str__(self) -> str:
        return f"{self.payer} → {self.customer}"

    def save(self, *args, **kwargs):
        self.payer = self.payer.strip()
        self.payer_key = company_name_key(self.payer)
        super().save(*args, **kwargs)
