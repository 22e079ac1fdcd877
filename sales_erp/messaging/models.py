"""The message centre (DESIGN §7): every notice and every process step that needs someone."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class MessageKind(models.TextChoices):
    TASK = "task", "待办"  # a process step waits for the recipient
    PROCESS = "process", "流程通知"  # a process the recipient started or is copied on moved
    REMINDER = "reminder", "催办"
    FUNNEL = "funnel", "客户漏斗"
    FINANCE = "finance", "到款与销账"
    BILLING = "billing", "账单"
    SYSTEM = "system", "系统"


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField("类型", max_length=16, choices=MessageKind.choices, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)  # where "open" leads, usually the object's page
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        # Unread first, then newest first (V19 #8: read messages sort last).
        ordering = [models.F("read_at").asc(nulls_first=True), "-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title
