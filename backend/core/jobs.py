"""Queueing a background task by its name. A service queues its own app's task this way rather than by importing
the task module, so the task module can import the service it runs and no import goes round in a circle."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from celery import current_app
from celery.exceptions import NotRegistered


def enqueue(task: str, *args: Any) -> None:
    """Queue the Celery task registered as ``task`` (its dotted path: module, then function) with ``args``."""
    try:
        registered = current_app.tasks[task]
    except NotRegistered:  # the web process imports a task module only when first needed (the worker: at start)
        import_module(task.rpartition(".")[0])
        registered = current_app.tasks[task]
    registered.delay(*args)
