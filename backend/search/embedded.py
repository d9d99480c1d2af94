"""The embedded search backend: a tantivy index on local disk (``SEARCH_INDEX_DIR``), BM25-ranked.

Text is analysed in Python by ``backend.search.analysis`` (rjieba + folding + stemming) and handed to
tantivy as whitespace-separated terms, so index and query use exactly the same analysis. The original
text is stored with each document and highlighted in Python, which marks the original characters (a
query for 验收 marks 驗收). Visibility terms (``acl``) and facet fields are raw keyword fields; the
visibility filter is a constant-score term-set clause of the query, so hits, counts and facet
aggregations all run on the same filtered set.

Writers in any process (the web, each worker thread, ``sicrm reindex``) take an exclusive file lock
beside the index before opening tantivy's writer; readers never lock, and reload when the index's
``meta.json`` changes, so a commit in the worker is visible to the next search in the web process.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import tantivy
from django.conf import settings

from backend.search import analysis
from backend.search.base import SearchBackend
from backend.search.documents import FacetValue, Hit, SearchDocument, SearchQuery, SearchResult, doc_key

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # a new schema is a new directory (empty until reindex/reconcile fills it)
BODY_STORED_CHARS = 20_000  # stored for highlighting; the whole text is indexed
FIELD_BOOSTS = {"title_t": 3.0, "kw_t": 2.0, "body_t": 1.0}
TIE_BREAKER = 0.3
ALL_WORDS_BOOST = 5.0  # a document with every word of a query above those with some
FACET_SIZES = {"type": 10, "industry": 20, "category": 50, "keyword": 30}
AGGREGATIONS = {name: {"terms": {"field": name, "size": size}} for name, size in FACET_SIZES.items()}
_executor: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """Threads for facet aggregations (one pool per process: never inherited across a fork)."""
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        _executor = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="sicrm-facets"))
    return _executor[1]


def _key(value: object) -> str:
    """A bucket key as the API shows it: numeric ids (u64 fields come back as numbers) without a fraction."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class IndexBusy(RuntimeError):
    """Another writer held the index longer than the lock timeout (the task retries)."""


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("type", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_unsigned_field("pk", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("fp", fast=True)
    sb.add_integer_field("date", fast=True)
    for name in FIELD_BOOSTS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("acl", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("industry", tokenizer_name="raw", fast=True, index_option="basic")
    # category and keyword ids are integers: u64 fast fields aggregate several times faster than text ones
    sb.add_unsigned_field("category", indexed=True, fast=True)
    sb.add_unsigned_field("category_path", indexed=True)
    sb.add_unsigned_field("keyword", indexed=True, fast=True)
    sb.add_bytes_field("src", stored=True)
    return sb.build()


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str | Path | None = None, *, heap_bytes: int = 32_000_000, lock_timeout: float = 30.0):
        base = Path(path) if path else Path(settings.SEARCH_INDEX_DIR)
        self.path = base / f"v{SCHEMA_VERSION}"
        self.heap_bytes = heap_bytes
        self.lock_timeout = lock_timeout
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._pid = 0
        self._seen_meta: bytes | None = None
        self._lock = threading.RLock()

    # --- opening, reading, writing ----------------------------------------------------------------------

    def ensure(self) -> None:
        self._open()

    def _open(self) -> tantivy.Index:
        with self._lock:
            if self._index is None or self._pid != os.getpid():
                self.path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self.schema, str(self.path), reuse=True)
                index.config_reader("Manual", 0)
                self._index, self._pid, self._seen_meta = index, os.getpid(), None
            return self._index

    def _meta_stamp(self) -> bytes | None:
        """The index's meta.json (a few KB, rewritten atomically by every commit): when it differs from the
        last one read, another writer committed and the reader must reload. File times and inode numbers
        are too coarse or get reused."""
        try:
            return (self.path / "meta.json").read_bytes()
        except FileNotFoundError:
            return None

    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        stamp = self._meta_stamp()
        if stamp != self._seen_meta:
            with self._lock:
                index.reload()
                self._seen_meta = stamp
        return index.searcher()

    @contextmanager
    def _writer(self, *, heap_bytes: int | None = None, threads: int = 1) -> Iterator[tantivy.IndexWriter]:
        index = self._open()
        lock_path = self.path / ".sicrm-writer.lock"
        with open(lock_path, "a+") as handle:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(f"search index {self.path} is locked by another writer") from None
                    time.sleep(0.05)
            try:
                writer = index.writer(heap_size=heap_bytes or self.heap_bytes, num_threads=threads)
                try:
                    yield writer
                    writer.commit()
                except BaseException:
                    writer.rollback()
                    raise
                finally:
                    writer.wait_merging_threads()
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _document(self, doc: SearchDocument) -> tantivy.Document:
        d = tantivy.Document()
        d.add_text("key", doc.key)
        d.add_text("type", doc.type)
        d.add_unsigned("pk", doc.pk)
        d.add_unsigned("fp", doc.fingerprint())
        d.add_integer("date", int(doc.date.timestamp()) if doc.date else 0)
        d.add_text("title_t", analysis.index_text(doc.title))
        d.add_text("kw_t", analysis.index_text(doc.keywords_text))
        d.add_text("body_t", analysis.index_text(doc.body))
        for value in doc.acl:
            d.add_text("acl", value)
        if doc.industry:
            d.add_text("industry", doc.industry)
        if doc.category.isdigit():
            d.add_unsigned("category", int(doc.category))
        for value in doc.category_path:
            if value.isdigit():
                d.add_unsigned("category_path", int(value))
        for value in doc.keywords:
            if value.isdigit():
                d.add_unsigned("keyword", int(value))
        src = {
            "type": doc.type,
            "title": doc.title,
            "body": doc.body[:BODY_STORED_CHARS],
            "url": doc.url,
            "sub": doc.subtitle,
            "ind": doc.industry,
            "cat": doc.category,
            "kw": doc.keywords,
        }
        d.add_bytes("src", json.dumps(src, ensure_ascii=False).encode())
        return d

    def apply(self, *, upserts: Sequence[SearchDocument] = (), deletes: Sequence[str] = ()) -> None:
        if not upserts and not deletes:
            return
        prepared = [(doc.key, self._document(doc)) for doc in upserts]  # analyse before taking the lock
        with self._writer() as writer:
            for key in deletes:
                writer.delete_documents_by_term("key", key)
            for key, document in prepared:
                writer.delete_documents_by_term("key", key)
                writer.add_document(document)

    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Callable[[int], None] | None = None) -> int:
        count = 0
        threads = max(1, min(4, (os.cpu_count() or 1)))
        with self._writer(heap_bytes=max(self.heap_bytes, 50_000_000 * threads), threads=threads) as writer:
            writer.delete_all_documents()
            for doc in documents:
                writer.add_document(self._document(doc))
                count += 1
                if progress:
                    progress(1)
        return count

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def count(self) -> int:
        return self._searcher().num_docs

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def stats(self) -> dict[str, object]:
        return {"backend": self.name, "documents": self.count(), "path": str(self.path), "bytes": self.size_bytes()}

    def destroy(self) -> None:
        """Remove the index directory (tests and benchmarks)."""
        with self._lock:
            self._index = None
        shutil.rmtree(self.path, ignore_errors=True)

    # --- queries ----------------------------------------------------------------------------------------

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value, index_option="freq")

    def _fields_query(self, value: str, weight: float = 1.0) -> tantivy.Query:
        """One term in any text field, weighted per field (Lucene's dismax, as ES best_fields does)."""
        per_field = [
            tantivy.Query.boost_query(self._term(field, value), boost * weight) for field, boost in FIELD_BOOSTS.items()
        ]
        return tantivy.Query.disjunction_max_query(per_field, tie_breaker=TIE_BREAKER)

    def _group_query(self, group: analysis.TermGroup) -> tantivy.Query:
        """One precise word of the query: the word, or all of its parts."""
        Occur = tantivy.Occur
        word = self._fields_query(group.word)
        if not group.parts:
            return word
        parts = tantivy.Query.boolean_query([(Occur.Must, self._fields_query(p)) for p in group.parts])
        return tantivy.Query.boolean_query([(Occur.Should, word), (Occur.Should, parts)])

    def _text_query(self, groups: list[analysis.TermGroup]) -> tantivy.Query:
        """Documents with any word of the query; those with every word score ``ALL_WORDS_BOOST`` times the
        all-words match on top, so they come first (as ES's bool of an ``and`` and an ``or`` match)."""
        Q, Occur = tantivy.Query, tantivy.Occur
        words = [self._group_query(group) for group in groups]
        if len(words) == 1:
            return words[0]
        every = Q.boolean_query([(Occur.Must, word) for word in words])
        some = Q.boolean_query([(Occur.Should, word) for word in words])
        return Q.boolean_query([(Occur.Must, some), (Occur.Should, Q.boost_query(every, ALL_WORDS_BOOST))])

    def _filters(self, query: SearchQuery) -> list[tantivy.Query]:
        Q = tantivy.Query
        filters = []
        if query.acl is not None:
            filters.append(Q.term_set_query(self.schema, "acl", sorted(set(query.acl))))
        if query.types:
            filters.append(Q.term_set_query(self.schema, "type", list(query.types)))
        for field, value in (("category_path", query.category), ("keyword", query.keyword)):
            if value:  # ids; anything else matches nothing
                number = int(value) if str(value).isdigit() else 2**63
                filters.append(Q.term_query(self.schema, field, number, index_option="basic"))
        if query.industry:
            filters.append(Q.term_query(self.schema, "industry", query.industry, index_option="basic"))
        return filters

    def search(self, query: SearchQuery) -> SearchResult:
        Q, Occur = tantivy.Query, tantivy.Occur
        groups = analysis.query_groups(query.text) if query.text.strip() else []
        if query.text.strip() and not groups:
            return SearchResult(total=0, hits=[], facets={name: [] for name in FACET_SIZES} if query.facets else {})
        main = self._text_query(groups) if groups else Q.all_query()
        clauses = [(Occur.Must, main)] + [(Occur.Must, Q.const_score_query(f, 0.0)) for f in self._filters(query)]
        full = Q.boolean_query(clauses)
        searcher = self._searcher()
        limit = max(1, query.limit)
        # the facet aggregation runs in another thread (tantivy releases the GIL) while this one collects the
        # top hits and highlights them: both scan the same filtered set
        pending = _pool().submit(searcher.aggregate, full, AGGREGATIONS) if query.facets else None
        if groups:
            result = searcher.search(full, limit, count=True, offset=query.offset)
        else:
            result = searcher.search(full, limit, count=True, offset=query.offset, order_by_field="date")
        terms = [t for g in groups for t in g.terms]
        hits = [self._hit(searcher, score, address, terms, query.highlight) for score, address in result.hits]
        facets: dict[str, list[FacetValue]] = {}
        if pending is not None:
            raw = pending.result()
            for name in FACET_SIZES:
                buckets = raw.get(name, {}).get("buckets", [])
                facets[name] = [FacetValue(_key(b["key"]), int(b["doc_count"])) for b in buckets]
        return SearchResult(total=result.count or 0, hits=hits, facets=facets)  # type: ignore[attr-defined]  # not in tantivy.pyi

    def _hit(
        self, searcher: tantivy.Searcher, score: float, address: tantivy.DocAddress, terms: list[str], highlight: bool
    ) -> Hit:
        stored = searcher.doc(address)
        src = json.loads(cast(str, stored.get_first("src")))  # every document stores src and pk
        title, body = src.get("title", ""), src.get("body", "")
        return Hit(
            type=src.get("type", ""),
            pk=int(cast(int, stored.get_first("pk"))),
            score=float(score) if isinstance(score, float) else 0.0,
            title=title,
            title_html=analysis.highlight_all(title, terms if highlight else []),
            snippet_html=analysis.snippet(body, terms if highlight else []),
            url=src.get("url", ""),
            subtitle=src.get("sub", ""),
            industry=src.get("ind", ""),
            category=src.get("cat", ""),
            keywords=list(src.get("kw", [])),
        )

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
        Q, Occur = tantivy.Query, tantivy.Occur
        searcher = self._searcher()
        total = searcher.num_docs
        counts = Counter(analysis.index_terms(text))
        if not total or not counts:
            return []
        weighted = []
        for value, tf in counts.items():
            df = max(searcher.doc_freq("body_t", value), searcher.doc_freq("title_t", value))
            if df == 0:
                continue
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            weighted.append((tf * idf, value))
        weighted.sort(reverse=True)
        top = weighted[:25]
        if not top:
            return []
        best = top[0][0]
        similar = Q.boolean_query([(Occur.Should, self._fields_query(v, w / best)) for w, v in top])
        clauses = [
            (Occur.Must, similar),
            (Occur.Must, Q.const_score_query(Q.term_query(self.schema, "type", type_, index_option="basic"), 0.0)),
        ]
        if industry:
            term = Q.term_query(self.schema, "industry", industry, index_option="basic")
            clauses.append((Occur.Should, Q.const_score_query(term, INDUSTRY_BOOST)))
        for keyword in keywords:
            if not str(keyword).isdigit():
                continue
            term = Q.term_query(self.schema, "keyword", int(keyword), index_option="basic")
            clauses.append((Occur.Should, Q.const_score_query(term, KEYWORD_BOOST)))
        if exclude:
            clauses.append((Occur.MustNot, Q.term_set_query(self.schema, "key", list(exclude))))
        result = searcher.search(Q.boolean_query(clauses), limit, count=False)
        out = []
        for score, address in result.hits:
            pk = int(cast(int, searcher.doc(address).get_first("pk")))
            out.append((doc_key(type_, pk), float(score)))
        return out

    def fingerprints(self, type_: str) -> dict[int, int]:
        searcher = self._searcher()
        if not searcher.num_docs:
            return {}
        query = tantivy.Query.term_query(self.schema, "type", type_, index_option="basic")
        result = searcher.search(query, searcher.num_docs, count=False, order_by_field="pk")
        addresses = [address for _, address in result.hits]
        pks = searcher.fast_field_values("pk", addresses)
        fps = searcher.fast_field_values("fp", addresses)
        return {int(pk): int(cast(int, fp)) for pk, fp in zip(pks, fps, strict=True) if pk is not None}


INDUSTRY_BOOST = 1.5
KEYWORD_BOOST = 1.0
