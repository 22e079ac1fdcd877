"""Reads on periodic jobs: what the workbench's job page shows."""

from __future__ import annotations

from dataclasses import dataclass

from cron_descriptor import ExpressionDescriptor, FormatException, Options
from django.db.models import Max
from django_celery_beat.models import PeriodicTask

from sales_erp import hooks
from sales_erp.jobs.models import JobRun


@dataclass(frozen=True)
class JobOverview:
    name: str
    job: hooks.PeriodicJob
    schedule: PeriodicTask | None  # None when an admin deleted it: the job then runs only by hand
    last_run: JobRun | None

    @property
    def schedule_text(self) -> str:
        if self.schedule is None:
            return ""
        if self.schedule.crontab is None:
            return str(self.schedule.scheduler)
        cron = self.schedule.crontab
        expression = f"{cron.minute} {cron.hour} {cron.day_of_month} {cron.month_of_year} {cron.day_of_week}"
        options = Options()
        options.locale_code, options.use_24hour_time_format = "zh_CN", True
        try:
            return f"{ExpressionDescriptor(expression, options).get_description()} ({expression})"
        except FormatException:
            return expression


def jobs_overview() -> list[JobOverview]:
    """Every job of hooks.PERIODIC_JOBS with its schedule and its latest run, in two queries."""
    names = list(hooks.PERIODIC_JOBS)
    schedules = {
        task.name: task
        for task in PeriodicTask.objects.filter(name__in=names).select_related(
            "crontab", "interval", "solar", "clocked"
        )
    }
    latest = JobRun.objects.filter(name__in=names).order_by().values("name").annotate(last=Max("pk")).values("last")
    last_runs = {run.name: run for run in JobRun.objects.filter(pk__in=latest)}
    return [
        JobOverview(name, job, schedules.get(name), last_runs.get(name)) for name, job in hooks.PERIODIC_JOBS.items()
    ]
