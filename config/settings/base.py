"""Settings shared by every environment; each value can be set from the environment.

Every variable read here is listed, with its default, in the README.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Development-only fallback; config.settings.production refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-stride-development-only-key-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]
THIRD_PARTY_APPS = [
    "csp",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "stride.core",
    "stride.accounts",
    "stride.scheduling",
    "stride.content",
    "stride.contact",
    "stride.programs",
    "stride.api",
    "stride.audit",
    "stride.fhir",
    "stride.integrations",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may answer early (2FA, lockout), so those answers are covered.
    "stride.core.middleware.PrivateNoStoreMiddleware",
    # Before sessions and everything that varies by visitor: answers visitors without a
    # session from the page cache, keeping the headers the middleware below adds.
    "stride.core.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: both may sign a staff member out or send them to the two-factor page.
    "stride.accounts.middleware.StaffIdleTimeoutMiddleware",
    "stride.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the 429 page.
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
                "csp.context_processors.nonce",
                "stride.core.context_processors.clinic",
            ],
        },
    }
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # on lock upgrade; WAL lets readers run beside the writer. Connections persist like
    # PostgreSQL's (DB_CONN_MAX_AGE): opening one runs these PRAGMAs and sets up the WAL
    # files, which cost several milliseconds a request.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"
# django-axes first: it refuses a locked-out username and IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "stride.accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
]
# A password reset link works once, for one hour.
PASSWORD_RESET_TIMEOUT = 3600

# Redis is optional: without REDIS_URL each process keeps its own small local cache, and
# shared state (rate-limit counters) lives in the database.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "stride.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "stride",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "stride",
        }
    }

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STRIDE_SERVE_MEDIA = env.bool("STRIDE_SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: files under var/mail in development (open them with any mail reader), SMTP when
# EMAIL_URL is set (smtp://user:password@host:587 or smtp+tls://...).
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Stride Physical Therapy <noreply@stride.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where contact messages are announced; the clinic location's email when empty.
STRIDE_CLINIC_INBOX = env.str("STRIDE_CLINIC_INBOX", default="")
# Sent (and expired) emails stay in the outbox this many days, for the admin, then are
# deleted by send_queued_email: they hold names, visit times and addresses.
STRIDE_EMAIL_RETENTION_DAYS = env.int("STRIDE_EMAIL_RETENTION_DAYS", default=7)

# Security headers on every response.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Rate limits: "<count>/<seconds>" per client IP. STRIDE_RATE_LIMITS=off disables all of them
# (load tests and benchmarks on loopback only).
STRIDE_RATE_LIMITS = env.str("STRIDE_RATE_LIMITS", default="on").lower() != "off"
STRIDE_RATE_LIMIT_CONTACT = env.str("STRIDE_RATE_LIMIT_CONTACT", default="5/3600")
STRIDE_RATE_LIMIT_LOGIN = env.str("STRIDE_RATE_LIMIT_LOGIN", default="10/600")
STRIDE_RATE_LIMIT_SIGN_IN_LINK = env.str("STRIDE_RATE_LIMIT_SIGN_IN_LINK", default="5/900")
STRIDE_RATE_LIMIT_BOOKING = env.str("STRIDE_RATE_LIMIT_BOOKING", default="30/3600")
STRIDE_RATE_LIMIT_PASSWORD_RESET = env.str("STRIDE_RATE_LIMIT_PASSWORD_RESET", default="5/900")
STRIDE_RATE_LIMIT_DATA_EXPORT = env.str("STRIDE_RATE_LIMIT_DATA_EXPORT", default="5/3600")
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
STRIDE_TRUSTED_PROXIES = env.int("STRIDE_TRUSTED_PROXIES", default=0)

# Webhooks never go to private, loopback or link-local addresses unless this allows it (for a
# clinic's own systems on its private network). Backups land in STRIDE_BACKUP_DIR; pg_dump and
# pg_restore come from STRIDE_PG_BINDIR when set (they must match the server's major version).
STRIDE_WEBHOOKS_ALLOW_PRIVATE = env.bool("STRIDE_WEBHOOKS_ALLOW_PRIVATE", default=False)
STRIDE_BACKUP_DIR = env.path("STRIDE_BACKUP_DIR", default=BASE_DIR / "var" / "backups")
STRIDE_PG_BINDIR = env.str("STRIDE_PG_BINDIR", default="")

# Sign-in lockout (django-axes): after STRIDE_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one IP, that pair is refused with the 429 page for the cool-off; a correct
# password resets the count. Attempts are kept in the database, shared by every app server.
# STRIDE_RATE_LIMITS=off turns the lockout off with the other limits.
AXES_ENABLED = STRIDE_RATE_LIMITS
AXES_FAILURE_LIMIT = env.int("STRIDE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("STRIDE_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Quiet: no start-up banner, and log lines name only the lockout parameters, not the user agent.
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "stride.accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "stride.accounts.lockout.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "stride.accounts.lockout.axes_lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Staff (therapists, front desk, clinic admins) are signed out after this many minutes
# without a request; patients keep SESSION_COOKIE_AGE.
STRIDE_STAFF_IDLE_MINUTES = env.int("STRIDE_STAFF_IDLE_MINUTES", default=30)
# Staff confirm each sign-in with an authenticator app (TOTP) or a one-time recovery code.
# Only "off" turns it off (a mistyped value keeps it on); production refuses "off".
STRIDE_STAFF_2FA = env.str("STRIDE_STAFF_2FA", default="on").lower() != "off"
# Staff personal API tokens (FHIR, API) need a current authenticator code to be made, stop
# working when the account's authenticator is removed, and expire after this many days.
STRIDE_STAFF_API_TOKEN_DAYS = env.int("STRIDE_STAFF_API_TOKEN_DAYS", default=30)
OTP_TOTP_ISSUER = "Stride"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; lockouts and failures (WARNING) are what matter,
    # and the audit log already records each sign-in.
    "loggers": {"axes": {"level": "WARNING"}},
}
