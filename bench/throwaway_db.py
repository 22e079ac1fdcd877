"""A throwaway database for a benchmark: a temporary SQLite file, or a new MariaDB database dropped at
the end. Chosen by DB_ENGINE (sqlite | mariadb), like the test suite. Import this before Django."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENGINE = os.environ.setdefault("DB_ENGINE", "sqlite")


def database_open() -> str:
    """Point the settings at a fresh database and migrate it; returns a label for the output."""
    if ENGINE == "sqlite":
        folder = tempfile.mkdtemp(prefix="erp_bench_")
        os.environ["SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    else:
        import MySQLdb

        name = f"erp_bench_{os.getpid()}"
        os.environ["DB_NAME"] = name
        server = {"host": os.environ.get("DB_HOST", "127.0.0.1"), "user": os.environ.get("DB_USER", "root")}
        server["password"] = os.environ.get("DB_PASSWORD", "")
        with MySQLdb.connect(**server) as conn:
            conn.cursor().execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci")

        def drop() -> None:
            with MySQLdb.connect(**server) as conn:
                conn.cursor().execute(f"DROP DATABASE IF EXISTS {name}")

        atexit.register(drop)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")
    os.environ["DEBUG"] = "0"  # no query log: it would hold millions of statements
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return "SQLite" if ENGINE == "sqlite" else "MariaDB"
