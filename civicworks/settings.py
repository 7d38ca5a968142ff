"""CivicWorks settings.

Every environment variable is read once, here, typed. With nothing set the project runs
on an SQLite file with Celery tasks executed eagerly (``make run`` on a bare machine);
with ``DATABASE_URL`` / ``REDIS_URL`` / ``DJANGO_DEBUG=0`` it is production.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A dead PostgreSQL must turn into a quick 503, not a request that hangs.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    # No JIT: our statements are short, and compiling one costs more than running it (the
    # scorecards' statement: 134 ms of JIT in 194 ms). PgBouncer drops startup options: behind it,
    # set `jit = off` on the server (docs/deployment.md; `make cluster` does).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Behind PgBouncer in transaction pooling (DATABASE_POOLED=1) a connection is shared between
# transactions: no server-side cursors (`.iterator()` then fetches in chunks client-side), no
# session state. Keep CONN_MAX_AGE: it is a connection to PgBouncer, which is cheap.
DATABASE_POOLED = env.bool("DATABASE_POOLED", default=False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
# A streaming replica for the public reads that may lag (civicworks/db.py, docs/deployment.md).
# Unset: there is no replica and everything reads the primary.
if replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(replica_url)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_REPLICA_POOLED", default=False)
    # A replica that is down is skipped within a second, never a hanging request.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 1
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["OPTIONS"].setdefault("options", "-c jit=off")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["civicworks.db.ReplicaRouter"]
# The views whose GET/HEAD may read the replica (URL names; civicworks/db.py).
CIVICWORKS_REPLICA_VIEWS = env.list(
    "CIVICWORKS_REPLICA_VIEWS",
    default=[
        "projects:home",
        "projects:list",
        "projects:detail",
        "projects-api:list",
        "projects-api:map",
        "projects-api:detail",
        "projects-api:districts",
        "projects-api:departments",
        "feedback:list",
        "feedback:map-data",
        "feedback:nearby",
        "feedback:figures",
        "feedback:detail",
        "feedback:track",
        "feedback-api-hotspots",
        "hotspots",
        "opendata:index",
        "opendata:download",
        "opendata:departments",
        "opendata:departments-csv",
        "opendata:department",
        "opendata-oc4ids",
        "opendata-export",
        "opendata-department-league",
        "opendata-department",
        "evaluation:index",
        "evaluation:cycle",
        "evaluation-api-cycles",
        "evaluation-api-trend",
        "participation:need-list",
        "participation:annual-index",
        "participation:annual-list",
        "participation:honour-roll",
        "participation:cocreation-list",
        "participation:meeting-list",
    ],
)
# Read-your-writes: after a successful POST/PUT/PATCH/DELETE a person reads the primary this long.
CIVICWORKS_READ_YOUR_WRITES_SECONDS = env.int("CIVICWORKS_READ_YOUR_WRITES_SECONDS", default=30)
# A replica that failed is left alone by a process for this long (reads go to the primary).
CIVICWORKS_REPLICA_RETRY_SECONDS = env.int("CIVICWORKS_REPLICA_RETRY_SECONDS", default=10)

REDIS_URL = env.str("REDIS_URL", default="")

INSTALLED_APPS = [
    "civicworks.apps.ConsoleConfig",  # django.contrib.admin, with the console's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "js_lib_leaflet",
    "civicworks.accounts.axes_words.SignInProtectionConfig",  # django-axes, named in Chinese too
    "allauth",
    "allauth.account",
    "civicworks.accounts",
    "civicworks.notifications",
    "projects",
    "feedback",
    "evaluation",
    "participation",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "civicworks.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "civicworks.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it runs the view itself, to read it again from the primary when the replica fails.
    "civicworks.db.ReplicaMiddleware",
]

ROOT_URLCONF = "civicworks.urls"
WSGI_APPLICATION = "civicworks.wsgi.application"

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
                "civicworks.context_processors.site",
                "civicworks.notifications.context_processors.unread",
            ],
            "libraries": {
                "files": "civicworks.file_tags",
                "workflow": "civicworks.workflow_tags",
                "money": "civicworks.money",
            },
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "civicworks.accounts.backends.LockoutBackend",
    # Residents sign in with their e-mail address or username; staff keep their usernames.
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out: 5 failed log-ins from one address for one username lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("CIVICWORKS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CIVICWORKS_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The site's log-in form (allauth) names the field "login"; the console's keeps "username".
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "civicworks.accounts.backends.login_name"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Residents' accounts (django-allauth, accounts only): sign-up with an e-mail address, a
# password and a display name; the address is verified by a link. Verification is optional
# for signing in, but participation services refuse an unverified account (User.is_verified).
ACCOUNT_ADAPTER = "civicworks.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "civicworks.accounts.forms.ResidentSignupForm",
    "login": "civicworks.accounts.forms.LoginForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners do not confirm
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address, changed by verifying the new one
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Every limit explicit (allauth's defaults change between versions). "key" is the e-mail address.
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("CIVICWORKS_RATE_SIGNUP_PER_IP", default="5/h/ip"),
    "signup_email": env.str("CIVICWORKS_RATE_SIGNUP_PER_EMAIL", default="3/h/key"),  # our own, see forms.py
    "confirm_email": env.str("CIVICWORKS_RATE_VERIFICATION_MAIL", default="1/3m/key,5/d/key"),
    "reset_password": env.str("CIVICWORKS_RATE_PASSWORD_RESET", default="20/m/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "login": "30/m/ip",
    # Failed log-ins per account are django-axes's job (lock-out per username and address).
    "login_failed": "20/m/ip",
}
# Text-message codes for the phone number, counted in the database (works without Redis).
CIVICWORKS_PHONE_CODES_PER_10_MINUTES = env.int("CIVICWORKS_PHONE_CODES_PER_10_MINUTES", default=3)
CIVICWORKS_PHONE_CODES_PER_DAY = env.int("CIVICWORKS_PHONE_CODES_PER_DAY", default=10)

# Internationalisation: Simplified Chinese by default, English available. A first visit
# follows the browser's Accept-Language; the language switch stores the choice.
LANGUAGE_CODE = env.str("CIVICWORKS_LANGUAGE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("CIVICWORKS_TIME_ZONE", default="Asia/Shanghai")
# Chinese amounts grouped in threes (civicworks/formats); large amounts in 万元 on Chinese pages
# where the city prefers it (to the 100 yuan: a 31.50 expenditure no longer shows in the total).
FORMAT_MODULE_PATH = ["civicworks.formats"]
CIVICWORKS_MONEY_IN_WAN = env.bool("CIVICWORKS_MONEY_IN_WAN", default=False)
# Care mode (关怀模式) for older residents, remembered in this cookie for a year.
CIVICWORKS_CARE_COOKIE = "civicworks_care"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are never served by name: every URL is /files/<name>, a view that checks who
# asks (civicworks/files.py). Behind nginx set CIVICWORKS_MEDIA_ACCEL_REDIRECT to an `internal`
# location aliasing MEDIA_ROOT (e.g. /protected-media/): the view then only decides and nginx
# sends the bytes. Empty (the default): Django streams the file itself.
MEDIA_URL = "/files/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
CIVICWORKS_MEDIA_ACCEL_REDIRECT = env.str("CIVICWORKS_MEDIA_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": "civicworks.files.CheckedStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Several web nodes share their uploaded files: MEDIA_ROOT on a shared folder (NFS, a mounted
# volume), or CIVICWORKS_MEDIA_STORAGE=s3 for an S3-compatible object store (django-storages,
# civicworks/s3.py). Either way every URL still goes through the checking view.
CIVICWORKS_MEDIA_STORAGE = env.str("CIVICWORKS_MEDIA_STORAGE", default="files")
if CIVICWORKS_MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "civicworks.s3.CheckedS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("CIVICWORKS_S3_BUCKET"),
            "endpoint_url": env.str("CIVICWORKS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("CIVICWORKS_S3_REGION", default="") or None,
            "access_key": env.str("CIVICWORKS_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("CIVICWORKS_S3_SECRET_KEY", default="") or None,
            "location": env.str("CIVICWORKS_S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif CIVICWORKS_MEDIA_STORAGE != "files":
    raise ImproperlyConfigured("CIVICWORKS_MEDIA_STORAGE is 'files' (MEDIA_ROOT) or 's3'.")
# Tests and `make run` serve static files straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@civicworks.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages (civicworks/sms.py): the console backend in development, the HTTP gateway in production.
CIVICWORKS_SMS_BACKEND = env.str(
    "CIVICWORKS_SMS_BACKEND", default="civicworks.sms.ConsoleBackend" if DEBUG else "civicworks.sms.HttpBackend"
)
CIVICWORKS_SMS_GATEWAY_URL = env.str("CIVICWORKS_SMS_GATEWAY_URL", default="")
CIVICWORKS_SMS_GATEWAY_TOKEN = env.str("CIVICWORKS_SMS_GATEWAY_TOKEN", default="")
CIVICWORKS_SMS_GATEWAY_TIMEOUT = env.int("CIVICWORKS_SMS_GATEWAY_TIMEOUT", default=5)
CIVICWORKS_SMS_SENDER = env.str("CIVICWORKS_SMS_SENDER", default="CivicWorks")

if REDIS_URL:
    # Short timeouts: a dead Redis must cost a request a second at most, never hang it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Production transport security; `manage.py check --deploy` is clean with DJANGO_DEBUG=0.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# SQLite (the zero-configuration default) ignores the covering columns of PostgreSQL indexes
# (`Index(include=...)`, e.g. feedback's report_hotspot): expected, not worth a warning.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

# Product knobs.
CIVICWORKS = {
    "CITY_NAME": env.str("CIVICWORKS_CITY_NAME", default=""),
    "MAP_TILE_URL": env.str("CIVICWORKS_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "MAP_ATTRIBUTION": env.str("CIVICWORKS_MAP_ATTRIBUTION", default="© OpenStreetMap"),
    "MAP_CENTER": env.list("CIVICWORKS_MAP_CENTER", cast=float, default=[30.66, 104.06]),
    "MAP_ZOOM": env.int("CIVICWORKS_MAP_ZOOM", default=12),
}
CIVICWORKS_SITE_NAME = _("CivicWorks")
# The public address, for links in e-mails and webhooks (which have no request to build them from).
CIVICWORKS_SITE_URL = env.str("CIVICWORKS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Open data: the OC4IDS project-id prefix (register one with the OCP) and the licence.
CIVICWORKS_OC4IDS_PREFIX = env.str("CIVICWORKS_OC4IDS_PREFIX", default="oc4ids-civicworks-")
CIVICWORKS_OPEN_DATA_LICENSE = env.str(
    "CIVICWORKS_OPEN_DATA_LICENSE", default="https://creativecommons.org/licenses/by/4.0/"
)

# Content-Security-Policy: no inline scripts or styles anywhere; only the tile server is foreign.
_tile_origin = "{0.scheme}://{0.netloc}".format(urlsplit(CIVICWORKS["MAP_TILE_URL"])).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", _tile_origin],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "civicworks.api.exception_handler",  # a service's ValidationError is a 400
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Our JSON parser refuses what Python's would take but the database or a serializer cannot:
    # nesting 100,000 deep, NUL, lone surrogates (civicworks/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "civicworks.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "civicworks.api.KeysetPagination",  # ?cursor=, and ?page= up to 50
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CivicWorks API",
    "DESCRIPTION": "Civic improvement projects (民心工程), residents' reports and quarterly evaluation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: a real Redis broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# Without this a task whose worker is killed (-9) is acknowledged and lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Publishing while Redis is down must not hang a request: the outbox sweep re-sends later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 1, "socket_timeout": 2}
# The feedback outbox sweep: a lost task is re-sent within grace + interval (3 minutes by
# default). The fault tests shorten these through the environment; see docs/reliability.md.
FEEDBACK_SWEEP_GRACE_SECONDS = env.int("CIVICWORKS_SWEEP_GRACE_SECONDS", default=120)
FEEDBACK_SWEEP_INTERVAL_SECONDS = env.int("CIVICWORKS_SWEEP_INTERVAL_SECONDS", default=60)
FEEDBACK_RETRY_FIRST_SECONDS = env.int("CIVICWORKS_RETRY_FIRST_SECONDS", default=300)
FEEDBACK_RETRY_LATER_SECONDS = env.int("CIVICWORKS_RETRY_LATER_SECONDS", default=1800)
# PIPL / GDPR retention: reporters' personal data of reports closed more than this many days
# ago is removed by the daily task feedback.tasks.purge_personal_data (the report stays).
CIVICWORKS_RETENTION_DAYS = env.int("CIVICWORKS_RETENTION_DAYS", default=365)
# Days after a report's answer (or closing) before its reporter is asked "is it fixed?" (once).
CIVICWORKS_FIXED_QUESTION_DAYS = env.int("CIVICWORKS_FIXED_QUESTION_DAYS", default=28)
# Each app lists its periodic tasks in its own `schedule.py`; civicworks/celery.py merges them.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "civicworks.accounts.tasks.heartbeat", "schedule": timedelta(minutes=1)},
    "idempotency-purge": {"task": "civicworks.accounts.tasks.idempotency_purge", "schedule": timedelta(hours=24)},
    # Notification deliveries whose task the broker lost, and retries that are due.
    "notifications-sweep": {
        "task": "civicworks.notifications.tasks.sweep_deliveries",
        "schedule": timedelta(minutes=1),
    },
}
# Knobs of the apps, read here once (app code reads `settings.X`, never a default of its own).
CIVICWORKS_PROJECT_STALE_DAYS = env.int("CIVICWORKS_PROJECT_STALE_DAYS", default=30)  # a progress reminder after
CIVICWORKS_HOTSPOT_CACHE_SECONDS = env.int("CIVICWORKS_HOTSPOT_CACHE_SECONDS", default=60)
FEEDBACK_ANONYMOUS_PER_HOUR = env.int("CIVICWORKS_ANONYMOUS_REPORTS_PER_HOUR", default=10)  # per client address
PARTICIPATION_OBSERVER_QUOTA = env.int("CIVICWORKS_OBSERVER_QUOTA", default=3)  # observers per community
PARTICIPATION_POINT_RULES: dict[str, int] = {}  # overrides of participation.rules.DEFAULT_POINT_RULES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
