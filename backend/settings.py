"""Settings for sicrm, read from environment variables (django-environ).

The embedded default needs no configuration at all: SQLite, a filesystem Celery
broker and files under ``var/``. Scale-out is configured by environment alone
(DATABASE_URL, CELERY_BROKER_URL, SEARCH_BACKEND, ELASTICSEARCH_URL, ...).
Nothing secret is written here: without SECRET_KEY a random key is generated once
into ``var/secret_key``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

VAR_DIR = Path(env.str("SICRM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env.str("SECRET_KEY", default="")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "js_lib_bootstrap5",
    "js_lib_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "backend.core",
    "backend.accounts",
    "backend.customers",
    "backend.projects",
    "backend.bids",
    "backend.milestones",
    "backend.docs_templates",
    "backend.knowledge",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.core.context_processors.notifications",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sicrm.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue at BEGIN instead of failing mid-transaction with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT", default=30),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- i18n ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media ---------------------------------------------------------
# Bootstrap and htmx come from PyPI packages (js_lib_bootstrap5, js_lib_htmx): nothing vendored here.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"


def _plotly_js_dir() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data"


# plotly.js ships inside the plotly PyPI package; served as static/plotly/plotly.min.js.
STATICFILES_DIRS = [BASE_DIR / "backend" / "static", ("plotly", _plotly_js_dir())]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)

# --- e-mail -------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sicrm <sicrm@localhost>")

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sicrm API",
    "DESCRIPTION": "Project-based sales and delivery management for IT system integrators.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "backend.projects.choices.Status",
        "ReviewStatusEnum": "workflows.choices.ReviewStatus",
        "QuotationStatusEnum": "backend.bids.choices.QuotationStatus",
        "BidResultEnum": "backend.bids.choices.BidResult",
        "DocumentTypeEnum": "backend.docs_templates.choices.DocType",
        "DeliverableTypeEnum": "backend.milestones.choices.DeliverableType",
    },
}

# --- Celery -------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: one file per message under var/broker (kombu's filesystem transport).
    (BROKER_DIR / "queue").mkdir(parents=True, exist_ok=True)
    (BROKER_DIR / "processed").mkdir(parents=True, exist_ok=True)
    (BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": env.float("BROKER_POLLING_INTERVAL", default=0.2),
    }
else:
    # Unacknowledged (acks_late) tasks of a worker that died are redelivered after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # how often (seconds) a worker sweeps for the unacknowledged tasks of dead workers (Redis)
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "backend.core.tasks.heartbeat",
        "schedule": env.float("HEARTBEAT_SECONDS", default=60.0),
    },
}

# --- search (backend/search; DESIGN.md §8) -------------------------------------
# embedded: a tantivy index under SEARCH_INDEX_DIR; elasticsearch: ELASTICSEARCH_URL, with the index
# template and the alias SEARCH_INDEX_NAME created by `sicrm reindex`.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="embedded")
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_INDEX_DIR = Path(env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search-index")))
SEARCH_INDEX_NAME = env.str("SEARCH_INDEX_NAME", default="sicrm-search")
SEARCH_DIRTY_SECONDS = env.float("SEARCH_DIRTY_SECONDS", default=60.0)  # re-index rows bulk updates flagged
SEARCH_RECONCILE_SECONDS = env.float("SEARCH_RECONCILE_SECONDS", default=3600.0)  # compare index and database
CELERY_BEAT_SCHEDULE["search-flush-dirty"] = {
    "task": "backend.search.tasks.flush_dirty",
    "schedule": SEARCH_DIRTY_SECONDS,
}
CELERY_BEAT_SCHEDULE["search-reconcile"] = {
    "task": "backend.search.tasks.reconcile",
    "schedule": SEARCH_RECONCILE_SECONDS,
}

# --- security behind a proxy ---------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Largest accepted upload (deliverables, attachments, templates), in bytes.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Delivery and presales economics.
DEFAULT_MARGIN_PERCENT = env.float("DEFAULT_MARGIN_PERCENT", default=20.0)
CUT_LOSSES_SHARE = env.float("CUT_LOSSES_SHARE", default=0.3)  # presales cost above this share of expected margin

# Alarms: reminders and escalations (days / hours).
ALARM_DUE_SOON_DAYS = env.int("ALARM_DUE_SOON_DAYS", default=3)
ALARM_ESCALATION_DAYS = env.list("ALARM_ESCALATION_DAYS", cast=int, default=[1, 3, 7, 14])
ALARM_REVIEW_PENDING_HOURS = env.int("ALARM_REVIEW_PENDING_HOURS", default=48)
ALARM_TENDER_DEADLINE_DAYS = env.int("ALARM_TENDER_DEADLINE_DAYS", default=3)
CELERY_BEAT_SCHEDULE["alarms"] = {
    "task": "backend.milestones.tasks.scan_alarms",
    "schedule": env.float("ALARM_SCAN_SECONDS", default=3600.0),
}

# Document templates: a .docx may unpack to at most this many bytes (zip-bomb guard).
DOCX_MAX_UNPACKED_BYTES = env.int("DOCX_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
LIBREOFFICE_BINARY = env.str("LIBREOFFICE_BINARY", default="soffice")
SICRM_COMPANY_NAME = env.str("SICRM_COMPANY_NAME", default="示例系统集成有限公司 Example Systems Integration Co., Ltd.")
