"""Checks that the services a process needs answer, before it starts serving.

A dead database or Redis must stop start-up with one sentence that says what to fix, not a traceback
on the first request.
"""

from __future__ import annotations

import sys

from django.conf import settings


def fail(message: str) -> None:
    sys.stderr.write(f"启动失败 / cannot start: {message}\n")
    raise SystemExit(2)


def check_database() -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        db = settings.DATABASES["default"]
        if settings.DB_ENGINE == "sqlite":
            fail(f"the SQLite database {db['NAME']} cannot be opened ({exc.args[-1]}); fix SQLITE_PATH.")
        fail(
            f"the MariaDB database at {db['HOST']}:{db['PORT']}/{db['NAME']} is unreachable ({exc.args[-1]}); "
            "start MariaDB or fix DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD."
        )


def check_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        fail(f"Redis at {settings.REDIS_URL} is unreachable ({exc}); start it or fix REDIS_URL.")


def check_services() -> None:
    check_database()
    if settings.PRODUCTION:
        check_redis()
