"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
application = get_wsgi_application()


def _freeze_start_up_objects() -> None:
    """Load the URL conf (and with it every view module), then move everything loaded so far out of the
    garbage collector's reach: it lives as long as the process, and a full collection that walks it costs a
    request 85-113 ms (issue 15). Objects created later are collected as usual."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  imports the views
    gc.collect()
    gc.freeze()


_freeze_start_up_objects()
