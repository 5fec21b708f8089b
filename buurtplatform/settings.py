"""Settings for every environment; production differs from development by environment only.

Every value comes from an environment variable read through ``buurtplatform.env``;
see ``.env.example`` and the README for the table.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from buurtplatform.env import (
    env_bic,
    env_bool,
    env_bucket,
    env_decimal,
    env_iban,
    env_int,
    env_list,
    env_matching,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY if DEBUG else None)
if not SECRET_KEY or (not DEBUG and (SECRET_KEY == _DEV_KEY or len(SECRET_KEY) < 40)):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 40 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
# The stadsdeel this site serves (Zuidoost = T); forms offer only its buurten.
DISTRICT_CODE = env_str("DISTRICT_CODE", "T") or "T"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The name people see in e-mails and page titles.
SITE_NAME = env_str("SITE_NAME", "Buurtplatform Zuidoost") or "Buurtplatform Zuidoost"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "buurtplatform",
    "accounts",
    "audit",
    "areas",
    "platforms",
    "recognition",
    "budgets",
    "reports",
    "workflows",
]

MIDDLEWARE = [
    # First: every log line of the request, and the response, carry its id (X-Request-ID).
    "buurtplatform.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "buurtplatform.requestguard.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the page cache, before sessions and the view (and the
    # Cache-Control of every page: public for those, private for logged-in people).
    "buurtplatform.cachemiddleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "accounts.middleware.PrivilegedIdleTimeoutMiddleware",
    "buurtplatform.unavailable.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "buurtplatform.urls"
WSGI_APPLICATION = "buurtplatform.wsgi.application"

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
                "accounts.context_processors.roles",
                "workflows.context_processors.my_platform_link",
            ],
            # The one money, number and score format of the site (see buurtplatform/formatting.py).
            # buurtplatform.languagelinks: the language switch's links ({% other_language_url %}).
            "builtins": ["buurtplatform.formatting", "buurtplatform.languagelinks"],
        },
    }
]

# Database: a SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_RESET_TIMEOUT = 3600

# Redis: the task broker when set; otherwise tasks run eagerly in-process. The cache lives in
# another Redis database (CACHE_URL; by default database 1 of the same server), so a full
# cache never evicts queued tasks: run the cache with maxmemory and allkeys-lru, the broker
# with noeviction (docker-compose.yml runs two Redis servers that way).
REDIS_URL = env_str("REDIS_URL", "") or ""


def _cache_database(url: str) -> str:
    """redis://host:6379/0 -> redis://host:6379/1 (the broker's neighbour database)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    other = "1" if current != "1" else "2"
    return urlunsplit(parts._replace(path=f"/{other}"))


CACHE_URL = env_str("CACHE_URL", "") or (_cache_database(REDIS_URL) if REDIS_URL else "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 0.5}
CELERY_TIMEZONE = "Europe/Amsterdam"
# Workers log through LOGGING below (JSON lines, request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}  # filled by the apps in buurtplatform/celery.py
# Public pages are cached this many seconds in CACHES["default"] (buurtplatform.pagecache);
# 0 switches the cache off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300, minimum=0)
# Each web process keeps the hottest cached pages in its own memory too (this many MB; 0: off)
# and reads the data version (a database row) at most once per PUBLIC_PAGE_VERSION_SECONDS
# (0: on every request), so a page another machine invalidated is served at most that long.
PUBLIC_PAGE_LOCAL_MB = env_int("PUBLIC_PAGE_LOCAL_MB", 32, minimum=0)
PUBLIC_PAGE_VERSION_SECONDS = env_int("PUBLIC_PAGE_VERSION_SECONDS", 1, minimum=0)


# E-mail: EMAIL_URL like smtp://user:pass@host:587?tls=1; default prints to the console.
def _email_settings(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme in ("console", ""):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be console, smtp or smtps: {url!r}")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in ("1", "true"),
        "EMAIL_TIMEOUT": 10,
    }


globals().update(_email_settings(env_str("EMAIL_URL", "console://") or "console://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Buurtplatform <noreply@buurtplatform.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "ondersteuning@buurtplatform.local")

# SEPA: the support organisation's account that payment batches (pain.001) are paid from.
# DEBUG=1 uses a demo account; with DEBUG off all three are required and checked, and the
# well-known example IBAN from bank documentation is refused.
_DEMO_SEPA_DEBTOR = ("Ondersteuningsorganisatie Zuidoost (demo)", "NL81INGB0008675309", "INGBNL2A")
_EXAMPLE_IBAN = "NL91ABNA0417164300"
SEPA_DEBTOR_NAME = (env_str("SEPA_DEBTOR_NAME", "") or "").strip() or (
    _DEMO_SEPA_DEBTOR[0] if DEBUG else ""
)
SEPA_DEBTOR_IBAN = env_iban("SEPA_DEBTOR_IBAN", _DEMO_SEPA_DEBTOR[1] if DEBUG else None)
SEPA_DEBTOR_BIC = env_bic("SEPA_DEBTOR_BIC", _DEMO_SEPA_DEBTOR[2] if DEBUG else None)
_missing_sepa = [
    name
    for name, value in (
        ("SEPA_DEBTOR_NAME", SEPA_DEBTOR_NAME),
        ("SEPA_DEBTOR_IBAN", SEPA_DEBTOR_IBAN),
        ("SEPA_DEBTOR_BIC", SEPA_DEBTOR_BIC),
    )
    if not value
]
if _missing_sepa:
    raise ImproperlyConfigured(
        f"{', '.join(_missing_sepa)} must be set when DEBUG is off:"
        " the account SEPA payment batches are paid from."
    )
if not DEBUG and SEPA_DEBTOR_IBAN == _EXAMPLE_IBAN:
    raise ImproperlyConfigured(
        f"SEPA_DEBTOR_IBAN is the example IBAN {_EXAMPLE_IBAN} from bank documentation;"
        " set the support organisation's real account."
    )

# Four eyes (budgets.permissions.needs_second_approval): a claim above this amount (in euros),
# any overspend, any reversal and any year close need a second, different support person.
FOUR_EYES_THRESHOLD = env_decimal("FOUR_EYES_THRESHOLD", "500.00", minimum="0")
# A budget's year is closed after it ends; 1 also allows closing a fully spent budget early.
YEAR_CLOSE_EARLY_WHEN_SPENT = env_bool("YEAR_CLOSE_EARLY_WHEN_SPENT", False)

# Internationalisation: Dutch at /, English at /en/.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Public media (re-encoded logos and photos) under MEDIA_ROOT/public, served at /media/;
# private uploads (receipts, evidence) under MEDIA_ROOT/private, only through permission views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
REPORTS_ROOT = MEDIA_ROOT / "reports"
# Shared storage (buurtplatform/storage.py): with STORAGE_URL every upload and generated report
# lives in that S3 bucket (MinIO or any S3) under public/, private/ and reports/, so several
# web and worker machines share them; without it, the local MEDIA_ROOT folders above.
STORAGE_URL = env_bucket("STORAGE_URL")
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID", "") or ""
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY", "") or ""
if STORAGE_URL:
    _bucket = {
        "bucket_name": STORAGE_URL["bucket"],
        "endpoint_url": STORAGE_URL.get("endpoint_url") or None,
        "region_name": STORAGE_URL.get("region") or None,
        # MinIO and most S3-compatible services want path-style addresses.
        "addressing_style": STORAGE_URL.get("addressing_style")
        or ("path" if STORAGE_URL.get("endpoint_url") else None),
        "access_key": AWS_ACCESS_KEY_ID or None,
        "secret_key": AWS_SECRET_ACCESS_KEY or None,
    }
    STORAGES["default"] = {
        "BACKEND": "buurtplatform.storage.BucketStorage",
        "OPTIONS": {**_bucket, "public_url": STORAGE_URL.get("public_url", "")},
    }
    STORAGES["reports"] = {
        "BACKEND": "buurtplatform.storage.BucketStorage",
        "OPTIONS": {**_bucket, "location": "reports"},
    }
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# A PDF report with more rows than this fails cleanly instead of rendering for minutes.
REPORTS_MAX_ROWS = env_int("REPORTS_MAX_ROWS", 5000, minimum=1)
# Backups (workflows/backup.py, `manage.py backup` / `restore`): archives go to BACKUP_DIR;
# the retention keeps the newest archive of each of the last BACKUP_KEEP_DAILY days and of the
# last BACKUP_KEEP_MONTHLY months.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")) or BASE_DIR / "backups")
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 14, minimum=1)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12, minimum=0)
# 360Giving open data (reports/threesixty.py): the funder as an org-id.guide identifier
# (Gemeente Amsterdam in the KvK register), its department, and the 360G prefix that
# 360Giving registered for this publisher (every grant id starts with it).
THREESIXTY_FUNDER_ID = env_matching(
    "THREESIXTY_FUNDER_ID",
    "NL-KVK-34366966",
    r"[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9._-]+",
    "an org-id.guide identifier such as NL-KVK-34366966",
)
THREESIXTY_FUNDER_NAME = (
    env_str("THREESIXTY_FUNDER_NAME", "Gemeente Amsterdam") or "Gemeente Amsterdam"
).strip()
THREESIXTY_FUNDER_DEPARTMENT = (
    env_str("THREESIXTY_FUNDER_DEPARTMENT", "Stadsdeel Zuidoost") or ""
).strip()
THREESIXTY_PREFIX = env_matching(
    "THREESIXTY_PREFIX",
    "360G-buurtplatform-zuidoost",
    r"360G-[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]",
    "a 360Giving identifier prefix: 360G- and a short code, e.g. 360G-buurtplatform-zuidoost",
)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Mail the person when their password, e-mail address or two-factor settings change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Counted in CACHES["default"]: Redis in production, so every web worker shares the counters.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Buurtplatform] "
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Buurtplatform Zuidoost"
# Two-factor authentication for commission, support and administrators: on in production
# unless switched off explicitly (the privacy page promises it); off by default with DEBUG.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", not DEBUG)
# Commission, support and administrators are logged out after this many idle seconds.
PRIVILEGED_IDLE_TIMEOUT = env_int("PRIVILEGED_IDLE_TIMEOUT", 30 * 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

ADMIN_URL = (env_str("ADMIN_URL", "beheer/django/") or "beheer/django/").strip("/") + "/"

# Security: HTTPS_ONLY defaults to on when DEBUG is off.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS_ONLY else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS_ONLY else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# audit.redaction masks IBANs, passwords, tokens and session keys in every log record
# (installed as the log record factory in audit.apps; the handler filter is a second net).
# Every line carries the request id (buurtplatform.requestid); LOG_FORMAT "json" writes one
# JSON object per line (the default when DEBUG is off), "plain" is for people (DEBUG).
LOG_FORMAT = env_matching(
    "LOG_FORMAT", "plain" if DEBUG else "json", r"json|plain", "json or plain"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "audit.redaction.RedactingFilter"},
        "request_id": {"()": "buurtplatform.requestid.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "buurtplatform.requestid.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security": {"level": "INFO"},
        "buurtplatform.security": {"level": "INFO"},
    },
}

# Monitoring (workflows/status.py, README "Bewaking / Monitoring"): /status is for staff, or
# for a machine that sends this token (Authorization: Bearer …); empty means staff only.
STATUS_TOKEN = env_str("STATUS_TOKEN", "") or ""
if STATUS_TOKEN and len(STATUS_TOKEN) < 32:
    raise ImproperlyConfigured("STATUS_TOKEN must be at least 32 characters (or empty)")

# Error reporting: with a DSN, errors go to Sentry (pip install '.[sentry]'); without one
# sentry_sdk is never imported.
SENTRY_DSN = env_str("SENTRY_DSN", "") or ""
if SENTRY_DSN:
    from buurtplatform.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment="development" if DEBUG else "production")
