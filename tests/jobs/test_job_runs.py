"""Run records: a run killed mid-way never blocks the next one and is marked once the next one starts."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from sales_erp.jobs.models import JobRun
from sales_erp.jobs.services import job_run, job_runs_prune

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    """The number of a process that has just ended (as after a SIGKILL)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_rerun_after_a_killed_run_marks_it_interrupted_and_runs(jobs_registered):
    killed = JobRun.objects.create(name="counting", host=socket.gethostname(), pid=dead_pid())

    rerun = job_run(name="counting")

    assert rerun.status == JobRun.Status.DONE
    assert jobs_registered == [{}], "the rerun ran the job"
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.INTERRUPTED
    assert killed.error.startswith(f"进程 {killed.pid} (主机 {killed.host}) 已不在，本次运行未完成")
    assert killed.finished_at is None


def test_a_run_still_alive_or_on_another_host_is_left_running_and_blocks_nothing(jobs_registered):
    alive = JobRun.objects.create(name="counting", host=socket.gethostname(), pid=os.getpid())
    elsewhere = JobRun.objects.create(name="counting", host="worker-2.example", pid=dead_pid())
    other_job = JobRun.objects.create(name="failing", host=socket.gethostname(), pid=dead_pid())

    assert job_run(name="counting").status == JobRun.Status.DONE

    statuses = dict(JobRun.objects.filter(pk__in=[alive.pk, elsewhere.pk, other_job.pk]).values_list("pk", "status"))
    assert statuses == {alive.pk: "running", elsewhere.pk: "running", other_job.pk: "running"}


def test_a_failing_job_is_recorded_failed_with_its_message(jobs_registered):
    with pytest.raises(ValueError):
        job_run(name="failing")
    run = JobRun.objects.get(name="failing")
    assert run.status == JobRun.Status.FAILED
    assert "第 3 行: 金额 'abc' 不是数字" in run.error
    assert run.finished_at is not None


def test_a_run_stopped_by_shutdown_is_recorded_interrupted(jobs_registered):
    with pytest.raises(KeyboardInterrupt):
        job_run(name="stopped")
    run = JobRun.objects.get(name="stopped")
    assert run.status == JobRun.Status.INTERRUPTED
    assert run.error == "运行被停止 (KeyboardInterrupt())"


def test_job_runs_prune_deletes_old_finished_runs_and_keeps_each_jobs_latest():
    def run(name, days_ago, status=JobRun.Status.DONE):
        record = JobRun.objects.create(name=name, status=status)
        JobRun.objects.filter(pk=record.pk).update(started_at=timezone.now() - timedelta(days=days_ago))
        return record.pk

    old_a = run("a", 200)
    recent_a = run("a", 10)
    only_b = run("b", 400)  # old, but b's latest run: the job page still shows it
    old_c_running = run("c", 300, JobRun.Status.RUNNING)
    newest_c = run("c", 1)

    assert job_runs_prune(days="180") == {"deleted": 1}

    assert set(JobRun.objects.values_list("pk", flat=True)) == {recent_a, only_b, old_c_running, newest_c}
    assert not JobRun.objects.filter(pk=old_a).exists()
