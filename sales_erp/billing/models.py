"""Usage (发送量) and bills (DESIGN §4)."""

from __future__ import annotations

from django.db import models

from sales_erp.customers.models import Account


class Carrier(models.TextChoices):
    NONE = "", "不区分"
    MOBILE = "mobile", "移动"
    UNICOM = "unicom", "联通"
    TELECOM = "telecom", "电信"


class UsageRecord(models.Model):
    """One day's counts for one account (and carrier, country where relevant).

    Keyed by the account *code* as the platform sent it: a row whose code matches no account is kept
    (account is null) so the bill run can say 产品账号填写错误 instead of silently dropping it.
    Deliberately no history: usage arrives in millions of rows and is replaced only by re-import.
    """

    account_code = models.CharField("账号", max_length=64)
    account = models.ForeignKey(Account, verbose_name="账号", null=True, on_delete=models.PROTECT, related_name="usage")
    day = models.DateField("日期")
    month = models.DateField("月份", db_index=True)  # first day of `day`'s month: grouping without TruncMonth
    carrier = models.CharField("运营商", max_length=8, choices=Carrier.choices, default=Carrier.NONE, blank=True)
    country = models.CharField("国家/地区", max_length=8, default="", blank=True)
    submitted = models.PositiveBigIntegerField("提交条数", default=0)
    succeeded = models.PositiveBigIntegerField("成功条数", default=0)
    billable = models.PositiveBigIntegerField("计费条数", default=0)

    class Meta:
        verbose_name = "发送量"
        verbose_name_plural = "发送量"
        constraints = [
            models.UniqueConstraint(fields=["account_code", "day", "carrier", "country"], name="usage_natural_key")
        ]
        indexes = [models.Index(fields=["account", "month"])]

    def __str__(self) -> str:
        return f"{self.account_code} {self.day} {self.get_carrier_display()} {self.billable}"
