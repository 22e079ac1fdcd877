"""The customer portal's logins (DESIGN §9): a customer's own staff, each tied to exactly one company."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PortalAccount(models.Model):
    """A portal login: a Django user in role 客户 (never staff) who sees only `customer`'s data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录用户", on_delete=models.CASCADE, related_name="portal_account"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", on_delete=models.CASCADE, related_name="portal_accounts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "客户门户账号"
        verbose_name_plural = "客户门户账号"
        ordering = ["customer_id", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.username}（{self.customer}）"
