"""Creating and dropping the configured MariaDB database, with the character set the project needs.

Django's tables take the database's default character set, so a database created without utf8mb4
cannot store names such as 𡃁. `manage.py db_create`, `make prod`, the benchmarks and the production
stack tests all create their databases here.
"""

from __future__ import annotations

import re
from pathlib import Path

import MySQLdb
from django.conf import settings
from django.db import connections

SAFE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
BAD_NAME = "数据库名 '{name}' 只能由字母、数字和下划线组成 (最长 64 个字符)"


def _server() -> MySQLdb.Connection:
    db = settings.DATABASES["default"]
    return MySQLdb.connect(
        host=str(db["HOST"]), port=int(str(db["PORT"])), user=str(db["USER"]), password=str(db["PASSWORD"])
    )


def _sqlite_path() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def _configured_name() -> str:
    name = str(settings.DATABASES["default"]["NAME"])
    if not SAFE_NAME.fullmatch(name):
        raise ValueError(BAD_NAME.format(name=name))
    return name


def database_create() -> bool:
    """Create the configured database unless it exists; True when it was created. SQLite files create themselves."""
    if settings.DB_ENGINE == "sqlite":
        return not _sqlite_path().exists()
    name = _configured_name()
    server = _server()
    try:
        with server.cursor() as cursor:
            existed = cursor.execute("SHOW DATABASES LIKE %s", [name])
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS `{name}` "
                f"CHARACTER SET {settings.MARIADB_CHARSET} COLLATE {settings.MARIADB_COLLATION}"
            )
    finally:
        server.close()
    return not existed


def database_drop() -> None:
    """Drop the configured database (or delete the SQLite file). Only for throwaway databases."""
    connections.close_all()
    if settings.DB_ENGINE == "sqlite":
        path = _sqlite_path()
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return
    server = _server()
    try:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{_configured_name()}`")
    finally:
        server.close()
