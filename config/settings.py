"""Aftersales settings: everything that differs between installations comes from the environment."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")


def secret_key() -> str:
    """DJANGO_SECRET_KEY, else a random key made once and kept in var/ (so a demo needs no setup)."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = secret_key()
# Fernet keys for secrets stored in the database (comma-separated; the first encrypts, all decrypt).
# Empty: a key derived from SECRET_KEY (see aftersales/core/crypto.py); set it in production.
ENCRYPTION_KEYS = env_list("AFTERSALES_ENCRYPTION_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "crontask",
    "axes",
    "simple_history",
    "phonenumber_field",
    "aftersales.core",
    "aftersales.search",
    "aftersales.accounts",
    "aftersales.notifications",
    "aftersales.customers",
    "aftersales.sla",
    "aftersales.contracts",
    "aftersales.assets",
    "aftersales.tickets",
    "aftersales.dispatch",
    "aftersales.knowledge",
    "aftersales.parts",
    "aftersales.maintenance",
    "aftersales.intake",
    "aftersales.inbox",
    "aftersales.webhooks",
    "aftersales.quality",
    "aftersales.reports",
    "aftersales.demo",
    "aftersales.api",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "aftersales.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "aftersales.accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.notifications.context_processors.notifications",
            ],
        },
    },
]


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "aftersales.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CRONTASK = {"REDIS_URL": os.environ.get("REDIS_URL") or None}  # a lock so only one scheduler runs jobs
SLA_SWEEP_SECONDS = int(os.environ.get("AFTERSALES_SLA_SWEEP_SECONDS", "30"))
# Field service: one-time links (signing, change approval) expire; an unaccepted work order returns to the
# dispatcher after this long at most (sooner when the arrival clock would otherwise be at risk).
AFTERSALES_ONE_TIME_LINK_MINUTES = int(os.environ.get("AFTERSALES_ONE_TIME_LINK_MINUTES", "60"))
AFTERSALES_ACCEPT_WINDOW_MINUTES = int(os.environ.get("AFTERSALES_ACCEPT_WINDOW_MINUTES", "15"))
AFTERSALES_DEFAULT_TRAVEL_SPEED_KMH = int(os.environ.get("AFTERSALES_DEFAULT_TRAVEL_SPEED_KMH", "40"))
# Links in notifications point here (they are read outside any request).
AFTERSALES_BASE_URL = os.environ.get("AFTERSALES_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Lock an account (by username and IP) after repeated failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/tabler/css", BASE_DIR / "node_modules" / "@tabler" / "core" / "dist" / "css"),
    ("vendor/tabler/js", BASE_DIR / "node_modules" / "@tabler" / "core" / "dist" / "js"),
    ("vendor/tabler/img", BASE_DIR / "node_modules" / "@tabler" / "core" / "dist" / "img"),
    ("vendor/signature_pad", BASE_DIR / "node_modules" / "signature_pad" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or env_bool("AFTERSALES_PLAIN_STATIC"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Uploads are private: never under STATIC/MEDIA URLs, only served by a permission-checked view.
MEDIA_ROOT = Path(os.environ.get("AFTERSALES_MEDIA_ROOT", VAR_DIR / "uploads"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("AFTERSALES_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "aftersales.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "aftersales.api.ordering.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aftersales.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aftersales API",
    "DESCRIPTION": "After-sales service management: customers, contracts, assets and tickets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "aftersales.tickets.choices.Status",
        "TicketKindEnum": "aftersales.tickets.choices.Kind",
        "EventKindEnum": "aftersales.tickets.choices.EventKind",
        "LevelEnum": "aftersales.tickets.choices.Level",
        "ContractStatusEnum": "aftersales.contracts.choices.ContractStatus",
    },
}
if not DEBUG:
    # The browsable API is a development aid; production speaks JSON only.
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]

# With Redis, caches (and so API throttles) are shared by every web worker; without it, per process.
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

PHONENUMBER_DEFAULT_REGION = "CN"

MAILERS = {
    "default": {"BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "aftersales@localhost")

# Notifications: the outbox is delivered every NOTIFICATIONS_DELIVERY_SECONDS (and at once after urgent ones).
NOTIFICATIONS_DELIVERY_SECONDS = int(os.environ.get("AFTERSALES_NOTIFICATIONS_DELIVERY_SECONDS", "15"))
NOTIFICATIONS_RETRY_BASE_SECONDS = int(os.environ.get("AFTERSALES_NOTIFICATIONS_RETRY_BASE_SECONDS", "30"))  # doubles
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("AFTERSALES_NOTIFICATIONS_MAX_ATTEMPTS", "6"))
NOTIFICATIONS_DIGEST_MINUTES = int(os.environ.get("AFTERSALES_NOTIFICATIONS_DIGEST_MINUTES", "10"))
NOTIFICATIONS_LEASE_SECONDS = 300  # a message "sending" for longer was lost with its worker and is due again
NOTIFICATIONS_HTTP_TIMEOUT_SECONDS = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
