"""Model changes → index tasks, after commit (DESIGN.md §8 search consistency).

Signals of every registered model (and of the rows they watch) add document keys to a batch that is
registered with ``transaction.on_commit`` at the current savepoint level (consecutive changes at one level
share it); at commit each batch sends one idempotent Celery task per chunk of keys. A rolled-back
transaction (or savepoint) drops its batches, so nothing is indexed for it. In tests that run on-commit
callbacks by hand (``django_capture_on_commit_callbacks(execute=True)``), wrap every write that must be
indexed: a change queued at the level of an earlier, never-run batch joins that batch. Writes that bypass signals
(``QuerySet.update``, raw SQL) are not seen here: the dirty flag of the knowledge models and the periodic
reconcile catch those,.

This module must not build documents or touch the index: the task reads the committed rows.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from backend.search import registry
from backend.search.documents import doc_key

log = logging.getLogger(__name__)
CHUNK = 500
_connected = False


class _Batch:
    """The keys queued at one savepoint level, as one on-commit callback at that level: Django drops it (and
    its keys) when that savepoint or the transaction rolls back, and runs it after a commit."""

    def __init__(self, keys: set[str]):
        self.keys = set(keys)
        self.done = False

    def __call__(self) -> None:
        self.done = True
        send(self.keys)


def send(keys: Iterable[str]) -> None:
    """Queue the index task for ``keys`` now (after commit)."""
    from backend.search.tasks import index_documents

    ordered = sorted(set(keys))
    for start in range(0, len(ordered), CHUNK):
        index_documents.delay(ordered[start : start + CHUNK])


_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("search_indexing_suspended", default=False)


@contextmanager
def suspended() -> Iterator[None]:
    """Queue no index work inside this block: for bulk loads (the demo) that rebuild the index afterwards."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def enqueue(keys: Iterable[str]) -> None:
    """Index ``keys`` once the current transaction commits (at once outside a transaction). Consecutive
    changes at one savepoint level share a batch, so a service call normally sends one task."""
    wanted = set(keys)
    if not wanted or _suspended.get():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        send(wanted)
        return
    # None marks an atomic block without a savepoint (e.g. the one in a many-to-many set()): it is never
    # rolled back on its own, so it does not make a level of its own
    level = set(connection.savepoint_ids) - {None}
    hooks = connection.run_on_commit  # [(savepoint ids, callback, robust)]: Django's on-commit list
    last = hooks[-1] if hooks else None
    if last is not None and isinstance(last[1], _Batch) and not last[1].done and last[0] - {None} == level:
        last[1].keys |= wanted
        return
    # robust: a broker that is down must not turn a committed request into an error; reconcile repairs it
    transaction.on_commit(_Batch(wanted), robust=True)


def enqueue_objects(type_: str, pks: Iterable[int | None]) -> None:
    enqueue(doc_key(type_, pk) for pk in pks if pk is not None)


def _resolve(model: type[models.Model] | str) -> type[models.Model]:
    return apps.get_model(model) if isinstance(model, str) else model


def connect_signals() -> None:
    """Connect the signals of every registered index and of what it watches (once per process)."""
    global _connected
    if _connected:
        return
    _connected = True
    for index in registry.indexes():
        _connect_own(index)
        for watch in index.watches:
            if isinstance(watch, registry.M2MWatch):
                _connect_m2m(index, watch)
            else:
                _connect_watch(index, watch)


def _connect_own(index: registry.SearchIndex) -> None:
    def changed(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        enqueue_objects(index.type, [instance.pk])

    post_save.connect(changed, sender=index.model, weak=False, dispatch_uid=f"search-{index.type}-save")
    post_delete.connect(changed, sender=index.model, weak=False, dispatch_uid=f"search-{index.type}-delete")


def _connect_watch(index: registry.SearchIndex, watch: registry.Watch) -> None:
    model = _resolve(watch.model)

    def changed(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        update_fields = kwargs.get("update_fields")
        if watch.fields is not None and update_fields is not None and not (set(update_fields) & watch.fields):
            return
        enqueue_objects(index.type, watch.pks(instance))

    uid = f"search-{index.type}-watch-{model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")


def _connect_m2m(index: registry.SearchIndex, watch: registry.M2MWatch) -> None:
    through = watch.through()

    def changed(
        sender: Any, instance: models.Model, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
    ) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            enqueue_objects(index.type, watch.pks(instance, reverse, pk_set))
        elif action == "pre_clear" and reverse:
            # after a reverse clear the ids are gone: take them now
            enqueue_objects(index.type, watch.pks(instance, reverse, None))

    m2m_changed.connect(
        changed, sender=through, weak=False, dispatch_uid=f"search-{index.type}-m2m-{through._meta.label_lower}"
    )
