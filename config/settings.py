"""Itinera settings: one module, driven by environment variables.

Every value a deployment may need to change is read from the environment with a
default that suits a developer's machine (SQLite file, console e-mail). DEBUG is off
unless ``DJANGO_DEBUG`` turns it on (``scripts/start`` does, for the local demo).
"""

import base64
import datetime as dt
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ITINERA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The fallback key only serves local development; production sets DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
# While rotating: the former keys, so sessions and signed links they made stay valid.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", "")



def key_from_secret(secret: str, purpose: str) -> str:
    """A Fernet-shaped key derived from a secret, for installations that set no key of their own."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{secret}".encode()).digest()).decode()


# Identity-document numbers are encrypted with these Fernet keys, newest first (the first
# encrypts, any decrypts; ``manage.py rotate_identity_keys`` moves every number to the first),
# and found by an HMAC under the lookup key. Without them, keys are derived from SECRET_KEY:
# set both in production, and keep them apart from the database's backups.
ITINERA_FIELD_KEYS = env_list("ITINERA_FIELD_KEYS", "") or [key_from_secret(SECRET_KEY, "identity-numbers")]
ITINERA_LOOKUP_KEY = os.environ.get("ITINERA_LOOKUP_KEY") or key_from_secret(SECRET_KEY, "identity-lookup")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Content-Security-Policy on every page: scripts from the app only (an inline one needs
# the page's nonce); viewflow's templates set style attributes, hence inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
    }
}

# --- HTTPS: a deployment behind TLS turns these on (see the README's Operations) -----------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", False)
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (only then: a client
# could otherwise claim HTTPS).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "viewflow",
    "permits",
    "workflow",
    "cases",
    "documents",
    "operations",
    "analytics",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed and with hashed names, straight from the app server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses NUL characters and absurdly deep JSON before any view reads them.
    "config.boundary.RequestBoundaryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it answers a lockout raised anywhere above with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            # {% load dates %}: date fields written in templates, typed in the page's language.
            "libraries": {"dates": "config.dates"},
        },
    },
]

# --- Database -------------------------------------------------------------------
# DATABASE_URL selects the database; the embedded default is a SQLite file so the
# app starts with no server. PostgreSQL is what production and CI prove against.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'itinera.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the document worker write to the same file: WAL lets
    # readers proceed during a write, IMMEDIATE takes the write lock at BEGIN so
    # two writers queue instead of failing half-way, and the timeout is the queue.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Five wrong passwords for one username from one address lock both out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("ITINERA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("ITINERA_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cases.web.accounts.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages and time -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # viewflow ships no Dutch or Arabic catalogue: ours fill the gap for its shell.
    BASE_DIR / "locale" / "vendor" / "viewflow",
]
TIME_ZONE = os.environ.get("ITINERA_TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True
# Day-first dates in every language (British English, Arabic without American fallbacks).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("ITINERA_MEDIA_ROOT", VAR_DIR / "media"))
# No MEDIA_URL is served: case files are personal data and go out only through
# views that check who is asking.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.static.StaticFilesStorage"},
}
if os.environ.get("ITINERA_S3_BUCKET"):
    # Any S3-compatible bucket (AWS, MinIO, Ceph, ...). Files stay private: the app
    # streams them to users who may see the case, never through bucket URLs.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ITINERA_S3_BUCKET"],
            "endpoint_url": os.environ.get("ITINERA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ITINERA_S3_REGION") or None,
            "access_key": os.environ.get("ITINERA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ITINERA_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background work ----------------------------------------------------------------
# Tasks are rows in the same database, written in the same transaction as the
# change that asked for them: a rolled-back transition leaves no orphan task.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ITINERA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Workers say they are alive every few seconds; one silent for the timeout is taken for
# dead and its running tasks are queued again by the periodic reclaim (operations.reclaim).
ITINERA_WORKER = {
    "heartbeat_every": float(os.environ.get("ITINERA_WORKER_HEARTBEAT_SECONDS", "10")),
    "heartbeat_timeout": float(os.environ.get("ITINERA_WORKER_TIMEOUT_SECONDS", "45")),
    "reclaim_every": float(os.environ.get("ITINERA_WORKER_RECLAIM_SECONDS", "30")),
    # /healthz answers 503 when a task has waited longer than this (no worker takes them).
    "max_task_wait": float(os.environ.get("ITINERA_HEALTH_MAX_TASK_WAIT_SECONDS", "900")),
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "itinera@localhost")

# Where links in e-mails point (the address people open the app at).
ITINERA_BASE_URL = os.environ.get("ITINERA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Reminders (cases.reminders, run by the scheduler) -------------------------------
ITINERA_REMINDERS = {
    # Local hour from which each user's daily digest goes out.
    "digest_hour": int(os.environ.get("ITINERA_DIGEST_HOUR", "7")),
    # Days before a participant's deadline on which they are reminded: with the commune's
    # 8 days from arrival, 3 and 0 are day 5 and day 8.
    "deadline_days_before": (3, 0),
    # Days before the last day to appeal a refusal.
    "appeal_days_before": (7, 2),
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    # Only the token endpoint is throttled (it names its scope); logins are also locked out.
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("ITINERA_TOKEN_THROTTLE", "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Itinera API",
    "DESCRIPTION": (
        "Case management for accompanied labour migration: participants, their "
        "itinerary from selection to return, checklists and documents."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the package, not a CDN: the docs work on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "django_countries.countries",
        "RegionEnum": "permits.routes.REGIONS",
        "RouteEnum": "permits.routes.ROUTE_CHOICES",
        "SalaryBasisEnum": "permits.routes.SALARY_BASES",
        "DiplomaLevelEnum": "permits.routes.DIPLOMA_LEVELS",
        "ProfessionEnum": "permits.routes.PROFESSIONS",
        "PermitApplicationKindEnum": "permits.models.PermitApplication.Kind",
        "CaseEventKindEnum": "cases.models.CaseEvent.Kind",
        "LegalBasisEnum": "cases.purposes.Basis",
        "ProcessingPurposeEnum": "cases.purposes.ProcessingPurpose",
        "LegalHoldKindEnum": "privacy.models.LegalHold.Kind",
        "RightsRequestKindEnum": "privacy.models.RightsRequest.Kind",
        "RetentionOutcomeEnum": "privacy.models.Outcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # ITINERA_LOG_FORMAT=json: one JSON object per line, for a log collector.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("ITINERA_LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ITINERA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every render step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
