"""Settings for the test suite: in-memory email, fast hashing, rate limits on."""

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Argon2 stays the production hasher; tests hash faster.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STRIDE_RATE_LIMITS = True
AXES_ENABLED = True
# The suite's staff tests sign in with force_login; tests/test_two_factor.py turns it on.
STRIDE_STAFF_2FA = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
