"""Checks that the services a process needs answer, before it starts serving.

A dead database or Redis must stop start-up with one sentence that says what to fix, not a traceback
on the first request.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from django.conf import settings

from sales_erp.ops.health import database_error, redis_error


def fail(message: str) -> None:
    sys.stderr.write(f"启动失败 / cannot start: {message}\n")
    raise SystemExit(2)


def check_database() -> None:
    from django.db import connection

    db = settings.DATABASES["default"]
    reason = database_error()
    if reason is not None:
        if settings.DB_ENGINE == "sqlite":
            fail(f"the SQLite database {db['NAME']} cannot be opened ({reason}); fix SQLITE_PATH.")
        fail(
            f"the MariaDB database at {db['HOST']}:{db['PORT']}/{db['NAME']} is unreachable ({reason}); "
            "start MariaDB or fix DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD."
        )
    if settings.DB_ENGINE == "mariadb":
        with connection.cursor() as cursor:
            cursor.execute("SELECT @@character_set_database, CONVERT_TZ('2000-01-01', 'UTC', 'Asia/Shanghai')")
            charset, converted = cursor.fetchone()
        if converted is None:
            fail(
                f"the MariaDB server at {db['HOST']}:{db['PORT']} has no time zone tables, so dates by day or month "
                "come out empty; load them: `mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql`."
            )
        if charset != settings.MARIADB_CHARSET:
            fail(
                f"the MariaDB database {db['NAME']} stores text as {charset}, which cannot hold names such as 𡃁; "
                f"create it with `manage.py db_create` or run ALTER DATABASE `{db['NAME']}` "
                f"CHARACTER SET {settings.MARIADB_CHARSET} COLLATE {settings.MARIADB_COLLATION}."
            )
    # gunicorn loads the app once and then forks its workers: none of them may inherit this connection.
    connection.close()


def check_redis() -> None:
    reason = redis_error()
    if reason is not None:
        url = urlsplit(settings.REDIS_URL)
        where = f"{url.hostname}:{url.port or 6379}{url.path}"  # never the password a URL may carry
        fail(f"Redis at {where} is unreachable ({reason}); start it or fix REDIS_URL.")


def check_services() -> None:
    check_database()
    if settings.PRODUCTION:
        check_redis()
