"""One settings module, configured from environment variables.

Every value has a development default so `make run` works with no configuration; the defaults
refuse to serve with DEBUG off (see `_require_production_secret`). Secrets may also be given as
`NAME_FILE` pointing at a file (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from NAME, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Parse sqlite:///path or postgres://user:pass@host:port/name?options into DATABASES."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:////abs/path is absolute, sqlite:///rel/path relative (as dj-database-url).
        name = unquote(parts.path)[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(DATA_DIR / "crowdstudio.sqlite3"),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(env_str("CROWDSTUDIO_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-8c1f"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI's files locally for /api/docs (no CDN)
    "crowdstudio.accounts",
    "crowdstudio.audit",
    "crowdstudio.campaigns",
    "crowdstudio.entries",
    "crowdstudio.community",
    "crowdstudio.voting",
    "crowdstudio.judging",
    "crowdstudio.awards",
    "crowdstudio.social",
    "crowdstudio.rights",
    "crowdstudio.studio",
    "crowdstudio.screenplays",
    "crowdstudio.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crowdstudio.lib.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "crowdstudio.urls"
WSGI_APPLICATION = "crowdstudio.wsgi.application"
ASGI_APPLICATION = "crowdstudio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crowdstudio.accounts.context_processors.memberships",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'crowdstudio.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crowdstudio <noreply@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the source folders; production runs
# `crowdstudio collectstatic` into STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Originals and quarantined uploads: never under MEDIA_ROOT, never served by any URL.
ORIGINALS_ROOT = DATA_DIR / "originals"
# Works the studio makes (rendered videos, table reads): private, downloaded through views that
# check permissions, never served from a path.
WORKS_ROOT = DATA_DIR / "works"

_S3_BUCKET = env_str("S3_BUCKET")
if _S3_BUCKET:
    _s3_common = {
        "bucket_name": _S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "region_name": env_str("S3_REGION") or None,
        "file_overwrite": False,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "public",
                "default_acl": None,
                "querystring_auth": False,
            },
        },
        "originals": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "originals",
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
        "works": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "works",
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
        },
        "originals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(ORIGINALS_ROOT), "base_url": None},
        },
        "works": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(WORKS_ROOT), "base_url": None},
        },
        "staticfiles": {
            "BACKEND": (
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            )
        },
    }
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# Uploads: the request body may be large (video), but bigger files stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
CROWDSTUDIO_MAX_UPLOAD_BYTES = env_int("CROWDSTUDIO_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
CROWDSTUDIO_MAX_FILES_PER_ENTRY = env_int("CROWDSTUDIO_MAX_FILES_PER_ENTRY", 10)
CROWDSTUDIO_INTAKE_MAX_ATTEMPTS = env_int("CROWDSTUDIO_INTAKE_MAX_ATTEMPTS", 3)
CROWDSTUDIO_INTAKE_LEASE_SECONDS = env_int("CROWDSTUDIO_INTAKE_LEASE_SECONDS", 600)
CROWDSTUDIO_NEAR_DUPLICATE_DISTANCE = env_int("CROWDSTUDIO_NEAR_DUPLICATE_DISTANCE", 6)
CROWDSTUDIO_COMMENT_EDIT_MINUTES = env_int("CROWDSTUDIO_COMMENT_EDIT_MINUTES", 15)
CROWDSTUDIO_DIGEST_DEFAULT = env_str("CROWDSTUDIO_DIGEST_DEFAULT", "daily")
# Studio work in the background: renders and table reads hold a lease while they run, so a
# killed worker's job is picked up again by the next worker's sweep.
CROWDSTUDIO_MONTAGE_LEASE_SECONDS = env_int("CROWDSTUDIO_MONTAGE_LEASE_SECONDS", 1800)
CROWDSTUDIO_MONTAGE_MAX_ATTEMPTS = env_int("CROWDSTUDIO_MONTAGE_MAX_ATTEMPTS", 3)
CROWDSTUDIO_TABLE_READ_ENGINE = env_str("CROWDSTUDIO_TABLE_READ_ENGINE", "espeak")
CROWDSTUDIO_TABLE_READ_LEASE_SECONDS = env_int("CROWDSTUDIO_TABLE_READ_LEASE_SECONDS", 900)
CROWDSTUDIO_TABLE_READ_MAX_ATTEMPTS = env_int("CROWDSTUDIO_TABLE_READ_MAX_ATTEMPTS", 3)
CROWDSTUDIO_SCRIPT_MAX_BYTES = env_int("CROWDSTUDIO_SCRIPT_MAX_BYTES", 10 * 1024 * 1024)

# Payouts: "manual" (finance marks payments made) or "stripe" (Stripe Connect transfers).
CROWDSTUDIO_PAYOUT_PROVIDER = env_str("CROWDSTUDIO_PAYOUT_PROVIDER", "manual")
STRIPE_API_KEY = env_str("STRIPE_API_KEY", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_TIMEOUT = env_int("STRIPE_TIMEOUT", 30)

# Keys for fields stored encrypted (payee tax ids, social network tokens): Fernet keys, newest
# first and comma-separated, so an old key can still decrypt while data is re-encrypted. The
# development default is derived from SECRET_KEY; production must set its own (a lost or
# changed SECRET_KEY must not make stored tax ids unreadable, nor the other way round).
_DEV_FIELD_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"crowdstudio-field-key:" + SECRET_KEY.encode()).digest()
).decode()
CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_str("FIELD_ENCRYPTION_KEYS", "" if not DEBUG else _DEV_FIELD_KEY).split(",")
    if key.strip()
]
if not CROWDSTUDIO_FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (a Fernet key: 32 url-safe base64 bytes) when DEBUG is off."
    )

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
