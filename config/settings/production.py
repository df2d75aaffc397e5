"""Production settings: HTTPS only, secrets required, PostgreSQL expected."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, STRIDE_RATE_LIMITS, STRIDE_STAFF_2FA, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: a missing secret stops the process

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The reverse proxy terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Staff two-factor authentication cannot be turned off in production (DEBUG is always False
# here): a stolen staff password must never be enough to open patients' records.
if not STRIDE_STAFF_2FA:
    raise ImproperlyConfigured(
        "STRIDE_STAFF_2FA=off is refused by config.settings.production; unset it."
    )

# STRIDE_RATE_LIMITS=off (no rate limits, no sign-in lockout) is for load tests and benchmarks
# on loopback: production accepts it only while every allowed host is a loopback name.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
if not STRIDE_RATE_LIMITS and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "STRIDE_RATE_LIMITS=off is refused by config.settings.production unless ALLOWED_HOSTS "
        "holds only loopback hosts (127.0.0.1, localhost, [::1]); unset it."
    )
