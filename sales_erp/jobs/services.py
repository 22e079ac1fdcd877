"""Running periodic jobs: one entry point for the command, the Celery task and the desk."""

from __future__ import annotations

import json
import os
import re
import socket
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from sales_erp import hooks
from sales_erp.jobs.models import JobRun

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TASK_NAME = "sales_erp.jobs.tasks.run_periodic_job"
UNKNOWN_JOB = "没有名为 {name} 的定时任务；可用: {known}"
PROCESS_GONE = "进程 {pid} (主机 {host}) 已不在，本次运行未完成；{at} 起的运行重新执行了此任务"
STOPPED = "运行被停止 ({reason})"


class UnknownJob(LookupError):
    pass


def job_get(name: str) -> hooks.PeriodicJob:
    try:
        return hooks.PERIODIC_JOBS[name]
    except KeyError:
        raise UnknownJob(UNKNOWN_JOB.format(name=name, known=", ".join(sorted(hooks.PERIODIC_JOBS)))) from None


def job_run(*, name: str, **params: Any) -> JobRun:
    """Run one job now and record the run. The job itself is idempotent (DESIGN §11)."""
    job = job_get(name)
    this_host, this_pid = socket.gethostname(), os.getpid()
    run = JobRun.objects.create(
        name=name, params={k: str(v) for k, v in params.items()}, host=this_host[:255], pid=this_pid
    )
    job_runs_interrupted_mark(name=name, host=this_host, rerun=run)
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
    except BaseException as exc:  # a worker's warm shutdown or Ctrl-C: the run did not finish
        run.status, run.error, run.finished_at = JobRun.Status.INTERRUPTED, STOPPED.format(reason=repr(exc)), None
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status, run.finished_at = JobRun.Status.DONE, timezone.now()
    run.report = json.loads(json.dumps(report or {}, default=str))
    run.save(update_fields=["status", "finished_at", "report"])
    return run


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process holds that number
    return True


def job_runs_interrupted_mark(*, name: str, host: str, rerun: JobRun) -> int:
    """Mark earlier RUNNING runs of `name` on this host whose process is gone as INTERRUPTED.

    Only this host's processes can be checked; a run left behind on another host keeps its RUNNING
    row until a run there looks, but blocks nothing either way.
    """
    stale = [
        run
        for run in JobRun.objects.filter(name=name, host=host, status=JobRun.Status.RUNNING).exclude(pk=rerun.pk)
        if run.pid is None or not _process_alive(run.pid)
    ]
    for run in stale:
        run.status = JobRun.Status.INTERRUPTED
        run.error = PROCESS_GONE.format(pid=run.pid, host=run.host, at=timezone.localtime(rerun.started_at))
        run.save(update_fields=["status", "error"])
    return len(stale)


def job_enqueue(*, name: str) -> None:
    """Hand a job to the task queue now, as its schedule would (in embedded mode it runs right here)."""
    from sales_erp.jobs.tasks import run_periodic_job

    job_get(name)
    run_periodic_job.delay(name)


def job_runs_prune(*, days: int | str = 180) -> dict[str, int]:
    """Delete finished run records older than `days`, keeping each job's latest run."""
    cutoff = timezone.now() - timedelta(days=int(days))
    # A list, not a subquery: MariaDB refuses a DELETE whose subquery reads the same table.
    latest = list(JobRun.objects.order_by().values("name").annotate(last=Max("pk")).values_list("last", flat=True))
    old = JobRun.objects.filter(started_at__lt=cutoff).exclude(status=JobRun.Status.RUNNING).exclude(pk__in=latest)
    deleted, _ = old.delete()
    return {"deleted": deleted}


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
