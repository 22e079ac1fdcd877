"""`make prod` for real: scripts/prod.sh on a throwaway MariaDB database and this machine's Redis.

One stack is started for the module (database, migrations, admin from the environment, static files,
gunicorn, a Celery worker, Celery beat); the tests below use it in file order, and the last two stop
it (Ctrl-C) and start it again to kill one of its processes. The stack's queue and cache keys carry
the throwaway database's name, so test runs in parallel on one Redis never see each other's jobs.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import MySQLdb
import pytest
import redis
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN_USER, ADMIN_PASSWORD = "stack_admin", "Stack-admin-pass-2026"
TASK = "sales_erp.jobs.tasks.run_periodic_job"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Stack:
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def db_name(self) -> str:
        return self.env["DB_NAME"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def start(self, *args: str) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                ["scripts/prod.sh", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"scripts/prod.sh exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"the stack did not answer /healthz within 180 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def group_alive(self) -> bool:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.process is None or not self.group_alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        finally:
            if self.group_alive():
                os.killpg(self.process.pid, signal.SIGKILL)

    def python(self, code: str) -> Any:
        """Run `code` in a production-mode Django shell against the stack's database; its last line is JSON."""
        result = subprocess.run(
            ["scripts/prod.sh", "manage", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def get(self, path: str, opener: urllib.request.OpenerDirector | None = None, **headers: str) -> Response:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=30) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode(errors="replace"))

    def process_pids(self, *words: str) -> list[int]:
        """Processes of this stack (its process group) whose command line has all `words`."""
        assert self.process is not None
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if os.getpgid(int(proc.name)) != self.process.pid:
                    continue
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ProcessLookupError):
                continue
            if all(word in command for word in words):
                found.append(int(proc.name))
        return found


def wait_for(check, *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"waited {seconds} s for {what}")


def drop_database(name: str) -> None:
    server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    server.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stack")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DB_", "SALES_ERP_", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "SQLITE_PATH", "DEBUG"))
    }
    env.update(
        DB_NAME=f"erp_stack_{os.getpid()}",
        PORT=str(free_port()),
        REDIS_URL=REDIS_URL,
        SECRET_KEY="stack-test-" + "s3cr3t-" * 8,
        STATIC_ROOT=str(tmp / "static"),
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        DJANGO_SUPERUSER_USERNAME=ADMIN_USER,
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
    )
    running = Stack(env=env, log=tmp / "prod.log")
    try:
        running.start()
        yield running
    finally:
        running.stop()
        drop_database(running.db_name)
        keys = redis.Redis.from_url(REDIS_URL)
        for pattern in (f"{running.db_name}:*", f"*sales_erp.{running.db_name}*"):
            for key in keys.scan_iter(match=pattern):
                keys.delete(key)


def test_health_answers_for_database_and_redis(stack):
    response = stack.get("/healthz")
    assert (response.status, response.json()) == (200, {"database": "ok", "redis": "ok"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_are_served_compressed_and_cached_for_good(stack):
    login = stack.get("/desk/login/")
    assert login.status == 200
    stylesheet = re.search(r'href="(/static/unfold/css/styles\.[0-9a-f]{12}\.css)"', login.body)
    assert stylesheet, "collectstatic gave the stylesheet a content hash"
    css = stack.get(stylesheet.group(1), **{"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]


def test_admin_from_the_environment_logs_in_and_the_session_lives_in_redis(stack):
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = stack.get("/desk/login/", browser).body
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token
    data = f"username={ADMIN_USER}&password={ADMIN_PASSWORD}&csrfmiddlewaretoken={token.group(1)}&next=/desk/"
    with browser.open(stack.url + "/desk/login/?next=/desk/", data=data.encode(), timeout=30) as answer:
        assert answer.geturl() == stack.url + "/desk/"
        assert "管理工作台" in answer.read().decode()
    session = next(cookie for cookie in jar if cookie.name == "sessionid")
    assert not session.secure, "HTTPS=0 on the loopback: the cookie must travel over plain HTTP"
    key = f"{stack.db_name}:1:django.contrib.sessions.cache{session.value}"
    assert redis.Redis.from_url(REDIS_URL).exists(key) == 1


def test_a_job_sent_through_redis_runs_in_the_celery_worker(stack):
    prepared = stack.python(
        "import json\n"
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from sales_erp.jobs.models import JobRun\n"
        "old = JobRun.objects.create(name='job_runs_prune', status='done')\n"
        "JobRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=200))\n"
        "recent = JobRun.objects.create(name='job_runs_prune', status='done')\n"
        "print(json.dumps({'old': old.pk, 'recent': recent.pk}))"
    )

    sender = Celery(broker=REDIS_URL)
    sender.send_task(TASK, args=["job_runs_prune"], queue=f"sales_erp.{stack.db_name}")

    newest = (
        "import json\n"
        "from sales_erp.jobs.models import JobRun\n"
        f"run = JobRun.objects.filter(pk__gt={prepared['recent']}).first()\n"
        "print(json.dumps(run and {'status': run.status, 'report': run.report, 'host': run.host, 'pid': run.pid,"
        f" 'old_left': JobRun.objects.filter(pk={prepared['old']}).exists()}}))"
    )
    run = wait_for(
        lambda: (found := stack.python(newest)) and found["status"] != "running" and found,
        seconds=60,
        what="the worker's run",
    )
    assert run["status"] == "done"
    assert run["report"] == {"deleted": 1}
    assert run["old_left"] is False
    worker_pids = stack.process_pids("celery", "worker")
    assert run["pid"] in worker_pids, "the run happened in the worker, not here"


def test_beat_runs_a_schedule_edited_in_the_workbench(stack):
    before = stack.python(
        "import json\n"
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
        "from sales_erp.jobs.models import JobRun\n"
        "every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period='seconds')\n"
        "task = PeriodicTask.objects.get(name='job_runs_prune')\n"
        "task.crontab, task.interval = None, every_second\n"
        "task.save()\n"
        "print(json.dumps(JobRun.objects.order_by('-pk').values_list('pk', flat=True).first() or 0))"
    )
    try:
        wait_for(
            lambda: stack.python(
                "import json\n"
                "from sales_erp.jobs.models import JobRun\n"
                f"print(json.dumps(JobRun.objects.filter(pk__gt={before}, status='done').count()))"
            ),
            seconds=60,
            what="beat to send the edited schedule",
        )
    finally:
        stack.python(
            "from django_celery_beat.models import PeriodicTask\n"
            "task = PeriodicTask.objects.get(name='job_runs_prune')\n"
            "task.enabled = False\n"
            "task.save()\n"
            "print('null')"
        )


def test_the_production_connection_is_strict_and_stores_four_byte_characters(stack):
    found = stack.python(
        "import json\n"
        "from django.db import connection, DataError, transaction\n"
        "from sales_erp.org.models import Department\n"
        "cursor = connection.cursor()\n"
        "cursor.execute('SELECT @@sql_mode, @@character_set_connection, @@character_set_database')\n"
        "sql_mode, connection_charset, database_charset = cursor.fetchone()\n"
        "dept = Department.objects.create(name='𡃁州销售部')\n"
        "cursor.execute('SELECT CHAR_LENGTH(name), LENGTH(name) FROM org_department WHERE id = %s', [dept.pk])\n"
        "chars, stored_bytes = cursor.fetchone()\n"
        "try:\n"
        "    with transaction.atomic():\n"
        "        Department.objects.create(name='长' * 101)\n"
        "    too_long = 'stored'\n"
        "except DataError:\n"
        "    too_long = 'refused'\n"
        "print(json.dumps({'sql_mode': sql_mode, 'connection': connection_charset, 'database': database_charset,\n"
        "    'read_back': Department.objects.get(pk=dept.pk).name, 'chars': chars, 'bytes': stored_bytes,\n"
        "    'too_long': too_long}))"
    )
    assert "STRICT_TRANS_TABLES" in found["sql_mode"].split(",")
    assert (found["connection"], found["database"]) == ("utf8mb4", "utf8mb4")
    assert found["read_back"] == "𡃁州销售部"
    assert (found["chars"], found["bytes"]) == (5, 16), "𡃁 takes four bytes, the other four characters three"
    assert found["too_long"] == "refused", "strict mode refuses a value that does not fit instead of cutting it"


def test_ctrl_c_stops_web_worker_and_beat_together(stack):
    assert stack.process is not None
    assert stack.process_pids("gunicorn") and stack.process_pids("celery", "worker") and stack.process_pids("beat")

    os.kill(stack.process.pid, signal.SIGINT)  # what Ctrl-C sends to scripts/prod.sh

    assert stack.process.wait(timeout=60) == 0
    wait_for(lambda: not stack.group_alive(), seconds=30, what="every process of the stack to exit")
    with pytest.raises(OSError):
        stack.get("/healthz")


def test_when_one_process_dies_the_others_are_stopped(stack):
    stack.start("serve")  # the setup of the first start stands
    assert stack.process is not None
    (beat,) = stack.process_pids("celery", "beat")

    os.kill(beat, signal.SIGKILL)

    assert stack.process.wait(timeout=60) == 1
    wait_for(lambda: not stack.group_alive(), seconds=30, what="web and worker to be stopped")
    assert "==> beat stopped; stopping the others" in stack.log_tail()
