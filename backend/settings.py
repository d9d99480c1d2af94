"""Settings for sicrm, read from environment variables (django-environ).

The embedded default needs no configuration at all: SQLite, a filesystem Celery
broker and files under ``var/``. Scale-out is configured by environment alone
(DATABASE_URL, CELERY_BROKER_URL, SEARCH_BACKEND, ELASTICSEARCH_URL, ...).
Nothing secret is written here: without SECRET_KEY a random key is generated once
into ``var/secret_key``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
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
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "js_lib_bootstrap5",
    "js_lib_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "backend.core",
    "backend.search",
    "backend.accounts",
    "backend.customers",
    "backend.projects",
    "backend.partners",
    "backend.tenders",
    "backend.bids",
    "backend.milestones",
    "backend.payments",
    "backend.docs_templates",
    "backend.knowledge",
    "backend.discussions",
    "backend.activities",
    "backend.service",
    "workflows",
    "reports",
    "backend.demo",
]

MIDDLEWARE = [
    # First, so it sees every answer: under /api/ errors are JSON whoever produced them.
    "backend.core.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's saved language wins over cookie and browser (backend/accounts/middleware.py).
    "backend.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Notes the request's user (pages and API alike) on the audit history records (backend/core/audit.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    # A refusal a page did not show itself becomes a message, never a 500 (backend/core/refusals.py).
    "backend.core.refusals.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a lockout raised during authentication into the lockout response (backend/accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
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
                "workflows.context_processors.reviews",
                "reports.context_processors.navigation",
            ],
        },
    },
]

# --- cache ---------------------------------------------------------------------
# Lists' counts and totals (backend/core/counts.py) are kept here until a table they read is written. One
# machine: files under the var directory, shared by the web workers and the worker process. Scale-out: every
# machine must see the same cache, e.g. CACHE_URL=redis://host:6379/2.
CACHES = {
    "default": env.cache("CACHE_URL")
    if env.str("CACHE_URL", default="")
    else {
        "BACKEND": "backend.core.cache.FileCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    }
}
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=300)

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
    # Short OLTP queries (issue 15): PostgreSQL's JIT compiles a plan whose cost estimate is high (a deep list
    # page, a count) for hundreds of milliseconds, longer than the query then runs; and with the working set
    # in memory or on SSD an index look-up is not 4 times a sequential read (PostgreSQL's default, which
    # made it scan every project rather than fetch a user's few hundred by id).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _settings = {"jit": "off", "random_page_cost": env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")}
    for _name, _value in _settings.items():
        if _name not in _options.get("options", "") and _value:
            _options["options"] = f"{_options.get('options', '')} -c {_name}={_value}".strip()
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
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
FORMAT_MODULE_PATH = ["backend.formats"]  # amounts grouped by thousands in Chinese too
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
        "backend.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "backend.core.api.filters.VisibilityBlindFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "backend.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
        "TierEnum": "backend.customers.choices.Tier",
        "ServiceRequestStatusEnum": "backend.service.choices.RequestStatus",
        "ServiceCategoryEnum": "backend.service.choices.Category",
        "ServicePriorityEnum": "backend.service.choices.ServicePriority",
        "ServiceChannelEnum": "backend.service.choices.Channel",
        "CostCategoryEnum": "backend.projects.choices.CostCategory",
        "PartnerKindEnum": "backend.projects.choices.PartnerKind",
    },
}

# --- Celery -------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: one file per message under var/broker. kombu's filesystem transport with
    # atomic writes (backend/core/broker.py): a worker never reads a message that is still being written.
    CELERY_BROKER_TRANSPORT = "backend.core.broker:Transport"
    for _folder in ("queue", "processed", "control", "failed"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "failed_folder": str(BROKER_DIR / "failed"),
        "store_processed": False,
        "fsync": env.bool("BROKER_FSYNC", default=False),
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
# Background jobs survive a killed worker (backend/core/recovery.py): a worker holds a job for WORK_LEASE_SECONDS,
# renewed as it makes progress; every RESUME_WORK_SECONDS beat queues again the jobs whose lease expired.
WORK_LEASE_SECONDS = env.int("WORK_LEASE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["resume-work"] = {
    "task": "backend.core.tasks.resume_work",
    "schedule": env.float("RESUME_WORK_SECONDS", default=60.0),
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

# --- production security (README "Production settings") ------------------------------------------------
# SICRM_HTTPS=true says the site is served over HTTPS (directly or behind a proxy): it turns on the SSL redirect,
# secure cookies and HSTS; each can still be set on its own. `sicrm check --deploy` reports nothing then.
HTTPS = env.bool("SICRM_HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from this site, never inline; page scripts live in
# backend/static/sicrm/ and read their data from json_script elements. Styles may be inline (Bootstrap's and
# Plotly's style attributes); everything else is this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused (HTTP 429 with a message) for AXES_COOLOFF_MINUTES, even with the right password, on
# /login/, /admin/login/ and /api/v1/auth/token/. Attempts are rows in the database, so every gunicorn worker and
# host counts the same failures. An administrator unlocks early in the admin (Axes → access attempts).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "backend.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# API tokens (backend/accounts/authentication.py): each expires API_TOKEN_TTL_HOURS after it is issued and can be
# revoked (POST /api/v1/auth/token/revoke/, or in the admin).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=7 * 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # failed sign-ins and lockouts are warnings; axes' routine bookkeeping is not worth a line each
    "loggers": {"axes": {"level": "WARNING"}},
}

# Largest accepted upload (deliverables, attachments, templates), in bytes; a zip package (.docx, .xlsx, .pptx)
# may unpack to at most UPLOAD_MAX_UNPACKED_BYTES in UPLOAD_MAX_ZIP_ENTRIES files, compressed at most
# UPLOAD_MAX_ZIP_RATIO to 1 (zip-bomb guard of every file field, backend/core/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_UNPACKED_BYTES = env.int("UPLOAD_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
UPLOAD_MAX_ZIP_ENTRIES = env.int("UPLOAD_MAX_ZIP_ENTRIES", default=2000)
UPLOAD_MAX_ZIP_RATIO = env.int("UPLOAD_MAX_ZIP_RATIO", default=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Delivery and presales economics.
DEFAULT_MARGIN_PERCENT = env.float("DEFAULT_MARGIN_PERCENT", default=20.0)
CUT_LOSSES_SHARE = env.float("CUT_LOSSES_SHARE", default=0.3)  # presales cost above this share of expected margin

# Alarms: reminders and escalations (days / hours).
ALARM_DUE_SOON_DAYS = env.int("ALARM_DUE_SOON_DAYS", default=3)
# Escalation of an overdue milestone, one level per entry: after N days overdue, tell whom (owner, pm,
# department_head, executives). See backend/milestones/alarm_rules.py.
ALARM_ESCALATION_DAYS = env.list("ALARM_ESCALATION_DAYS", cast=int, default=[1, 3, 7, 14])
ALARM_ESCALATION_NOTIFY = env.list("ALARM_ESCALATION_NOTIFY", default=["owner", "pm", "department_head", "executives"])
ALARM_ESCALATION = list(zip(ALARM_ESCALATION_DAYS, ALARM_ESCALATION_NOTIFY, strict=False))
ALARM_REVIEW_PENDING_HOURS = env.int("ALARM_REVIEW_PENDING_HOURS", default=48)
ALARM_TENDER_DEADLINE_DAYS = env.int("ALARM_TENDER_DEADLINE_DAYS", default=3)
# Overdue activities (backend/activities): level 1 tells the owner once the activity is past due, level 2 the head
# of the owner's department after ACTIVITY_ESCALATION_DAYS[1] days; the same (days, who) shape as milestones.
ACTIVITY_ESCALATION_DAYS = env.list("ACTIVITY_ESCALATION_DAYS", cast=int, default=[0, 2])
ACTIVITY_ESCALATION_NOTIFY = env.list("ACTIVITY_ESCALATION_NOTIFY", default=["owner", "department_head"])
ACTIVITY_ESCALATION = list(zip(ACTIVITY_ESCALATION_DAYS, ACTIVITY_ESCALATION_NOTIFY, strict=False))
# Recurring activities of the process templates: created this many days ahead, by a nightly task.
ACTIVITY_RECURRING_LOOKAHEAD_DAYS = env.int("ACTIVITY_RECURRING_LOOKAHEAD_DAYS", default=7)
CELERY_BEAT_SCHEDULE["recurring-activities"] = {
    "task": "backend.activities.tasks.create_recurring_activities",
    "schedule": crontab(hour=1, minute=15),
}
# Channel partners: every partner re-graded nightly (02:45) against the grades' thresholds.
CELERY_BEAT_SCHEDULE["partner-grades"] = {
    "task": "backend.partners.tasks.regrade_partners",
    "schedule": crontab(hour=2, minute=45),
}
CELERY_BEAT_SCHEDULE["alarms"] = {
    "task": "backend.milestones.tasks.scan_alarms",
    "schedule": env.float("ALARM_SCAN_SECONDS", default=3600.0),
}

# SQLite ignores the non-key (INCLUDE) columns of the analytics' covering index; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Reports: the weekly forecast snapshot (Monday 06:00), customer tiers (daily 03:30) and the weekly digest to
# executives, directors and department heads (Monday 08:00); links in e-mails start with SICRM_BASE_URL.
SICRM_BASE_URL = env.str("SICRM_BASE_URL", default="http://127.0.0.1:8000")
CELERY_BEAT_SCHEDULE["forecast-snapshot"] = {
    "task": "reports.tasks.take_forecast_snapshot",
    "schedule": crontab(day_of_week=1, hour=6, minute=0),
}
CELERY_BEAT_SCHEDULE["customer-tiers"] = {
    "task": "reports.tasks.recompute_customer_tiers",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["weekly-digest"] = {
    "task": "reports.tasks.send_weekly_digests",
    "schedule": crontab(day_of_week=1, hour=8, minute=0),
}
# PostgreSQL: memory each report query may use to aggregate and sort before spilling to disk.
REPORT_WORK_MEM = env.str("REPORT_WORK_MEM", default="64MB")
# Report pages show the last computation for up to this many seconds, renewed in the background after a write
# (reports/kept.py); 0 computes every view.
REPORT_KEPT_SECONDS = env.int("REPORT_KEPT_SECONDS", default=900)
CELERY_BEAT_SCHEDULE["keep-overview"] = {  # the executive overview's reports, computed before anyone waits
    "task": "reports.tasks.keep_overview",
    "schedule": max(60, REPORT_KEPT_SECONDS * 2 // 3),
}
# Reports: deal-size band boundaries (CNY) — bands are "under 1M", "1M–5M", "5M–20M", "20M and above".
REPORT_SIZE_BANDS = env.list("REPORT_SIZE_BANDS", cast=int, default=[1_000_000, 5_000_000, 20_000_000])

LIBREOFFICE_BINARY = env.str("LIBREOFFICE_BINARY", default="soffice")
SICRM_COMPANY_NAME = env.str("SICRM_COMPANY_NAME", default="示例系统集成有限公司 Example Systems Integration Co., Ltd.")
# Document templates: one render may take at most this long and write at most this much text (characters of
# the Word XML); an administrator's template that exceeds either is refused or stopped, never left running.
DOCUMENT_RENDER_SECONDS = env.float("DOCUMENT_RENDER_SECONDS", default=10.0)
DOCUMENT_MAX_OUTPUT_CHARS = env.int("DOCUMENT_MAX_OUTPUT_CHARS", default=20_000_000)
# Knowledge: the longest article body accepted, in characters (Markdown is rendered before the write transaction).
KNOWLEDGE_BODY_MAX_CHARS = env.int("KNOWLEDGE_BODY_MAX_CHARS", default=200_000)

# Service desk (backend/service). Working hours of the SLA clocks, on the working days of core.calendar
# (public holidays off, 调休 weekend days worked): pairs of "HH:MM-HH:MM", in TIME_ZONE.
SERVICE_WORKING_HOURS = env.list("SERVICE_WORKING_HOURS", default=["09:00-12:00", "13:00-18:00"])
# A clock is "at risk" once this share of its target is used up; that is escalation level 1.
SERVICE_SLA_WARN_PERCENT = env.int("SERVICE_SLA_WARN_PERCENT", default=75)
# Escalation of each SLA clock through the alarm engine, one alarm per level: (when, who). "warn" is the
# near-breach, "breach" the deadline, "breach+N" N working hours after it.
SERVICE_ESCALATION_WHEN = env.list("SERVICE_ESCALATION_WHEN", default=["warn", "breach", "breach+4"])
SERVICE_ESCALATION_NOTIFY = env.list(
    "SERVICE_ESCALATION_NOTIFY", default=["assignee", "department_head", "department_head_up"]
)
SERVICE_ESCALATION = list(zip(SERVICE_ESCALATION_WHEN, SERVICE_ESCALATION_NOTIFY, strict=False))
# The satisfaction survey link sent on closing is valid this many days, and answers once.
SERVICE_SURVEY_DAYS = env.int("SERVICE_SURVEY_DAYS", default=14)
