"""`make bench` (scripts/run_benchmarks.py): each script on both databases, output passed through, a summary."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPTS = {
    # Reports its own database, so the test sees what the runner handed it.
    "fast": """
        import os
        engine = os.environ["DB_ENGINE"]
        where = os.environ["DB_NAME"] if engine == "mariadb" else os.path.basename(os.environ["SQLITE_PATH"])
        print(f"building data in {where}")
        print("BENCH fast_p95: 12.5 ms (target ≤ 300 ms)")
        print("BENCH insert_floor: 65000 rows/s (target floor)")
    """,
    "slow": """
        print("BENCH slow_p95: 450 ms (target ≤ 300 ms)")
    """,
    "broken": """
        raise SystemExit(3)
    """,
}


@pytest.fixture
def bench_dir(tmp_path):
    for name, body in {**SCRIPTS, "harness": "raise SystemExit('the harness is not a benchmark')"}.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    return tmp_path


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/run_benchmarks.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_script_runs_on_both_databases_and_the_summary_gives_the_verdicts(bench_dir):
    result = run_bench("--bench-dir", str(bench_dir))

    out = result.stdout
    assert result.returncode == 1, "a failed script and a missed target make the run fail"
    assert out.count("BENCH fast_p95: 12.5 ms (target ≤ 300 ms)") == 2, "passed through once per database"
    assert "building data in fast.sqlite3" in out
    assert "building data in erp_bench_" in out and "_fast" in out
    assert "==> harness" not in out
    summary = out.split("==> summary\n", 1)[1].splitlines()
    rows = [line.split() for line in summary[2:]]
    assert ["fast", "sqlite", "fast_p95", "12.5", "ms", "≤", "300", "ms", "ok"] in rows
    assert ["fast", "mariadb", "insert_floor", "65000", "rows/s", "floor"] in rows
    assert ["slow", "mariadb", "slow_p95", "450", "ms", "≤", "300", "ms", "MISSED"] in rows
    assert ["broken", "sqlite", "FAILED", "(exit", "3)"] in rows
    assert ["broken", "mariadb", "FAILED", "(exit", "3)"] in rows
    assert "2 script run(s) failed, 2 figure(s) missed the target" in result.stderr


def test_all_targets_met_exits_zero(bench_dir):
    result = run_bench("--bench-dir", str(bench_dir), "--only", "fast", "--engines", "sqlite")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "==> slow" not in result.stdout


def test_a_harness_run_builds_a_fresh_database_and_drops_it(tmp_path):
    (tmp_path / "probe.py").write_text(
        textwrap.dedent(
            """
            from bench import harness

            with harness.throwaway_database():
                from django.contrib.auth.models import Group
                from django.db import connection

                print("roles loaded:", Group.objects.filter(name="sales").exists())
                print("vendor:", connection.vendor)
            """
        )
    )
    result = run_bench("--bench-dir", str(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("roles loaded: True") == 2
    assert "vendor: sqlite" in result.stdout and "vendor: mysql" in result.stdout
    leftover = subprocess.run(
        ["mariadb", "-uroot", "-h127.0.0.1", "-N", "-e", "SHOW DATABASES LIKE 'erp_bench_%_probe'"],
        capture_output=True,
        text=True,
    )
    assert leftover.stdout.strip() == "", "the throwaway MariaDB database was dropped"


def test_the_harness_refuses_a_database_that_exists(tmp_path):
    existing = tmp_path / "someones.sqlite3"
    existing.write_bytes(b"")
    script = tmp_path / "probe.py"
    script.write_text("from bench import harness\nwith harness.throwaway_database():\n    print('ran')\n")
    env = {**os.environ, "DB_ENGINE": "sqlite", "SQLITE_PATH": str(existing), "PYTHONPATH": str(ROOT)}

    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 1
    assert f"数据库 {existing} 已存在" in result.stderr
    assert "ran" not in result.stdout
    assert existing.exists(), "someone's database is left alone"
