"""DOST settings: one module, driven by environment variables.

The defaults are the embedded mode (SQLite in ./var, debug on, tasks in-process).
Production is switched on explicitly with DOST_PRODUCTION=1, which also requires a SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("DOST_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
DATA_DIR = Path(env_str("DOST_DATA_DIR", str(BASE_DIR / "var")))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) when DOST_PRODUCTION=1.")
    SECRET_KEY = "embedded-mode-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Which country's rulebook, ID format and reference data this installation runs.
DOST_COUNTRY = env_str("DOST_COUNTRY", "az").lower()
if DOST_COUNTRY not in {"az", "uz"}:
    raise ImproperlyConfigured("DOST_COUNTRY must be 'az' or 'uz'.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "dost.registry",
    "dost.audit",
    "dost.population",
    "dost.catalog",
    "dost.cases",
    "dost.benefits",
    "dost.proactive",
    "dost.centres",
    "dost.api",
    "dost.security",
    "dost.portal",
    "dost.backoffice",
    "dost.certificates",
    "ninja",
    # Staff second factor (TOTP) and sign-in throttling: see docs/security.md.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    # First: /api/ calls (key-authenticated) run this list without the browser-only entries.
    "dost.api.middleware.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: OTP marks the user verified; the gate sends unverified staff to
    # the second step before the admin; axes last, as its documentation requires.
    "django_otp.middleware.OTPMiddleware",
    "dost.security.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dost.urls"
WSGI_APPLICATION = "dost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dost" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'dost.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE avoids "database is locked"
    # upgrades from read to write inside one transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The embedded database lives in DATA_DIR; a fresh clone has no such folder yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "az" if DOST_COUNTRY == "az" else "uz")
LANGUAGES = [
    ("az", _("Azerbaijani")),
    ("uz", _("Uzbek")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "dost" / "locale"]
LOCALE_PATHS += [BASE_DIR / "dost" / "portal" / "tools" / "locale"]  # a package, not an app
TIME_ZONE = env_str("TIME_ZONE", "Asia/Baku" if DOST_COUNTRY == "az" else "Asia/Tashkent")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Web processes and task workers share cached results (policy simulations): in production a
# database table all of them reach (`dost createcachetable`), in the embedded mode memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dost_cache"}
    if PRODUCTION else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
STATIC_ROOT = DATA_DIR / "static"
# Project-wide assets (site.css, site.js) that belong to no one app.
STATICFILES_DIRS = [BASE_DIR / "dost" / "static"]
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {
    "default": {
        # Embedded mode runs tasks in-process; production points at the database queue
        # served by `dost db_worker`.
        "BACKEND": env_str(
            "DOST_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend"
            if PRODUCTION
            else "django.tasks.backends.immediate.ImmediateBackend",
        ),
        "QUEUES": ["default"],
    }
}

# E-mail: printed to the console in embedded mode; SMTP from the environment in production.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "DOST <no-reply@dost.localhost>")
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": int(env_str("EMAIL_PORT", "25")),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if PRODUCTION
        else {},
    }
}

# Shared secret of the SMS gateway that posts citizens' replies (ratings); empty = endpoint closed.
DOST_SMS_INBOUND_TOKEN = os.environ.get("DOST_SMS_INBOUND_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; failures and lock-outs are WARNING. WeasyPrint
    # logs each step of every PDF (and of its own import) at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Where the access rules in dost/security/access.py send someone who is not signed in.
LOGIN_URL = "security:login"
LOGIN_REDIRECT_URL = "home"
DOST_STAFF_LOGIN_URL = "security:login"
DOST_CITIZEN_LOGIN_URL = "portal:login"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "dost.portal.oidc.CitizenOIDCBackend",
]

# Citizens sign in through the national eID, an OpenID Connect provider (mozilla-django-oidc).
# Empty client ID: OIDC is off and, outside production, the demo's local citizen sign-in is shown.
OIDC_RP_CLIENT_ID = env_str("DOST_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("DOST_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("DOST_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("DOST_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("DOST_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("DOST_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("DOST_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("DOST_OIDC_SCOPES", "openid profile")
# The claim that carries the personal ID (FIN in Azerbaijan, PINFL in Uzbekistan).
DOST_OIDC_PERSONAL_ID_CLAIM = env_str("DOST_OIDC_PERSONAL_ID_CLAIM", "personal_id")
DOST_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
DOST_DEMO_CITIZEN_SIGN_IN = not PRODUCTION
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:oidc_callback"
X_FRAME_OPTIONS = "DENY"

# Security app (docs/security.md). Staff must pass a TOTP second factor before any staff page.
DOST_STAFF_2FA = env_bool("DOST_STAFF_2FA", True)
OTP_TOTP_ISSUER = env_str("DOST_OTP_ISSUER", "DOST")
# Lock-out after 5 failed sign-ins for one username from one address, for 30 minutes.
AXES_FAILURE_LIMIT = int(env_str("DOST_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env_str("DOST_AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Sessions: 8 hours at most; staff sessions also end when the browser closes (see the
# sign-in view), citizens keep theirs for the portal's convenience within the same limit.
SESSION_COOKIE_AGE = int(env_str("DOST_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Uploads: the largest file accepted by dost.security.uploads.validate_upload.
DOST_UPLOAD_MAX_BYTES = int(env_str("DOST_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Key of the pseudonyms in analysts' extracts (HMAC-SHA256). Set it apart from SECRET_KEY in
# production, so that rotating the one does not re-key the other; unset, it derives from it.
DOST_PSEUDONYM_KEY = env_str("DOST_PSEUDONYM_KEY", "") or "pseudonyms-" + SECRET_KEY
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
