"""Bad configuration stops start-up with one clear sentence, never a traceback (issue: foundation)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "SALES_ERP_", "SECRET_KEY", "ALLOWED"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], *mentions: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for word in mentions:
        assert word in lines[0]


def test_production_without_secret_key_names_the_variable():
    result = run_manage("check", SALES_ERP_MODE="production")
    assert_one_sentence(result, "SECRET_KEY")


def test_production_without_allowed_hosts_names_the_variable():
    result = run_manage("check", SALES_ERP_MODE="production", SECRET_KEY="x" * 50)
    assert_one_sentence(result, "ALLOWED_HOSTS")


def test_unknown_mode_is_refused():
    assert_one_sentence(run_manage("check", SALES_ERP_MODE="prod"), "SALES_ERP_MODE")


def test_mariadb_unreachable_is_one_sentence():
    result = run_manage("migrate", DB_ENGINE="mariadb", DB_PORT="3399", DB_NAME="nowhere")
    assert_one_sentence(result, "127.0.0.1:3399", "unreachable")


def test_redis_unreachable_in_production_is_one_sentence(tmp_path):
    result = run_manage(
        "migrate",
        "--check",
        SALES_ERP_MODE="production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="erp.example.com",
        DB_ENGINE="sqlite",
        SQLITE_PATH=str(tmp_path / "startup-test.sqlite3"),
        REDIS_URL="redis://127.0.0.1:6399/0",
    )
    assert_one_sentence(result, "Redis", "6399")
