"""Celery application. The beat schedule lives in code (settings.CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings.local")

app = Celery("partyadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
