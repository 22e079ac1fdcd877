"""Start-up refuses a MariaDB server whose answers would be silently wrong, with one sentence."""

from unittest import mock

import pytest

from sales_erp import startup


class ServerAnswers:
    """A cursor that answers the start-up query with `row`."""

    def __init__(self, row):
        self.row = row

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params=None):
        assert "CONVERT_TZ" in sql and "@@character_set_database" in sql

    def fetchone(self):
        return self.row


@pytest.fixture
def mariadb_settings(settings):
    settings.DB_ENGINE = "mariadb"
    settings.MARIADB_CHARSET, settings.MARIADB_COLLATION = "utf8mb4", "utf8mb4_unicode_520_ci"
    with mock.patch.dict(settings.DATABASES["default"], {"HOST": "db.local", "PORT": "3306"}):
        yield


def check_with(row):
    with (
        mock.patch.object(startup, "database_error", return_value=None),
        mock.patch("django.db.connection.cursor", return_value=ServerAnswers(row)),
        mock.patch("django.db.connection.close"),
    ):
        startup.check_database()


def test_a_server_without_time_zone_tables_is_refused(mariadb_settings, capsys):
    with pytest.raises(SystemExit) as stop:
        check_with(("utf8mb4", None))
    assert stop.value.code == 2
    assert capsys.readouterr().err == (
        "启动失败 / cannot start: the MariaDB server at db.local:3306 has no time zone tables, so dates by day "
        "or month come out empty; load them: `mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql`.\n"
    )


def test_a_utf8mb4_server_with_time_zones_passes(mariadb_settings, capsys):
    check_with(("utf8mb4", "2000-01-01 08:00:00"))
    assert capsys.readouterr().err == ""
