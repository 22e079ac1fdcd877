"""Is this installation able to serve? The probes behind /healthz and the start-up checks.

/healthz answers without a login, for load balancers and monitors: 200 when every service it uses
answers, 503 naming the one that does not. The reason is logged, never sent: a driver's message can
carry a host name or a password from a URL.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)

OK, FAILED, NOT_USED = "ok", "failed", "not used"


def database_error() -> str | None:
    """None when the database answers a query, else the driver's reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return str(exc.args[-1]) if exc.args else repr(exc)
    return None


def redis_error() -> str | None:
    """None when Redis answers a ping, else the client's reason."""
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status: dict[str, str] = {}
    for service, probe in (("database", database_error), ("redis", redis_error)):
        if service == "redis" and not settings.PRODUCTION:
            status[service] = NOT_USED  # embedded mode keeps cache and jobs in-process
            continue
        reason = probe()
        if reason is not None:
            log.error("health check: %s failed: %s", service, reason)
        status[service] = OK if reason is None else FAILED
    return JsonResponse(status, status=200 if FAILED not in status.values() else 503)
