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
import tempfile
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
if PRODUCTION and len(SECRET_KEY) < 50:
    config_error(
        "SECRET_KEY is shorter than 50 characters; generate one with "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
DEBUG = env("DEBUG", "0" if PRODUCTION else "1") == "1"
if PRODUCTION and DEBUG:
    config_error("DEBUG=1 is refused in production mode: it shows settings and code to anyone who hits an error.")
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
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our own static files, no CDN
    "django_celery_beat",
    # Sales ERP, in dependency order (docs/architecture.md)
    "sales_erp.org",
    "sales_erp.desk",
    "sales_erp.jobs",
    "sales_erp.ops",
    "sales_erp.messaging",
    "sales_erp.customers",
    "sales_erp.billing",
    "sales_erp.workbench",
    "sales_erp.workflow",
    "sales_erp.pricing",
    "sales_erp.deposits",
    "sales_erp.reconciliation",
    "sales_erp.statements",
    "sales_erp.writeoffs",
    "sales_erp.invoicing",
    "sales_erp.prepaid",
    "sales_erp.portal",
    "sales_erp.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sales_erp.desk.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
if PRODUCTION:
    # gunicorn serves the collected static files itself: no separate web server needed.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "sales_erp.urls"
WSGI_APPLICATION = "sales_erp.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"  # a sign-in with no ?next= (a bookmarked login page) lands on the desk

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
SQLITE_TEST_DIR = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())
if DB_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # Tests use a file, not the shared-cache in-memory database: there a second writer is refused
            # at once ("database table is locked") instead of waiting, so concurrent requests could not be
            # tested as production's file database serves them. In RAM (/dev/shm) where there is one.
            "TEST": {"NAME": str(SQLITE_TEST_DIR / f"sales_erp_test_{os.getpid()}.sqlite3")},
        }
    }
elif DB_ENGINE == "mariadb":
    # _520_ gives supplementary characters such as 𡃁 their own weight (plain unicode_ci does not).
    # Used for the test database and by `manage.py db_create` for every other one.
    MARIADB_CHARSET, MARIADB_COLLATION = "utf8mb4", "utf8mb4_unicode_520_ci"
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": env("DB_NAME", required=PRODUCTION) or "sales_erp",
            "USER": env("DB_USER", "root"),
            "PASSWORD": env("DB_PASSWORD", ""),
            "HOST": env("DB_HOST", "127.0.0.1"),
            "PORT": env("DB_PORT", "3306"),
            "CONN_MAX_AGE": 60 if PRODUCTION else 0,  # type: ignore[dict-item]
            # A kept connection is pinged before reuse, so a MariaDB restart costs no failed request.
            "CONN_HEALTH_CHECKS": PRODUCTION,  # type: ignore[dict-item]
            "OPTIONS": {
                "charset": MARIADB_CHARSET,
                # Strict mode: a value that does not fit is an error, never silently truncated.
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'",
                "isolation_level": "read committed",
            },
            "TEST": {"CHARSET": MARIADB_CHARSET, "COLLATION": MARIADB_COLLATION},
        }
    }
else:
    config_error(f"DB_ENGINE is '{DB_ENGINE}'; use 'sqlite' or 'mariadb'.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ----------------------------------------------------------------------------- cache, sessions, jobs
REDIS_URL = env("REDIS_URL", required=PRODUCTION) or "redis://127.0.0.1:6379/0"
if PRODUCTION:
    # Installations (or test runs) sharing one Redis stay apart: cache keys and the job queue carry
    # the database's name, so only processes working on the same database share them.
    INSTANCE = Path(str(DATABASES["default"]["NAME"])).stem
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": INSTANCE,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_TASK_DEFAULT_QUEUE = f"sales_erp.{INSTANCE}"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"
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
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
if PRODUCTION:
    # `collectstatic` writes compressed copies with a content hash in the name: browsers cache them for good.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 110 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ------------------------------------------------------------------------------------------ security
if PRODUCTION:
    # HTTPS=1 (the default): browsers reach the desk over HTTPS, through a TLS proxy in front of gunicorn.
    # gunicorn marks a request secure when the proxy sends X-Forwarded-Proto from an address in
    # FORWARDED_ALLOW_IPS (default 127.0.0.1), so Django needs no SECURE_PROXY_SSL_HEADER of its own,
    # which would trust that header from anyone. Only a stack on the loopback (`make prod`) sets HTTPS=0.
    HTTPS = env("HTTPS", "1") == "1"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
    SECURE_SSL_REDIRECT = HTTPS
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    HSTS_SECONDS = env("HSTS_SECONDS", "31536000")
    if not HSTS_SECONDS.isdigit():
        config_error(f"HSTS_SECONDS is '{HSTS_SECONDS}'; use a whole number of seconds (0 turns HSTS off).")
    SECURE_HSTS_SECONDS = int(HSTS_SECONDS) if HTTPS else 0
    # HSTS for every subdomain and the browsers' preload list bind the whole domain: its owner's call.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
    SESSION_COOKIE_AGE = 12 * 60 * 60  # one working day, not Django's two weeks

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
SPECTACULAR_SETTINGS = {
    "TITLE": "Sales ERP API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "销售 ERP 接口：Authorization: Token <POST /api/token/ 取得>，或桌面登录后的会话。",
    # Fields named alike in several components (bill/account/process status; carrier as stored and as typed).
    "ENUM_NAME_OVERRIDES": {
        "BillStatusEnum": "sales_erp.billing.models.BillStatus",
        "AccountStatusEnum": "sales_erp.customers.models.AccountStatus",
        "ProcessStatusEnum": "sales_erp.workflow.models.Status",
        "CarrierEnum": "sales_erp.billing.models.Carrier",
        "CarrierTextEnum": "sales_erp.billing.models.CARRIER_BY_TEXT",
    },
}

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
