"""Production settings: refused when unsafe, clean under Django's deployment checklist, utf8mb4 databases."""

import os

import MySQLdb
import pytest

from sales_erp.org.models import User
from sales_erp.org.services import demo_staff_create
from tests.org.test_startup_errors import assert_one_sentence, run_manage

GOOD_KEY = "k7Q2-vX9pL3mN8rT1wY6zB4cD0fG5hJ2sA9eR7tU3iO6pK1lM8nV4bX2cZ5qW0yE"
PRODUCTION = {
    "SALES_ERP_MODE": "production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "erp.example.com",
    "DB_NAME": "sales_erp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def mariadb():
    return MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="", charset="utf8mb4")


@pytest.fixture
def throwaway_name():
    name = f"erp_settings_{os.getpid()}"
    yield name
    server = mariadb()
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    server.close()


def test_short_secret_key_is_refused():
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": "changeme"})
    assert_one_sentence(result, "SECRET_KEY is shorter than 50 characters")


def test_debug_is_refused_in_production():
    result = run_manage("check", **{**PRODUCTION, "DEBUG": "1"})
    assert_one_sentence(result, "DEBUG=1 is refused in production mode")


def test_bad_hsts_seconds_is_refused():
    result = run_manage("check", **{**PRODUCTION, "HSTS_SECONDS": "one year"})
    assert_one_sentence(result, "HSTS_SECONDS is 'one year'")


def test_production_passes_djangos_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_db_create_makes_a_utf8mb4_database_once(throwaway_name):
    env = {"DB_ENGINE": "mariadb", "DB_NAME": throwaway_name}
    first = run_manage("db_create", **env)
    second = run_manage("db_create", **env)

    assert first.stdout.strip() == f"database {throwaway_name}: created", first.stderr
    assert second.stdout.strip() == f"database {throwaway_name}: exists", second.stderr
    server = mariadb()
    with server.cursor() as cursor:
        cursor.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
            "WHERE SCHEMA_NAME = %s",
            [throwaway_name],
        )
        assert cursor.fetchall() == (("utf8mb4", "utf8mb4_unicode_520_ci"),)
    server.close()


def test_db_create_refuses_a_name_it_cannot_quote():
    result = run_manage("db_create", DB_ENGINE="mariadb", DB_NAME="erp`; DROP DATABASE mysql; --")
    assert result.returncode == 1
    assert "只能由字母、数字和下划线组成" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_latin1_database_stops_start_up_saying_how_to_fix_it(throwaway_name):
    server = mariadb()
    server.cursor().execute(f"CREATE DATABASE `{throwaway_name}` CHARACTER SET latin1")
    server.close()

    result = run_manage("migrate", DB_ENGINE="mariadb", DB_NAME=throwaway_name)

    assert_one_sentence(result, f"the MariaDB database {throwaway_name} stores text as latin1", "db_create")
    server = mariadb()
    with server.cursor() as cursor:
        cursor.execute(f"SHOW TABLES FROM `{throwaway_name}`")
        assert cursor.fetchall() == (), "nothing was migrated into it"
    server.close()


def test_production_setup_never_creates_the_demo_logins(tmp_path):
    env = {**PRODUCTION, "DB_ENGINE": "sqlite", "SQLITE_PATH": str(tmp_path / "prod.sqlite3")}
    assert run_manage("migrate", "-v0", **env).returncode == 0

    setup = run_manage("erp_setup", **env)  # no --no-demo: production mode alone must skip the demo step

    assert setup.returncode == 0, setup.stderr
    assert "roles_sync" in setup.stdout
    assert "demo_staff_create" not in setup.stdout
    users = run_manage(
        "shell", "--no-imports", "-c", "from sales_erp.org.models import User; print(User.objects.count())", **env
    )
    assert users.stdout.strip() == "0"


@pytest.mark.django_db
def test_demo_staff_are_refused_in_production_mode(settings):
    settings.PRODUCTION = True
    with pytest.raises(RuntimeError, match="生产模式下不创建演示用户"):
        demo_staff_create()
    assert User.objects.count() == 0
