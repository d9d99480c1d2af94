"""Writes to the search index: index given keys from the committed rows, rebuild everything, flush rows
marked dirty, and reconcile the index with the database.

Everything here is idempotent: it reads the current rows and makes the index match them, so a task that
runs twice, late or after a newer one leaves the same index. Reads from the database never take locks.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from backend.search import registry
from backend.search.base import SearchBackend, get_backend
from backend.search.documents import SearchDocument, doc_key, split_key

log = logging.getLogger(__name__)


def search_index_keys(*, keys: Iterable[str], backend: SearchBackend | None = None) -> dict[str, set[int]]:
    """Make the index match the database for ``keys`` ("type:pk"); returns {type: pks} that were handled."""
    backend = backend or get_backend()
    by_type: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        type_, pk = split_key(key)
        by_type[type_].add(pk)
    upserts: list[SearchDocument] = []
    deletes: list[str] = []
    handled: dict[str, set[int]] = {}
    for type_, pks in by_type.items():
        try:
            index = registry.get_index(type_)
        except KeyError:
            log.warning("search: no index registered for type %s; ignoring %d keys", type_, len(pks))
            continue
        for pk, doc in index.documents(pks).items():
            if doc is None:
                deletes.append(doc_key(type_, pk))
            else:
                upserts.append(doc)
        handled[type_] = pks
    backend.apply(upserts=upserts, deletes=deletes)
    if handled:
        registry.notify_indexed(handled)
    return handled


def all_documents() -> Iterator[SearchDocument]:
    for index in registry.indexes():
        yield from index.iter_documents()


def document_total() -> int:
    """How many rows ``all_documents`` reads (an upper bound: some may be skipped, e.g. drafts)."""
    return sum(index.queryset().count() for index in registry.indexes())


def search_reindex(*, backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database (``sicrm reindex``). Readers keep the old index until the
    new one is committed. Dirty flags are cleared first: the rebuild reads the rows after that."""
    backend = backend or get_backend()
    backend.ensure()
    _clear_dirty_flags()
    count = backend.rebuild(all_documents(), progress=progress)
    registry.notify_indexed({index.type: set() for index in registry.indexes()})
    return count


def _dirty_indexes() -> list[registry.SearchIndex]:
    return [index for index in registry.indexes() if index.dirty_field]


def _clear_dirty_flags() -> None:
    for index in _dirty_indexes():
        index.model._default_manager.filter(**{index.dirty_field: True}).update(**{index.dirty_field: False})


def search_flush_dirty(*, backend: SearchBackend | None = None, limit: int = 5000) -> int:
    """Index the rows flagged dirty by bulk updates that bypassed signals; returns how many."""
    total = 0
    for index in _dirty_indexes():
        manager = index.model._default_manager
        with transaction.atomic():
            pks = list(manager.filter(**{index.dirty_field: True}).values_list("pk", flat=True)[:limit])
            if pks:
                manager.filter(pk__in=pks).update(**{index.dirty_field: False})
        if pks:
            search_index_keys(keys=[doc_key(index.type, pk) for pk in pks], backend=backend)
            total += len(pks)
    return total


@dataclass
class ReconcileReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def repaired(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def search_reconcile(*, backend: SearchBackend | None = None, batch: int = 500) -> ReconcileReport:
    """Compare every row's document fingerprint with the index and repair the difference: write what is
    missing or stale, delete what should not be there."""
    backend = backend or get_backend()
    backend.ensure()
    report = ReconcileReport()
    pending: list[SearchDocument] = []
    for index in registry.indexes():
        indexed = backend.fingerprints(index.type)
        for doc in index.iter_documents():
            report.checked += 1
            fingerprint = indexed.pop(doc.pk, None)
            if fingerprint is None:
                report.missing.append(doc.key)
                pending.append(doc)
            elif fingerprint != doc.fingerprint():
                report.stale.append(doc.key)
                pending.append(doc)
            if len(pending) >= batch:
                backend.apply(upserts=pending)
                pending = []
        report.extra.extend(doc_key(index.type, pk) for pk in indexed)
    backend.apply(upserts=pending, deletes=report.extra)
    if report.repaired:
        changed: dict[str, set[int]] = defaultdict(set)
        for key in report.missing + report.stale + report.extra:
            type_, pk = split_key(key)
            changed[type_].add(pk)
        registry.notify_indexed(dict(changed))
        log.warning(
            "search reconcile repaired %d documents (%d missing, %d stale, %d extra)",
            report.repaired,
            len(report.missing),
            len(report.stale),
            len(report.extra),
        )
    return report
