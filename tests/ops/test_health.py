"""/healthz: 200 when the database (and in production Redis) answer, 503 naming what failed, nothing leaked."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://:hunter2@127.0.0.1:6399/0"  # nothing listens on 6399


def test_embedded_mode_answers_without_login_and_does_not_use_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "not used"}
    assert "no-store" in response["Cache-Control"]


def test_production_mode_with_redis_up(client, settings):
    settings.PRODUCTION = True
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"database": "ok", "redis": "ok"})


def test_redis_down_is_503_naming_redis_without_its_url(client, settings):
    settings.PRODUCTION = True
    settings.REDIS_URL = DEAD_REDIS
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"database": "ok", "redis": "failed"})
    body = response.content.decode()
    assert "hunter2" not in body and "6399" not in body


def test_database_down_is_503_naming_the_database_without_the_drivers_message(client):
    refused = OperationalError(2003, "Can't connect to MySQL server on 'db-secret.internal' (111)")
    with mock.patch("sales_erp.ops.health.connection.cursor", side_effect=refused):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"database": "failed", "redis": "not used"})
    assert "db-secret" not in response.content.decode()
