"""Settings for Sales ERP: the one place that reads the environment.

Two modes, chosen by SALES_ERP_MODE (see README "Configuration"):

- ``embedded`` (default): SQLite in the project folder, jobs run in-process, no other server needed.
- ``production``: MariaDB, Redis as cache, session store and Celery broker; every secret must be set.

DB_ENGINE may override the database in either mode (the test suite runs on both).
A missing or malformed variable stops start-up with one sentence saying what to set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def config_error(message: str) -> None:
    """Stop start-up with one clear sentence instead of a traceback."""
    sys.stderr.write(f"配置错误 / configuration error: {message}\n")
    raise SystemExit(2)


def env(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        config_error(f"environment variable {name} must be set in production mode (see README, Configuration).")
    return default or ""


MODE = env("SALES_ERP_MODE", "embedded")
if MODE not in ("embedded", "production"):
    config_error(f"SALES_ERP_MODE is '{MODE}'; use 'embedded' or 'production'.")
PRODUCTION = MODE == "production"

SECRET_KEY = env("SECRET_KEY", required=PRODUCTION) or "embedded-mode-not-secret"
DEBUG = env("DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
if PRODUCTION and not os.environ.get("ALLOWED_HOSTS"):
    config_error("environment variable ALLOWED_HOSTS must be set in production mode (see README, Configuration).")
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# ---------------------------------------------------------------------------------------------- apps
INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "sales_erp.desk.sites.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_celery_beat",
    # Sales ERP, in dependency order (docs/architecture.md)
    "sales_erp.org",
    "sales_erp.desk",
    "sales_erp.jobs",
    "sales_erp.messaging",
    "sales_erp.customers",
    "sales_erp.billing",
    "sales_erp.pricing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "sales_erp.urls"
WSGI_APPLICATION = "sales_erp.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "admin:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sales_erp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# ------------------------------------------------------------------------------------------ database
DB_ENGINE = env("DB_ENGINE", "mariadb" if PRODUCTION else "sqlite")
if DB_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
elif DB_ENGINE == "mariadb":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": env("DB_NAME", required=PRODUCTION) or "sales_erp",
            "USER": env("DB_USER", "root"),
            "PASSWORD": env("DB_PASSWORD", ""),
            "HOST": env("DB_HOST", "127.0.0.1"),
            "PORT": env("DB_PORT", "3306"),
            "CONN_MAX_AGE": 60 if PRODUCTION else 0,  # type: ignore[dict-item]
            "OPTIONS": {
                "charset": "utf8mb4",
                # Strict mode: a value that does not fit is an error, never silently truncated.
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'",
                "isolation_level": "read committed",
            },
            # _520_ gives supplementary characters such as 𡃁 their own weight (plain unicode_ci does not).
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_520_ci"},
        }
    }
else:
    config_error(f"DB_ENGINE is '{DB_ENGINE}'; use 'sqlite' or 'mariadb'.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ----------------------------------------------------------------------------- cache, sessions, jobs
REDIS_URL = env("REDIS_URL", required=PRODUCTION) or "redis://127.0.0.1:6379/0"
if PRODUCTION:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # Embedded mode: a task runs in the calling process, so no worker is needed.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True

EMAIL_BACKEND = (
    env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "erp@example.com")

# ------------------------------------------------------------------------------- language and time
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sales_erp" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 110 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if PRODUCTION:
    SESSION_COOKIE_SECURE = env("SESSION_COOKIE_SECURE", "1") == "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# ----------------------------------------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "Sales ERP API", "VERSION": "1.0.0", "SERVE_INCLUDE_SCHEMA": False}

# ---------------------------------------------------------------------------------------------- desk
from sales_erp.desk.navigation import UNFOLD  # noqa: E402, F401  (the desk's menu lives with the desk)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

# Audit trail: every business model keeps django-simple-history records; the desk shows them per
# record ("历史"), but never offers to revert one (a revert would bypass the services' rules).
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
