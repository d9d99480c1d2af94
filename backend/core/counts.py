"""Counts and totals of lists, computed once and kept until a row of a table they read changes (issue 15).

A list page counts its rows (for the page numbers) and sums its totals row over every visible, filtered
row on each click: at 100,000 projects that is a scan of the visible rows, the largest part of a click.
The answer only changes when one of the tables the query reads is written, so ``cached(queryset, …)``
keeps it in the cache under the query's SQL and its parameters (which name the user, the filters and the
visibility) together with a version of each table the SQL reads.

Every INSERT, UPDATE, DELETE and TRUNCATE the application sends (the ORM's saves, ``update()``, ``bulk_create``,
raw SQL, from the web process or the worker) gives its table a new version through a database execute
wrapper, once when the statement runs and once more when its transaction commits: a count computed by
another request between the two (from rows not yet committed) is never read again. So a count is exact
after any write that went through Django. Statements that bypass Django (``COPY`` of the benchmark data,
``psql``) are caught by the age limit, ``LIST_COUNT_CACHE_SECONDS`` (300 by default; 0 turns the cache off).

An answer older than that is renewed without making anyone wait for it: the click that finds it still gets
it, and a background thread of that process computes it afresh (``backend.core.background``: one process at
a time). An answer is kept for twice the age limit; a list nobody opened in that time counts in the request.
So at 100,000 projects the second-long aging of receivables is no longer paid by a user every five minutes.

The cache is Django's default cache (``CACHES``): a folder of files under the var directory on one
machine, Redis when ``CACHE_URL`` names it; every web worker and the worker process share it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from backend.core import background

T = TypeVar("T")
log = logging.getLogger(__name__)

PREFIX = "sicrm:lists:"
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE)  # PostgreSQL's flush: every table it names
_QUOTED = re.compile(r'"(\w+)"')
_tables: frozenset[str] | None = None
_MISSING = object()
_clock = time.time  # the time an answer was computed (tests move it on)


def known_tables() -> frozenset[str]:
    global _tables
    if _tables is None:
        names = set()
        for model in apps.get_models(include_auto_created=True):
            names.add(model._meta.db_table)
        _tables = frozenset(names)
    return _tables


def _seconds() -> int:
    return int(getattr(settings, "LIST_COUNT_CACHE_SECONDS", 300))


def tables_of(sql: str) -> list[str]:
    """The tables a statement reads (every quoted name that is a table of the project), sorted."""
    known = known_tables()
    return sorted({name for name in _QUOTED.findall(sql) if name in known})


def touch(*tables: str) -> None:
    """Give ``tables`` a new version: every cached answer that read them is then computed afresh. A cache
    that cannot be reached does not fail the write: it is logged, and what it kept expires (``_seconds``)."""
    if tables:
        version = uuid.uuid4().hex[:12]
        try:
            cache.set_many({f"{PREFIX}v:{table}": version for table in tables}, timeout=None)
        except Exception:  # noqa: BLE001  (Redis down, a full disk): the write itself stands
            log.warning("list counts: could not renew the version of %s in the cache", ", ".join(tables))


def _wrapper(connection: Any) -> Callable[..., Any]:
    def execute(run: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = run(sql, params, many, context)
        if not isinstance(sql, str):
            return result
        match = _WRITE.match(sql)
        written = [match.group(1)] if match else tables_of(sql) if _TRUNCATE.match(sql) else []
        written = [table for table in written if table in known_tables()]
        if written:
            touch(*written)
            if connection.in_atomic_block:  # and again when the transaction commits
                connection._sicrm_written.update(written)
        return result

    return execute


def install(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Watch the writes of ``connection`` (``connection_created``; once per connection): each statement's
    table is touched at once and, inside a transaction, once more right after the commit. (The commit is
    wrapped rather than given an on-commit callback: callbacks have an order other code relies on.)"""
    if connection is None or getattr(connection, "_sicrm_counts", False):
        return
    connection.execute_wrappers.append(_wrapper(connection))
    connection._sicrm_written = set()
    commit, rollback = connection._commit, connection._rollback

    def _commit() -> None:
        commit()
        written, connection._sicrm_written = connection._sicrm_written, set()
        touch(*written)

    def _rollback() -> None:
        rollback()
        connection._sicrm_written = set()

    connection._commit, connection._rollback = _commit, _rollback
    connection._sicrm_counts = True


def versions(tables: list[str]) -> list[str | None]:
    """The current version of each of ``tables`` (raises when the cache cannot be reached)."""
    keys = [f"{PREFIX}v:{table}" for table in tables]
    found = cache.get_many(keys)
    if len(found) < len(keys):  # never written since the cache was emptied (or evicted): a version now, so
        missing = [table for table, k in zip(tables, keys, strict=True) if k not in found]
        touch(*missing)  # that an answer stored before the eviction can never be read again
        found.update(cache.get_many([f"{PREFIX}v:{table}" for table in missing]))
    return [found.get(k) for k in keys]


def cached(queryset: QuerySet, kind: str, compute: Callable[[QuerySet], T]) -> T:
    """``compute(queryset)`` (a count, an aggregate: anything small and picklable), read from the cache when
    no table ``queryset`` reads has been written since it was computed; renewed in the background once it is
    older than ``LIST_COUNT_CACHE_SECONDS``."""
    seconds = _seconds()
    if seconds <= 0:
        return compute(queryset)
    alias = queryset.db or DEFAULT_DB_ALIAS
    try:
        sql, params = queryset.query.sql_with_params()
    except Exception:  # noqa: BLE001  an empty result (``none()``) compiles to nothing: nothing to cache
        return compute(queryset)
    try:
        text = repr((alias, kind, sql, params, versions(tables_of(sql))))
        key = f"{PREFIX}a:{hashlib.sha1(text.encode()).hexdigest()}"
        hit = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001  a cache that cannot be reached: the list counts itself, as before
        log.warning("list counts: the cache cannot be read; counting in the database")
        return compute(queryset)
    if isinstance(hit, tuple) and len(hit) == 2:
        value, computed_at = hit
        if _clock() - computed_at >= seconds:
            _renew(key, queryset, compute, seconds)
        return value
    value = compute(queryset)
    _store(key, value, seconds)
    return value


def _store(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, (value, _clock()), timeout=2 * seconds)
    except Exception:  # noqa: BLE001
        log.warning("list counts: the cache cannot be written")


def _renew(key: str, queryset: QuerySet, compute: Callable[[QuerySet], Any], seconds: int) -> None:
    again = queryset.all()  # a fresh clone: the thread evaluates its own
    background.renew(key, lambda: _store(key, compute(again), seconds))


def cached_count(queryset: QuerySet) -> int:
    """``queryset.count()``, cached as ``cached`` says."""
    return cached(queryset.order_by(), "count", lambda qs: qs.count())
