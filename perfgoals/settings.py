"""Settings for perfgoals, driven by environment variables.

SQLite (a file under ./data/) is the embedded default; set DATABASE_URL to use
PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/perfgoals.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default="False"):
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.getenv(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "False")
DEV = envbool("PERFGOALS_DEV", "False")
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not DEV:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set PERFGOALS_DEV=1 for local development)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "perfgoals.apps.AxesConfig",  # django-axes, named in Chinese
    "simple_history",
    "projects",
    "indicators",
    "results",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "perfgoals.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the login view's failures (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perfgoals.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "perfgoals.wsgi.application"

DATA_DIR = Path(os.getenv("PERFGOALS_DATA_DIR", BASE_DIR / "data"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'perfgoals.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The monitoring overview's covering index (INCLUDE columns) is a PostgreSQL feature; SQLite
# builds the plain index, as intended. Without this every command on SQLite (make run)
# printed the warning.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the texts of packages without a zh_Hans catalogue (django-axes in the admin).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("DJANGO_MANIFEST_STATIC", str(not DEBUG and not DEV))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development serves static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or DEV
WHITENOISE_AUTOREFRESH = DEBUG or DEV

# -- Security -------------------------------------------------------------------
# Secure by default; PERFGOALS_DEV (the Makefile and tests) and DJANGO_DEBUG relax
# only what plain-HTTP local use needs. Behind a TLS proxy set
# DJANGO_SECURE_PROXY_SSL_HEADER=1 so request.is_secure() trusts X-Forwarded-Proto.
SECURE = envbool("DJANGO_SECURE", str(not DEBUG and not DEV))
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", str(SECURE))
if envbool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", "31536000" if SECURE else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", str(SECURE))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_SECONDS", str(8 * 3600))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Everything is served from our own origin: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after 5 failures for a user name from one address, 15 minutes' pause.
AXES_FAILURE_LIMIT = envint("PERFGOALS_LOGIN_FAILURES", "5")
AXES_COOLOFF_TIME = envint("PERFGOALS_LOGIN_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Largest upload accepted by the import screens (bytes).
PERFGOALS_MAX_UPLOAD_BYTES = envint("PERFGOALS_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
# Largest form body besides files (bytes): room for the paste page's 500,000 characters
# (`projects.documents.limits.MAX_TEXT_CHARS`) even URL-encoded (9 bytes a Chinese character).
# A larger body is answered on the page it came from (`perfgoals.errors.bad_request`).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("PERFGOALS_MAX_POST_BYTES", str(6 * 1024 * 1024))

# Monitoring lights (results): a row or a project whose progress is below these shares
# of the expected progress is 黄 / 红; from PERFGOALS_LIGHT_AHEAD_FROM it is marked 超前.
PERFGOALS_LIGHT_YELLOW_BELOW = os.getenv("PERFGOALS_LIGHT_YELLOW_BELOW", "0.8")
PERFGOALS_LIGHT_RED_BELOW = os.getenv("PERFGOALS_LIGHT_RED_BELOW", "0.6")
PERFGOALS_LIGHT_AHEAD_FROM = os.getenv("PERFGOALS_LIGHT_AHEAD_FROM", "1.2")

# History (django-simple-history) is an audit trail: no screen may revert or edit it.
SIMPLE_HISTORY_REVERT_DISABLED = True

# -- Operations -----------------------------------------------------------------
# Persistent connections are checked before reuse, so a restarted PostgreSQL is
# picked up again without restarting the workers.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Everything goes to stderr (gunicorn and systemd/journald collect it): every
# 5xx with its traceback (django.request), every refused workflow step and
# import (perfgoals.*), and the database being away (perfgoals.errors).
LOG_LEVEL = os.getenv("PERFGOALS_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "perfgoals": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
    },
}
