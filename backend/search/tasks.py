"""Celery tasks of the search index: thin, idempotent, retried. Imported by ``backend.knowledge.tasks`` so
the worker registers them (the search package is not a Django app)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from backend.search.embedded import IndexBusy

RETRYABLE: tuple[type[BaseException], ...] = (IndexBusy, OperationalError, ConnectionError, TimeoutError)
try:  # the Elasticsearch client's connection and server errors
    from elastic_transport import TransportError

    RETRYABLE += (TransportError,)
except ImportError:  # pragma: no cover - the client is a dependency
    pass

RETRY = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": RETRYABLE,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 20,
}


@shared_task(**RETRY)
def index_documents(self, keys: list[str]) -> int:
    from backend.search.services import search_index_keys

    return sum(len(pks) for pks in search_index_keys(keys=keys).values())


@shared_task(**RETRY)
def flush_dirty(self) -> int:
    from backend.search.services import search_flush_dirty

    return search_flush_dirty()


@shared_task(**RETRY)
def reconcile(self) -> int:
    from backend.search.services import search_reconcile

    return search_reconcile().repaired
