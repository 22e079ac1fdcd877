from datetime import date

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from sales_erp import hooks
from sales_erp.jobs.models import JobRun
from sales_erp.jobs.services import UnknownJob, job_run, schedules_sync

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


def sample_job(**params):
    CALLS.append(params)
    return {"seen": sorted(params)}


@pytest.fixture
def sample_job_registered(monkeypatch):
    CALLS.clear()
    jobs = dict(hooks.PERIODIC_JOBS)
    jobs["sample"] = hooks.PeriodicJob(function=f"{__name__}.sample_job", crontab="5 2 * * *", description="样例")
    monkeypatch.setattr(hooks, "PERIODIC_JOBS", jobs)


def test_job_run_records_the_run_and_parses_dates(sample_job_registered):
    run = job_run(name="sample", day="2026-11-05", month="2026-10")
    assert run.status == JobRun.Status.DONE
    assert run.report == {"seen": ["day", "month"]}
    assert [{"day": date(2026, 11, 5), "month": "2026-10"}] == CALLS


def test_unknown_job_is_refused_with_the_list():
    with pytest.raises(UnknownJob, match="没有名为 nope"):
        job_run(name="nope")
    assert JobRun.objects.count() == 0


def test_schedules_sync_creates_once_and_keeps_admin_edits(sample_job_registered):
    schedules_sync()
    task = PeriodicTask.objects.get(name="sample")
    assert (task.crontab.minute, task.crontab.hour) == ("5", "2")
    task.enabled = False
    task.save()
    schedules_sync()
    assert PeriodicTask.objects.filter(name="sample").count() == 1
    assert PeriodicTask.objects.get(name="sample").enabled is False


def test_run_job_command(sample_job_registered, capsys):
    call_command("run_job", "sample", "day=2026-11-05")
    assert "sample: done" in capsys.readouterr().out
