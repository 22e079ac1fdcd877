"""Shared test setup: which database this run uses, the base data every test starts from, and users."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from sales_erp import hooks


def pytest_configure(config):
    # Tests log users in thousands of times; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    if settings.DB_ENGINE == "sqlite":
        where = f"SQLite, a throwaway file in {settings.SQLITE_TEST_DIR}"
    else:
        where = f"MariaDB {db['HOST']}:{db['PORT']} database test_{db['NAME']} (throwaway)"
    return f"DATABASE: {where}"


def load_base_data() -> None:
    """What a new installation holds before anyone works: the non-demo setup steps of hooks.py."""
    for path, is_demo in hooks.SETUP_STEPS:
        if not is_demo:
            import_string(path)()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_base_data()


@pytest.fixture
def base_data(transactional_db):
    """For transactional tests: the flush between tests empties the tables, so load the setup again."""
    load_base_data()
