"""Amparo settings: one module, read from the environment.

SQLite (var/amparo.sqlite3) is the default so a newcomer runs everything with no server;
PostgreSQL is used when DATABASE_URL is set, and is what production and CI run on.
With DEBUG off the app refuses to start without its secrets (see _require).
"""

import os
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AMPARO_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = _env_bool("DEBUG", False)


def _require(name: str) -> str:
    """Secrets have no production default: a missing one stops the app at start-up."""
    value = os.environ.get(name, "")
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return value


SECRET_KEY = _require("SECRET_KEY") or "insecure-development-only-secret-key-not-for-production-use"
# Field encryption: Fernet keys, newest first. The first encrypts, all of them decrypt,
# so a new key is added in front and `manage.py rotate_encryption_keys` re-encrypts.
FIELD_ENCRYPTION_KEYS = _env_list("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")
if not DEBUG and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a malformed key (each must be a Fernet key)."
        ) from _exc
if not DEBUG and len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must be set (32+ characters) when DEBUG is off.")

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS") or (
    ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")
# How many reverse proxies of ours stand in front of the app (for the client IP in the audit).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # sign-in rate limits per client, not per proxy

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    # Amparo
    "core",
    "jurisdictions",
    "accounts",
    "organisations",
    "audit",
    "crypto",
    "survivors",
    "cases",
    "documents",
    "safety",
    "proceedings",
    "reminders",
    "referrals",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "organisations.middleware.ActingOrganisationMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.NoStoreMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.amparo",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "amparo.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache every process shares, so login rate limits hold across workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "amparo_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: email login, no open sign-up (accounts come from invitations), generic errors.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60  # "sudo" window before sensitive actions
# Temporary limits on a shared cache: an attacker slows down, the real user is never locked out
# for good (each limit expires on its own).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Amparo"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
AMPARO_REQUIRE_MFA = _env_bool("AMPARO_REQUIRE_MFA", not DEBUG)

# Sessions: 30 minutes idle, 12 hours at most, ended when the password changes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AMPARO_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "es"
# Each language in its own name: the button offers the other language to whoever reads it.
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/La_Paz"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Production serves compressed, hashed files collected by `collectstatic`; development and the
# test suite serve them straight from the apps.
STATIC_MANIFEST = _env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Case documents, encrypted, in the default storage. Never served by URL (no MEDIA_URL route):
# only the download view, after the access gate, decrypts and sends them.
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: a file is checked and encrypted before it is written anywhere, so it must never be
# spooled to disk in clear. The only handler keeps uploads in memory, at most the limit plus one
# byte per request, and reports the real size so an oversized file gets the size message
# (documents/uploads.py). FILE_UPLOAD_MAX_MEMORY_SIZE is the same limit, for any code reading
# it. DATA_UPLOAD_MAX_MEMORY_SIZE bounds the other form fields (Django excludes files from it).
AMPARO_MAX_UPLOAD_BYTES = int(os.environ.get("AMPARO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = ["documents.uploads.BoundedMemoryUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = AMPARO_MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The stored files are ciphertext; still, no other account on the host needs to read them.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Content Security Policy (Django's own): no inline scripts or styles, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": (
            {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", 25)),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _env_bool("EMAIL_USE_TLS", False),
            }
            if "smtp" in os.environ.get("EMAIL_BACKEND", "smtp" if not DEBUG else "")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Amparo <no-reply@amparo.invalid>")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

AMPARO_DEMO = _env_bool("AMPARO_DEMO", False)
# Erasures are also written here, OUTSIDE the database and its backups: after restoring a
# backup, `manage.py apply_erasure_ledger` erases again everyone listed.
AMPARO_ERASURE_LEDGER = os.environ.get(
    "AMPARO_ERASURE_LEDGER", str(VAR_DIR / "erasure-ledger.jsonl")
)
AMPARO_INVITATION_DAYS = 7
AMPARO_API_TOKEN_MAX_DAYS = 365

# Logs are structured (one JSON object a line) and carry ids, never personal data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print the path (which may hold ids) and, at
        # DEBUG, the POST body: keep only warnings and our own structured lines.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Survivor reminders (reminders app; see docs/reminders.md) -------------------------------
# "outbox": reminders wait on /reminders/outbox/ for a coordinator to send them by hand.
# "http_sms": SMS reminders are POSTed as JSON {to, text} to AMPARO_SMS_URL (WhatsApp ones
# still go to the outbox: the gateway sends SMS only).
AMPARO_REMINDER_BACKEND = os.environ.get("AMPARO_REMINDER_BACKEND", "outbox").strip() or "outbox"
if AMPARO_REMINDER_BACKEND not in {"outbox", "http_sms"}:
    raise ImproperlyConfigured("AMPARO_REMINDER_BACKEND must be 'outbox' or 'http_sms'.")
AMPARO_REMINDER_LEAD_HOURS = int(os.environ.get("AMPARO_REMINDER_LEAD_HOURS", 24))
AMPARO_REMINDER_MIN_NOTICE_MINUTES = int(os.environ.get("AMPARO_REMINDER_MIN_NOTICE_MINUTES", 60))
AMPARO_REMINDER_PLAN_EVERY_MINUTES = int(os.environ.get("AMPARO_REMINDER_PLAN_EVERY_MINUTES", 15))
AMPARO_REMINDER_MAX_ATTEMPTS = int(os.environ.get("AMPARO_REMINDER_MAX_ATTEMPTS", 5))
AMPARO_REMINDER_RETRY_MINUTES = int(os.environ.get("AMPARO_REMINDER_RETRY_MINUTES", 5))
AMPARO_SMS_URL = os.environ.get("AMPARO_SMS_URL", "")
AMPARO_SMS_USER = os.environ.get("AMPARO_SMS_USER", "")
AMPARO_SMS_PASSWORD = os.environ.get("AMPARO_SMS_PASSWORD", "")
AMPARO_SMS_TOKEN = os.environ.get("AMPARO_SMS_TOKEN", "")
AMPARO_SMS_TIMEOUT_SECONDS = float(os.environ.get("AMPARO_SMS_TIMEOUT_SECONDS", 10))
AMPARO_SMS_COUNTRY_CODE = os.environ.get("AMPARO_SMS_COUNTRY_CODE", "591")
if AMPARO_REMINDER_BACKEND == "http_sms" and not AMPARO_SMS_URL:
    raise ImproperlyConfigured("AMPARO_SMS_URL must be set when AMPARO_REMINDER_BACKEND=http_sms.")
# --- end of survivor reminders ----------------------------------------------------------------
