"""Kota Pintar settings.

Everything that differs between a laptop, CI and production comes from environment variables
(optionally read from a ``.env`` file in the project root). There is no code path that exists
only in production: ``DEBUG`` only changes error pages and cookie flags.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if not env.bool("KOTAPINTAR_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Tests, `make run` and CI set these explicitly; production must provide real secrets.
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Runtime data (SQLite database, private uploads) lives outside the code and the web root.
VAR_DIR = Path(env.str("KOTAPINTAR_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Kota Pintar foundations
    "kotapintar.core",
    "kotapintar.accounts",
    "kotapintar.regions",
    "kotapintar.agencies",
    # Kota Pintar modules
    "kotapintar.portal",
    "kotapintar.complaints",
    "kotapintar.civil_registration",
    "kotapintar.umkm",
]

MIDDLEWARE = [
    "kotapintar.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kotapintar.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotapintar.core.middleware.LocaleMiddleware",
    "kotapintar.core.maintenance.MaintenanceModeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kotapintar" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kotapintar.core.context_processors.platform",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode with IMMEDIATE transactions (writers queue instead of
# failing with "database is locked"). Production and CI: DATABASE_URL=postgres://...
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kotapintar.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The planner's cost of a random page read: PostgreSQL's default (4) assumes spinning disks
    # and made broad catalogue searches scan the whole table instead of using their index (2x
    # slower). 1.1 is the usual value for SSDs and data in memory; set it per connection here,
    # so a shared or managed server needs no change (docs/operations.md).
    random_page_cost = env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={random_page_cost}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, background tasks ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kotapintar.core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # One process (the embedded default): an in-memory cache is enough. Several processes
    # must share counters (login lockout, throttling), so production sets REDIS_URL.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

TASKS_BACKEND = env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection: lock the (username, IP) pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "nik", "phone"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Self-registration: at most this many attempts per client IP per window.
ACCOUNTS_REGISTRATION_LIMIT = env.int("ACCOUNTS_REGISTRATION_LIMIT", default=5)
ACCOUNTS_REGISTRATION_WINDOW_SECONDS = env.int("ACCOUNTS_REGISTRATION_WINDOW_SECONDS", default=3600)
ACCOUNTS_EMAIL_CONFIRMATION_MAX_AGE = env.int(
    "ACCOUNTS_EMAIL_CONFIRMATION_MAX_AGE", default=3 * 24 * 3600
)

# --- Security headers and cookies -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
CSRF_COOKIE_HTTPONLY = True
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading commits the whole domain to HTTPS in browsers for months; it is the domain owner's
# decision (e.g. Diskominfo for *.go.id hosts), so it is opt-in and its deploy warning silenced.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=DEBUG)
STATICFILES_DIRS = [BASE_DIR / "kotapintar" / "static"]
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")  # "local" or "s3"
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "access_key": env.str("S3_ACCESS_KEY", default=None),
            "secret_key": env.str("S3_SECRET_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    # Production serves hashed, compressed files (needs `collectstatic`); tests use the
    # plain backend so that they need no collected files.
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Upload limits. The request-size middleware answers 413 before Django reads the body.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=5 * 1024 * 1024)
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=2560)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = None
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Personal data ----------------------------------------------------------------------------
# Fernet keys (comma-separated, newest first, for rotation) encrypt NIK/KK/phone at rest; a
# separate HMAC key makes the blind index used for equality lookups.
PERSONAL_DATA_KEYS = env.list("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = env.str("PERSONAL_DATA_HASH_KEY")

# --- Maintenance mode (server migration, restore): writes answer 503, pages show a banner ------
MAINTENANCE_MODE = env.bool("MAINTENANCE_MODE", default=False)
MAINTENANCE_UNTIL = env.str("MAINTENANCE_UNTIL", default="")  # e.g. "Senin, 30 November 06.00 WIB"
# Offline alternatives shown on the 503 page and banner (no database is read while in maintenance).
MAINTENANCE_OFFLINE_SERVICES = env.str("MAINTENANCE_OFFLINE_SERVICES", default="")

# --- Deployment region -----------------------------------------------------------------------
# Kemendagri code of the kabupaten/kota this deployment serves (12.71 = Kota Medan).
KOTAPINTAR_REGION_CODE = env.str("KOTAPINTAR_REGION_CODE", default="12.71")
KOTAPINTAR_CITY_NAME = env.str("KOTAPINTAR_CITY_NAME", default="")
# Count the cuti bersama days published with the holidays library as non-working (admins can
# add or override single days in the admin either way).
KOTAPINTAR_CALENDAR_LIBRARY_CUTI_BERSAMA = env.bool(
    "KOTAPINTAR_CALENDAR_LIBRARY_CUTI_BERSAMA", default=True
)

# --- Complaints map -----------------------------------------------------------------------------
# Tiles are optional: without them the pin, device location and typed coordinates still work.
COMPLAINTS_MAP_TILE_URL = env.str(
    "COMPLAINTS_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
COMPLAINTS_MAP_TILE_ATTRIBUTION = env.str(
    "COMPLAINTS_MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors"
)
COMPLAINTS_MAP_CENTER = tuple(
    env.list("COMPLAINTS_MAP_CENTER", cast=float, default=[3.5952, 98.6722])
)
COMPLAINTS_MAP_ZOOM = env.int("COMPLAINTS_MAP_ZOOM", default=13)

# --- Open311 GeoReport v2 ------------------------------------------------------------------
# Extra accepted jurisdiction_id values (the region code and the site's host always are).
OPEN311_JURISDICTION_IDS = env.list("OPEN311_JURISDICTION_IDS", default=[])
OPEN311_LANGUAGE = env.str("OPEN311_LANGUAGE", default="id")
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="")

# --- E-mail, SMS/WhatsApp ---------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kota Pintar <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# "console" logs masked messages; "webhook" POSTs JSON to MESSAGING_WEBHOOK_URL.
MESSAGING_GATEWAY = env.str("MESSAGING_GATEWAY", default="console")
MESSAGING_WEBHOOK_URL = env.str("MESSAGING_WEBHOOK_URL", default="")
MESSAGING_WEBHOOK_TOKEN = env.str("MESSAGING_WEBHOOK_TOKEN", default="")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kotapintar.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "auth_token": env.str("API_THROTTLE_AUTH_TOKEN", default="10/min"),
    },
    "EXCEPTION_HANDLER": "kotapintar.core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kota Pintar API",
    "DESCRIPTION": "API layanan publik Kota Pintar.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logging: one JSON object per line, with any 16-digit run masked --------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "kotapintar.core.logging.PersonalDataMaskingFilter"},
        "request_id": {"()": "kotapintar.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Drop Django's default "django" handlers (console in DEBUG, mail_admins with raw request
    # data): Django's lines propagate to the root handler and its masking filter instead.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
# Error reports (DEBUG pages, e-mails) hide settings and mask personal data in request data.
DEFAULT_EXCEPTION_REPORTER = "kotapintar.core.error_reporting.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "kotapintar.core.error_reporting.PersonalDataExceptionReporterFilter"
)
