"""The search backend interface and the factory that picks one from ``SEARCH_BACKEND``.

Every backend answers the same contract (tests/knowledge/test_backend_contract.py runs one set of tests
against each): upsert/delete documents by key, search with BM25 ranking, highlights and facet counts all
limited by the query's visibility terms, "more like this" for auto-linking, and the key → fingerprint map
that reconcile compares with the database. A backend must not read the database.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.utils.module_loading import import_string

from backend.search.documents import SearchDocument, SearchQuery, SearchResult


class SearchBackend(ABC):
    name = "base"

    @abstractmethod
    def ensure(self) -> None:
        """Create the index (and its template/schema) if it does not exist."""

    @abstractmethod
    def apply(self, *, upserts: Sequence[SearchDocument] = (), deletes: Sequence[str] = ()) -> None:
        """Write documents (replacing any with the same key) and delete keys, as one commit."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def more_like_this(
        self,
        *,
        text: str,
        type_: str,
        industry: str = "",
        keywords: Sequence[str] = (),
        exclude: Sequence[str] = (),
        limit: int = 10,
    ) -> list[tuple[str, float]]:
        """Keys of ``type_`` documents most like ``text``: text similarity, plus a boost for the same industry
        and for each of ``keywords`` (keyword ids) the document carries. No visibility filter: the caller
        decides who sees the result."""

    @abstractmethod
    def fingerprints(self, type_: str) -> dict[int, int]:
        """pk → fingerprint of every indexed document of ``type_``."""

    @abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with ``documents``; readers see the old index until the new one is
        complete. Returns how many were indexed."""

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def count(self) -> int: ...

    def stats(self) -> dict[str, object]:
        return {"backend": self.name, "documents": self.count()}


_backend: SearchBackend | None = None
_lock = threading.Lock()


def get_backend() -> SearchBackend:
    """The configured backend (one per process)."""
    global _backend
    with _lock:
        if _backend is None:
            _backend = make_backend(settings.SEARCH_BACKEND)
        return _backend


# The backends by their ``SEARCH_BACKEND`` name, as dotted paths (each backend module imports this one).
BACKENDS = {
    "embedded": "backend.search.embedded.EmbeddedBackend",
    "elasticsearch": "backend.search.elasticsearch.ElasticsearchBackend",
}


def make_backend(name: str, **options: object) -> SearchBackend:
    if name not in BACKENDS:
        raise ValueError(f"SEARCH_BACKEND must be 'embedded' or 'elasticsearch', not {name!r}")
    return import_string(BACKENDS[name])(**options)


def reset_backend(backend: SearchBackend | None = None) -> None:
    """Replace the process-wide backend (tests)."""
    global _backend
    with _lock:
        _backend = backend
