"""What every benchmark shares: a fresh throwaway database, timing, and the BENCH line.

A benchmark is a script `bench/<name>.py` (docs/architecture.md, "Benchmarks"):

    from bench import harness

    with harness.throwaway_database():          # DB_ENGINE picks SQLite or MariaDB; tables, roles loaded
        ...build its data with the services...
        times = harness.timed(lambda: ..., repeat=200)
        harness.report("customer_list_p95", harness.p95(times), "ms", "≤ 300 ms")
        harness.report("sqlite_insert_floor", ..., "rows/s", "floor")

`make bench` (scripts/run_benchmarks.py) runs each script once per database; by hand:
`DB_ENGINE=mariadb .venv/bin/python -m bench.<name>`.
"""

from __future__ import annotations

import io
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EXISTS = "数据库 {name} 已存在：基准测试只在它自己新建的临时数据库上运行 (换一个 DB_NAME / SQLITE_PATH)"


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Set Django up on a database made for this run (schema_create, the setup's base data); drop it afterwards.

    Refuses a database that already exists: a benchmark never touches anyone's data.
    """
    engine = os.environ.setdefault("DB_ENGINE", "sqlite")
    if engine == "sqlite":
        os.environ.setdefault("SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix="erp-bench-")) / "bench.sqlite3"))
    else:
        os.environ.setdefault("DB_NAME", f"erp_bench_{os.getpid()}")
    os.environ.setdefault("DEBUG", "0")  # DEBUG keeps every query in memory and would skew the figures
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from sales_erp.ops.databases import database_create, database_drop

    if not database_create():
        raise SystemExit(EXISTS.format(name=settings.DATABASES["default"]["NAME"]))
    try:
        schema_create()
        call_command("erp_setup", no_demo=True, stdout=io.StringIO())
        yield
    finally:
        database_drop()


class _NoMigrations(dict[str, None]):
    """MIGRATION_MODULES that says "no migrations" for every app (as pytest-django's --no-migrations)."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def schema_create() -> None:
    """The tables straight from the models, as the test suite makes its database (--no-migrations).

    The same schema as `migrate` (makemigrations --check is clean), in seconds: replaying the migration
    history took over three minutes on SQLite on a loaded machine (SQLite rebuilds a table for most
    ALTERs). BENCH_MIGRATE=1 replays the migrations instead.
    """
    from django.conf import settings
    from django.core.management import call_command

    if os.environ.get("BENCH_MIGRATE") == "1":
        call_command("migrate", verbosity=0)
        return
    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def timed(action: Callable[[], Any], *, repeat: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call of `action`, `repeat` times after `warmup` untimed calls."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def p95(times: list[float]) -> float:
    """The 95th percentile, nearest-rank: the value 95 % of the calls stayed at or under."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, value: float, unit: str, target: str) -> None:
    """Print one figure: `BENCH <name>: <value> <unit> (target <target>)`. A floor's target is "floor"."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2 if abs(value) >= 1 else 3
    print(f"BENCH {name}: {value:.{digits}f} {unit} (target {target})", flush=True)
