"""Running periodic jobs: one entry point for the command, the Celery task and the desk."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from sales_erp import hooks
from sales_erp.jobs.models import JobRun

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TASK_NAME = "sales_erp.jobs.tasks.run_periodic_job"


class UnknownJob(LookupError):
    pass


def job_run(*, name: str, **params: Any) -> JobRun:
    """Run one job now and record the run. The job itself is idempotent (DESIGN §11)."""
    try:
        job = hooks.PERIODIC_JOBS[name]
    except KeyError:
        raise UnknownJob(f"没有名为 {name} 的定时任务；可用: {', '.join(sorted(hooks.PERIODIC_JOBS))}") from None
    run = JobRun.objects.create(name=name, params={k: str(v) for k, v in params.items()})
    # From the command line every value is text; ISO dates become dates.
    params = {
        k: date.fromisoformat(v) if isinstance(v, str) and ISO_DATE.fullmatch(v) else v for k, v in params.items()
    }
    try:
        report = import_string(job.function)(**params)
    except Exception as exc:
        run.status, run.error, run.finished_at = JobRun.Status.FAILED, repr(exc), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status, run.finished_at = JobRun.Status.DONE, timezone.now()
    run.report = json.loads(json.dumps(report or {}, default=str))
    run.save(update_fields=["status", "finished_at", "report"])
    return run


@transaction.atomic
def schedules_sync() -> None:
    """Create a django-celery-beat schedule for every job that has none; never overwrite an admin's edit."""
    for name, job in hooks.PERIODIC_JOBS.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        minute, hour, day, month, weekday = job.crontab.split()
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year=month,
            day_of_week=weekday,
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.create(
            name=name, task=TASK_NAME, crontab=crontab, args=json.dumps([name]), description=job.description
        )
