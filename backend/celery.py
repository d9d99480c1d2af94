"""The Celery application. Tasks live in each app's ``tasks.py`` and are thin: ids in, a service call."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("sicrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
