"""The Elasticsearch backend (``SEARCH_BACKEND=elasticsearch``, ``ELASTICSEARCH_URL``) for deployments that
outgrow one machine, built on ``elasticsearch.dsl``.

Mapping: one index for every type, reached through the alias ``SEARCH_INDEX_NAME``. Text fields are
analysed twice: by ``sicrm_zh`` (Traditional→Simplified character mapping from the same OpenCC table as
the embedded backend, so 驗收 is 验收; the ``smartcn`` tokenizer, which needs the ``analysis-smartcn``
plugin; full-width folding and lower case) and, in a ``.en`` sub-field, by ``sicrm_en`` (English stop
words and stemming). ``sicrm reindex`` stores the index
template, fills a new physical index and swaps the alias in one step, so searches never see a half-built
index. Visibility terms are a keyword field used in the query's ``bool.filter``, so hits, the total and
every aggregation are computed on the filtered set. Highlights are Elasticsearch's, on the original text.

It cannot be exercised against a live server on the development machines: tests check the mapping and
the exact request bodies, and the shared contract tests run here whenever ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.conf import settings
from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Keyword,
    Long,
    Q,
    Search,
    Text,
    analyzer,
    char_filter,
    token_filter,
)

from backend.search.base import SearchBackend
from backend.search.documents import FacetValue, Hit, SearchDocument, SearchQuery, SearchResult, split_key

ZH_STOPWORDS = ["的", "了", "和", "与", "及", "或", "是", "在", "把", "被", "之", "其", "等", "也", "就", "都", "而"]


def t2s_mappings() -> list[str]:
    """Traditional (and HK/TW variant) → Simplified, one character for one character: the same OpenCC table
    the embedded backend folds with (``backend.search.analysis.fold_table``), as mapping char-filter rules.
    Offsets are kept, so highlights mark the original characters."""
    from backend.search.analysis import fold_table

    return [f"{chr(source)} => {chr(target)}" for source, target in sorted(fold_table().items()) if source >= 0x2E80
            and not 0xFF01 <= source <= 0xFF5E and source != 0x3000]  # fmt: skip


sicrm_zh = analyzer(
    "sicrm_zh",
    char_filter=[char_filter("sicrm_t2s", "mapping", mappings=t2s_mappings())],
    tokenizer="smartcn_tokenizer",
    filter=["cjk_width", "lowercase", token_filter("sicrm_zh_stop", "stop", stopwords=ZH_STOPWORDS)],
)
sicrm_en = analyzer(
    "sicrm_en",
    tokenizer="standard",
    filter=[
        token_filter("sicrm_en_possessive", "stemmer", language="possessive_english"),
        "lowercase",
        token_filter("sicrm_en_stop", "stop", stopwords="_english_"),
        token_filter("sicrm_en_stem", "stemmer", language="english"),
    ],
)


def _text() -> Text:
    return Text(
        analyzer=sicrm_zh, index_options="offsets", fields={"en": Text(analyzer=sicrm_en, index_options="offsets")}
    )


class SearchDoc(Document):
    """The one document shape of the search index (every type)."""

    type = Keyword()
    pk = Long()
    fp = Long()
    date = Date()
    title = _text()
    keywords_text = _text()
    body = _text()
    acl = Keyword()
    industry = Keyword()
    category = Keyword()
    category_path = Keyword()
    keyword = Keyword()
    url = Keyword(index=False, doc_values=False)
    subtitle = Keyword(index=False, doc_values=False)


TEXT_FIELDS = ["title^3", "title.en^3", "keywords_text^2", "keywords_text.en^2", "body", "body.en"]
MLT_FIELDS = ["title", "title.en", "keywords_text", "keywords_text.en", "body", "body.en"]
FACET_SIZES = {"type": 10, "industry": 20, "category": 50, "keyword": 30}
SNIPPET_CHARS = 160
ALL_WORDS_BOOST = 5.0  # as the embedded backend: every word of a query above some of them
INDUSTRY_BOOST = 1.5
KEYWORD_BOOST = 1.0


def index_definition(name: str) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
    index.document(SearchDoc)
    return index


def template_body(alias: str) -> dict[str, Any]:
    """The composable index template ``sicrm reindex`` stores: analyzers and mappings for ``alias-*``."""
    return index_definition(alias).as_composable_template(f"{alias}-template", pattern=f"{alias}-*").to_dict()


def source_of(doc: SearchDocument) -> dict[str, Any]:
    return {
        "type": doc.type,
        "pk": doc.pk,
        "fp": doc.fingerprint(),
        "date": doc.date.isoformat() if doc.date else None,
        "title": doc.title,
        "keywords_text": doc.keywords_text,
        "body": doc.body,
        "acl": list(doc.acl),
        "industry": doc.industry or None,
        "category": doc.category or None,
        "category_path": list(doc.category_path),
        "keyword": list(doc.keywords),
        "url": doc.url,
        "subtitle": doc.subtitle,
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(
        self, *, client: Any = None, url: str | None = None, alias: str | None = None, refresh: bool | str = False
    ):
        self.alias = alias or settings.SEARCH_INDEX_NAME
        self.refresh = refresh  # "wait_for" in tests: a write is searchable when the call returns
        if client is None:
            url = url or settings.ELASTICSEARCH_URL
            if not url:
                raise RuntimeError("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
            client = Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3)
        self.client = client
        self._ready = False  # the alias is known to exist (checked once per process)

    # --- index management ---------------------------------------------------------------------------------

    def put_template(self) -> None:
        self.client.indices.put_index_template(name=f"{self.alias}-template", **template_body(self.alias))

    def _new_physical(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1000000:06d}"
        self.client.indices.create(index=name)
        return name

    def ensure(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            self.put_template()
            physical = self._new_physical()
            self.client.indices.put_alias(index=physical, name=self.alias)
        self._ready = True

    def _physical_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).keys())
        except NotFoundError:
            return []

    def rebuild(self, documents: Iterable[SearchDocument], *, progress: Callable[[int], None] | None = None) -> int:
        self.put_template()
        physical = self._new_physical()
        count = 0
        actions = ({"_index": physical, "_id": doc.key, "_source": source_of(doc)} for doc in documents)
        for ok, _item in helpers.streaming_bulk(self.client, actions, chunk_size=500, raise_on_error=True):
            if ok:
                count += 1
                if progress:
                    progress(1)
        self.client.indices.refresh(index=physical)
        old = self._physical_indices()
        operations = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        operations.append({"add": {"index": physical, "alias": self.alias}})
        self.client.indices.update_aliases(actions=operations)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self._ready = True
        return count

    def apply(self, *, upserts: Sequence[SearchDocument] = (), deletes: Sequence[str] = ()) -> None:
        actions: list[dict[str, Any]] = [
            {"_op_type": "delete", "_index": self.alias, "_id": key} for key in deletes
        ] + [{"_op_type": "index", "_index": self.alias, "_id": doc.key, "_source": source_of(doc)} for doc in upserts]
        if not actions:
            return
        self.ensure()
        _ok, errors = helpers.bulk(self.client, actions, refresh=self.refresh, raise_on_error=False)
        failures = [  # deleting a missing doc is fine; without stats_only, errors is the list of failed items
            e for e in cast(list[dict[str, Any]], errors) if next(iter(e.values())).get("status") != 404
        ]
        if failures:
            raise RuntimeError(f"Elasticsearch refused {len(failures)} index actions: {failures[:3]}")

    def clear(self) -> None:
        self.ensure()
        self.client.delete_by_query(index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed")

    def count(self) -> int:
        self.ensure()
        return int(self.client.count(index=self.alias)["count"])

    def delete_everything(self) -> None:
        """Drop the alias's indices and the template (tests)."""
        for name in self._physical_indices():
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self._ready = False
        with contextlib.suppress(NotFoundError):
            self.client.indices.delete_index_template(name=f"{self.alias}-template")

    # --- queries ------------------------------------------------------------------------------------------

    def filters(self, query: SearchQuery) -> list[Any]:
        filters = []
        if query.acl is not None:
            filters.append(Q("terms", acl=sorted(set(query.acl))))
        if query.types:
            filters.append(Q("terms", type=list(query.types)))
        if query.category:
            filters.append(Q("term", category_path=str(query.category)))
        if query.keyword:
            filters.append(Q("term", keyword=str(query.keyword)))
        if query.industry:
            filters.append(Q("term", industry=query.industry))
        return filters

    def build_search(self, query: SearchQuery) -> Search:
        """The request ``search`` sends (kept separate so tests can compare its body)."""
        text = query.text.strip()
        if text:
            # any word finds a document; one with every word also matches the boosted ``and`` clause, so it
            # ranks first (the embedded backend does the same with ALL_WORDS_BOOST)
            match = {"query": text, "fields": TEXT_FIELDS, "type": "cross_fields"}
            should = [
                Q("multi_match", **match, operator="and", boost=ALL_WORDS_BOOST),
                Q("multi_match", **match, operator="or"),
            ]
            main = Q("bool", should=should, minimum_should_match=1, filter=self.filters(query))
        else:
            main = Q("bool", must=[Q("match_all")], filter=self.filters(query))
        s = Search(using=self.client, index=self.alias).query(main)
        s = s.source(["type", "pk", "title", "body", "url", "subtitle", "industry", "category", "keyword"])
        s = s.extra(track_total_hits=True)
        s = s[query.offset : query.offset + max(1, query.limit)]
        if not text:
            s = s.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
        elif query.highlight:
            s = s.highlight_options(
                pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html", require_field_match=False
            )
            s = s.highlight("title", "title.en", number_of_fragments=0)
            # fragments end at sentence ends (the snippet is a sentence, not a run of words)
            sentences = {"boundary_scanner": "sentence", "boundary_scanner_locale": "zh-CN"}
            s = s.highlight("body", fragment_size=SNIPPET_CHARS, number_of_fragments=1, **sentences)
            s = s.highlight(
                "body.en", fragment_size=SNIPPET_CHARS, number_of_fragments=1, no_match_size=SNIPPET_CHARS, **sentences
            )
        if query.facets:
            for name, size in FACET_SIZES.items():
                s.aggs.bucket(name, "terms", field=name, size=size)
        return s

    def search(self, query: SearchQuery) -> SearchResult:
        self.ensure()
        response = self.build_search(query).execute()
        hits = [self._hit(hit) for hit in response.hits]
        facets: dict[str, list[FacetValue]] = {}
        if query.facets:
            for name in FACET_SIZES:
                buckets = response.aggregations[name].buckets if name in response.aggregations else []
                facets[name] = [FacetValue(str(b.key), int(b.doc_count)) for b in buckets]
        total = response.hits.total  # type: ignore[attr-defined]  # hits is an AttrList with .total, typed list[Hit]
        total = total.value if hasattr(total, "value") else int(total)
        return SearchResult(total=int(total), hits=hits, facets=facets)

    def _hit(self, hit: Any) -> Hit:
        src = hit.to_dict()
        highlight = getattr(hit.meta, "highlight", None)
        marked = highlight.to_dict() if highlight is not None else {}
        title = src.get("title", "")
        body = " ".join((src.get("body") or "").split())
        title_html = _best(marked, ("title", "title.en"), html.escape(title))
        fallback = html.escape(body[:SNIPPET_CHARS]) + ("…" if len(body) > SNIPPET_CHARS else "")
        snippet_html = _best(marked, ("body", "body.en"), fallback)
        keywords = src.get("keyword") or []
        return Hit(
            type=src.get("type", ""),
            pk=int(src.get("pk", 0)),
            score=float(hit.meta.score or 0.0),
            title=title,
            title_html=title_html,
            snippet_html=snippet_html,
            url=src.get("url", ""),
            subtitle=src.get("subtitle", ""),
            industry=src.get("industry") or "",
            category=src.get("category") or "",
            keywords=list(keywords) if isinstance(keywords, list) else [keywords],
        )

    def build_more_like_this(
        self,
        *,
        text: str,
        type_: str,
        industry: str = "",
        keywords: Sequence[str] = (),
        exclude: Sequence[str] = (),
        limit: int = 10,
    ) -> Search:
        should = []
        if industry:
            should.append(Q("constant_score", filter=Q("term", industry=industry), boost=INDUSTRY_BOOST))
        should += [Q("constant_score", filter=Q("term", keyword=str(k)), boost=KEYWORD_BOOST) for k in keywords]
        query = Q(
            "bool",
            must=[
                Q("more_like_this", fields=MLT_FIELDS, like=text, min_term_freq=1, min_doc_freq=1, max_query_terms=25)
            ],
            filter=[Q("term", type=type_)],
            should=should,
            must_not=[Q("ids", values=list(exclude))] if exclude else [],
        )
        return Search(using=self.client, index=self.alias).query(query).source(["pk"])[:limit]

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
        if not text.strip():
            return []
        self.ensure()
        response = self.build_more_like_this(
            text=text, type_=type_, industry=industry, keywords=keywords, exclude=exclude, limit=limit
        ).execute()
        return [(hit.meta.id, float(hit.meta.score or 0.0)) for hit in response.hits]

    def fingerprints(self, type_: str) -> dict[int, int]:
        self.ensure()
        found = {}
        for item in helpers.scan(
            self.client, index=self.alias, query={"query": {"term": {"type": type_}}, "_source": ["fp"]}
        ):
            _type, pk = split_key(item["_id"])
            found[pk] = int(item["_source"].get("fp") or 0)
        return found

    def stats(self) -> dict[str, object]:
        return {
            "backend": self.name,
            "documents": self.count(),
            "alias": self.alias,
            "indices": self._physical_indices(),
        }


def _best(marked: dict[str, list[str]], fields: tuple[str, ...], fallback: str) -> str:
    """The first highlighted fragment that marks something, else the first fragment, else ``fallback``."""
    fragments = [f for field in fields for f in marked.get(field, [])]
    for fragment in fragments:
        if "<mark>" in fragment:
            return fragment
    return fragments[0] if fragments else fallback
