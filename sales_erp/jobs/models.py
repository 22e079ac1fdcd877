from __future__ import annotations

from datetime import timedelta

from django.db import models


class JobRun(models.Model):
    """One run of a periodic job: what it was asked, where it ran, when, and what it reported.

    A run killed mid-way stays RUNNING until the next run of the same job finds its process gone and
    marks it INTERRUPTED; it never blocks that next run (the jobs are idempotent, DESIGN §11).
    """

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"
        INTERRUPTED = "interrupted", "中断"

    name = models.CharField("任务", max_length=64, db_index=True)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField("开始", auto_now_add=True)
    finished_at = models.DateTimeField("结束", null=True, blank=True)
    report = models.JSONField("报告", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    host = models.CharField("主机", max_length=255, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)

    class Meta:
        verbose_name = "任务运行记录"
        verbose_name_plural = "任务运行记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def duration_text(self) -> str:
        return f"{self.duration.total_seconds():.1f} 秒" if self.duration is not None else ""
