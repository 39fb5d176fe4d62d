"""Settings for benchmarks: the test settings (fixed keys, fast hashing) with DEBUG off, so
Django does not record every query, on the database DATABASE_URL names."""

from partyadmin.settings.test import *  # noqa: F403
from partyadmin.settings.test import ALLOWED_HOSTS

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # the test client's host name
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
