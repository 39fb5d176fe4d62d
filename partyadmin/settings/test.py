"""Tests: fixed keys, fast hashing. DATABASE_URL / REDIS_URL switch to PostgreSQL and Redis."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import REDIS_URL

SECRET_KEY = "test-secret-key-not-for-production"
FIELD_ENCRYPTION_KEY = "00112233445566778899aabbccddeeff"
BLIND_INDEX_KEY = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/partyadmin-test-media"))
# Unit tests run tasks in-process even when Redis is there; the worker tests start a real
# worker and switch eager mode off themselves.
CELERY_TASK_ALWAYS_EAGER = True
TEST_REDIS_URL = REDIS_URL
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The test server serves static files itself; WhiteNoise would only warn about STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
