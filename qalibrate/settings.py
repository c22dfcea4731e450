"""Django settings for Qalibrate, read from QALIBRATE_* environment variables (see README)."""

import ipaddress
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qalibrate import config

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(config.env_str("DATA_DIR", "var")).resolve()
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)

PRODUCTION = config.env_bool("PRODUCTION")
DEBUG = config.env_bool("DEBUG")
# One key for every machine: several nodes need it given (README "Running on several machines").
SECRET_KEY = config.secret_key(DATA_DIR, PRODUCTION, config.several_nodes_sign())
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "qalibrate.core",
    "qalibrate.accounts",
    "qalibrate.audit",
    "qalibrate.people",
    "qalibrate.scorecards",
    "qalibrate.contacts",
    "qalibrate.evaluations",
    "qalibrate.calibration",
    "qalibrate.double_scoring",
    "qalibrate.certification",
    "qalibrate.reports",
    "qalibrate.history",
    "qalibrate.demo",
    "qalibrate.api",
    "qalibrate.notifications",
    "qalibrate.webhooks",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First, so that its time and status are the whole request's (README "Health and metrics").
    "qalibrate.core.observability.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qalibrate.accounts.middleware.UserPreferencesMiddleware",
    # The request being answered, so the audit trail knows who acted and from where.
    "qalibrate.audit.middleware.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A full disk or read-only data folder: a 503 naming the cause, not the generic 500 page.
    "qalibrate.core.middleware.StorageErrorMiddleware",
    # Last, so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qalibrate.urls"
WSGI_APPLICATION = "qalibrate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qalibrate.core.context_processors.navigation",
                "qalibrate.notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {"default": config.database_config(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on with OpenID Connect (README "Single sign-on"): on when a client id is set.
OIDC_RP_CLIENT_ID = config.env_str("OIDC_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = config.env_str("OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = config.env_str("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = config.env_str("OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = config.env_str("OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = config.env_str("OIDC_JWKS_ENDPOINT")
OIDC_OP_LOGOUT_ENDPOINT = config.env_str("OIDC_END_SESSION_ENDPOINT")
OIDC_RP_SIGN_ALGO = config.env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = config.env_str("OIDC_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = config.env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_ROLE_MAP = config.env_map("OIDC_ROLE_MAP")
OIDC_TEAM_MAP = config.env_map("OIDC_TEAM_MAP")
OIDC_DEFAULT_ROLE = config.env_str("OIDC_DEFAULT_ROLE")
OIDC_BUTTON_LABEL = config.env_str("OIDC_BUTTON_LABEL", "single sign-on")
OIDC_ONLY = config.env_bool("OIDC_ONLY", False)
OIDC_CREATE_USER = True
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the provider's log-out needs it as a hint
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("qalibrate.accounts.oidc.QalibrateOIDCBackend")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# How long an invitation's link may be used (qalibrate.people).
INVITATION_VALID_DAYS = config.env_int("INVITATION_VALID_DAYS", 7, minimum=1)

# Throttling of failed log-ins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = config.env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=config.env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qalibrate.accounts.views.lockout"
AXES_VERBOSE = False
# And per address across user names (qalibrate/accounts/login_limits.py): this many failed
# log-ins from one address, for any user names, within AXES_COOLOFF_TIME refuse the address for
# as long. Counted by the handler below in axes' database rows, shared by every process.
LOGIN_ADDRESS_FAILURE_LIMIT = config.env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_HANDLER = "qalibrate.accounts.login_limits.LoginLimitHandler"
# The proxies in front of the app (e.g. 127.0.0.1 for deploy/nginx.conf): from them the client's
# address is read from X-Forwarded-For; from anyone else that header is ignored.
TRUSTED_PROXIES = [
    ipaddress.ip_network(network, strict=False)
    for network in config.env_list("TRUSTED_PROXIES", [])
]
AXES_CLIENT_IP_CALLABLE = "qalibrate.accounts.login_limits.client_address"

# The REST API (qalibrate/api, README "REST API"): personal tokens or the browser's session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qalibrate.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, nested at most 32 deep; bodies up to 2.5 MB, 10 MB for contacts/bulk/.
    "DEFAULT_PARSER_CLASSES": ["qalibrate.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "qalibrate.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "qalibrate.api.throttling.TokenRateThrottle",
        "qalibrate.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": f"{config.env_int('API_REQUESTS_PER_MINUTE', 1200, minimum=1)}/minute",
        "anon": "120/minute",
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qalibrate.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qalibrate API",
    "DESCRIPTION": (
        "Scorecards, contacts, evaluations, calibration sessions and their reports. "
        "Authenticate with a personal API token: `Authorization: Token <key>`."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "qalibrate.calibration.models.SessionStatus",
        "ActionStatusEnum": "qalibrate.calibration.models.ActionStatus",
        "EvaluationStatusEnum": "qalibrate.evaluations.models.EvaluationStatus",
        "ProgressStatusEnum": "qalibrate.calibration.serializers.PROGRESS_STATUSES",
        "ChannelEnum": "qalibrate.contacts.models.Channel",
        "VersionStatusEnum": "qalibrate.scorecards.models.VersionStatus",
        "NotificationKindEnum": "qalibrate.notifications.models.Kind",
        "CriterionKindEnum": "qalibrate.scorecards.models.CriterionKind",
        "CadenceKindEnum": "qalibrate.calibration.models.CadenceKind",
        "DriftKindEnum": "qalibrate.history.models.DriftKind",
        "ClarificationVerdictEnum": "qalibrate.history.criterion_selectors.VERDICTS",
        "FlagKindEnum": "qalibrate.calibration.models.FlagKind",
        "WebhookEventEnum": "qalibrate.webhooks.models.Event",
        "DeliveryStatusEnum": "qalibrate.webhooks.models.DeliveryStatus",
    },
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI puts them inside each operation's button, a link in a button
    # that keyboards and screen readers cannot reach (axe-core's nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
}

LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("sv", _("Swedish"))]
LANGUAGE_CODE = config.env_str("LANGUAGE", "en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"QALIBRATE_LANGUAGE must be one of en, ru, sv, got {LANGUAGE_CODE!r}"
    )
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["qalibrate.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = config.env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"QALIBRATE_TIME_ZONE is not a known time zone: {TIME_ZONE!r}")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    # Uploads and recordings: MEDIA_ROOT, or an S3-compatible bucket (QALIBRATE_MEDIA_STORAGE).
    "default": config.media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the packages' static folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = config.media_dir(DATA_DIR)
MEDIA_URL = "media/"

EMAIL_HOST = config.env_str("EMAIL_HOST")
EMAIL_PORT = config.env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = config.env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = config.env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "Qalibrate <qalibrate@localhost>")
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_email_backend = config.env_str("EMAIL_BACKEND", "smtp" if EMAIL_HOST else "file")
if _email_backend not in EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"QALIBRATE_EMAIL_BACKEND must be smtp, file or console, got {_email_backend!r}"
    )
EMAIL_BACKEND = EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = DATA_DIR / "mail"

# Links in e-mail and calendar files point here; UIDs of calendar events use its host name.
SITE_URL = config.env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CALENDAR_UID_DOMAIN = urlsplit(SITE_URL).hostname or "localhost"

# Background jobs (huey, qalibrate/notifications/tasks.py), run by `qalibrate worker`. With no
# QALIBRATE_REDIS_URL the queue is an SQLite file in DATA_DIR: no server to run, one machine.
# With Redis, workers on any number of machines share it.
REDIS_URL = config.env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"QALIBRATE_REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}"
    )
HUEY = {
    "name": "qalibrate",
    "immediate": config.env_bool("JOBS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": config.env_int("JOB_THREADS", 2, minimum=1), "worker_type": "thread"},
}
if REDIS_URL and "socket_connect_timeout" not in REDIS_URL:
    # A Redis host that drops packets must fail a request in seconds, not the system's minutes.
    separator = "&" if "?" in REDIS_URL else "?"
    REDIS_URL += f"{separator}socket_connect_timeout=3&socket_timeout=10"
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")}

# Caches. "default" keeps figures that never change once computed (a completed session's), in
# each process's memory. "shared" holds what every process must see alike, the API's request
# counts (qalibrate/api/throttling.py): in Redis with QALIBRATE_REDIS_URL (any number of
# machines), else in files in DATA_DIR/cache (the processes of one machine; no database write
# per request).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "qalibrate",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    ),
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Scripts only from this server's files: no inline script, no inline handler, no eval, so
# injected markup cannot run. Styles may be inline: the charts are SVG with their own styles.
# Redoc's search runs in a worker made from a blob.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if OIDC_ENABLED and OIDC_OP_LOGOUT_ENDPOINT:
    # Log-out is a form; after a single sign-on it ends at the provider's end-session address.
    _provider = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_provider.scheme}://{_provider.netloc}"
    )
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # In production every page is served over HTTPS (the proxy terminates TLS and says so in
    # X-Forwarded-Proto): plain HTTP is redirected, and browsers are told by HSTS to come back
    # over HTTPS only. The health checks and metrics stay reachable over plain HTTP, as probes
    # and scrapers inside the network call them.
    SECURE_SSL_REDIRECT = config.env_bool("SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
    SECURE_HSTS_SECONDS = config.env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = config.env_bool("HSTS_PRELOAD", True)

LOG_LEVEL = config.env_str("LOG_LEVEL", "WARNING").upper()
LOG_FORMAT = config.env_str("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"QALIBRATE_LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
# JSON logs are asked for to be read by machines: a line per request and per job comes with them.
_EVENT_LEVEL = "INFO" if LOG_FORMAT == "json" else LOG_LEVEL
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "qalibrate.core.log_filters.JsonFormatter"},
    },
    "filters": {
        "client_error_without_traceback": {
            "()": "qalibrate.core.log_filters.ClientErrorWithoutTraceback"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # A line per request (qalibrate/core/observability.py) and per background job run
        # (qalibrate/core/jobs_logging.py).
        "qalibrate.request": {"level": _EVENT_LEVEL},
        "qalibrate.jobs": {"level": _EVENT_LEVEL},
        # A 403 or 400 is logged in one line, without a traceback.
        "django.request": {"filters": ["client_error_without_traceback"]},
        # `qalibrate worker` (huey): one handler here, not propagated to the root's too (each line
        # was printed twice), and a line per task only when LOG_LEVEL asks for INFO; the worker's
        # start and stop ("huey.consumer") are always said.
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "huey.consumer": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "INFO"},
        "huey.consumer.Scheduler": {"level": LOG_LEVEL},
    },
}

# /metrics (README "Health and metrics"): a bearer token, or addresses allowed without one.
METRICS_TOKEN = config.env_str("METRICS_TOKEN")
METRICS_ALLOW = []
for _network in config.env_list("METRICS_ALLOW", ["127.0.0.1/32", "::1/128"]):
    try:
        METRICS_ALLOW.append(ipaddress.ip_network(_network, strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"QALIBRATE_METRICS_ALLOW must list addresses or networks, got {_network!r}"
        ) from None
