"""The Elasticsearch backend without a server: the index template (analyzers and mappings) and the exact
request bodies it sends — permission filters in bool.filter, multi_match, highlight, aggregations, more
like this, bulk writes and the alias swap of a rebuild — through a real client whose node records the
requests. (With ELASTICSEARCH_URL set, test_backend_contract.py also runs against a live server.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.search.documents import SearchDocument, SearchQuery
from backend.search.elasticsearch import ElasticsearchBackend, t2s_mappings, template_body
from tests.knowledge.es_fake import Recorder, recording_client

FIELDS = ["title^3", "title.en^3", "keywords_text^2", "keywords_text.en^2", "body", "body.en"]

TEXT_MAPPING = {
    "type": "text",
    "analyzer": "sicrm_zh",
    "index_options": "offsets",
    "fields": {"en": {"type": "text", "analyzer": "sicrm_en", "index_options": "offsets"}},
}

TEMPLATE = {
    "index_patterns": ["sicrm-search-*"],
    "template": {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "max_result_window": 10000,
            "analysis": {
                "analyzer": {
                    "sicrm_zh": {
                        "type": "custom",
                        "char_filter": ["sicrm_t2s"],
                        "tokenizer": "smartcn_tokenizer",
                        "filter": ["cjk_width", "lowercase", "sicrm_zh_stop"],
                    },
                    "sicrm_en": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["sicrm_en_possessive", "lowercase", "sicrm_en_stop", "sicrm_en_stem"],
                    },
                },
                "char_filter": {"sicrm_t2s": {"type": "mapping", "mappings": t2s_mappings()}},
                "filter": {
                    "sicrm_zh_stop": {
                        "type": "stop",
                        "stopwords": [
                            "的",
                            "了",
                            "和",
                            "与",
                            "及",
                            "或",
                            "是",
                            "在",
                            "把",
                            "被",
                            "之",
                            "其",
                            "等",
                            "也",
                            "就",
                            "都",
                            "而",
                        ],
                    },
                    "sicrm_en_possessive": {"type": "stemmer", "language": "possessive_english"},
                    "sicrm_en_stop": {"type": "stop", "stopwords": "_english_"},
                    "sicrm_en_stem": {"type": "stemmer", "language": "english"},
                },
            },
        },
        "mappings": {
            "properties": {
                "type": {"type": "keyword"},
                "pk": {"type": "long"},
                "fp": {"type": "long"},
                "date": {"type": "date"},
                "title": TEXT_MAPPING,
                "keywords_text": TEXT_MAPPING,
                "body": TEXT_MAPPING,
                "acl": {"type": "keyword"},
                "industry": {"type": "keyword"},
                "category": {"type": "keyword"},
                "category_path": {"type": "keyword"},
                "keyword": {"type": "keyword"},
                "url": {"type": "keyword", "index": False, "doc_values": False},
                "subtitle": {"type": "keyword", "index": False, "doc_values": False},
            }
        },
    },
}

AGGS = {
    "type": {"terms": {"field": "type", "size": 10}},
    "industry": {"terms": {"field": "industry", "size": 20}},
    "category": {"terms": {"field": "category", "size": 50}},
    "keyword": {"terms": {"field": "keyword", "size": 30}},
}
SOURCE = ["type", "pk", "title", "body", "url", "subtitle", "industry", "category", "keyword"]


def search_response(hits=(), aggs=None, total=None):
    return {
        "took": 1,
        "timed_out": False,
        "hits": {"total": {"value": len(hits) if total is None else total, "relation": "eq"}, "hits": list(hits)},
        "aggregations": aggs or {name: {"buckets": []} for name in AGGS},
    }


@pytest.fixture
def recorder(settings):
    settings.SEARCH_INDEX_NAME = "sicrm-search"
    return Recorder()


@pytest.fixture
def es(recorder):
    return ElasticsearchBackend(client=recording_client(recorder), alias="sicrm-search")


def test_template_declares_a_chinese_and_an_english_analyzer_and_the_mappings():
    assert template_body("sicrm-search") == TEMPLATE


def test_the_chinese_analyzer_folds_traditional_characters_like_the_embedded_backend():
    rules = t2s_mappings()
    assert {"驗 => 验", "據 => 据", "裡 => 里", "報 => 报"} <= set(rules)
    assert len(rules) > 3000
    assert all(len(rule) == 6 and rule[1:5] == " => " for rule in rules)  # one character for one character


def test_search_body_filters_permissions_matches_highlights_and_aggregates(es):
    query = SearchQuery(
        text="验收 milestones",
        acl=["project:u:7", "article:public", "article:d:3"],
        types=["article", "project"],
        category="4",
        keyword="9",
        industry="finance",
        offset=20,
        limit=10,
    )
    assert es.build_search(query).to_dict() == {
        "query": {
            "bool": {
                "should": [
                    {
                        "multi_match": {
                            "query": "验收 milestones",
                            "fields": FIELDS,
                            "type": "cross_fields",
                            "operator": "and",
                            "boost": 5.0,
                        }
                    },
                    {
                        "multi_match": {
                            "query": "验收 milestones",
                            "fields": FIELDS,
                            "type": "cross_fields",
                            "operator": "or",
                        }
                    },
                ],
                "minimum_should_match": 1,
                "filter": [
                    {"terms": {"acl": ["article:d:3", "article:public", "project:u:7"]}},
                    {"terms": {"type": ["article", "project"]}},
                    {"term": {"category_path": "4"}},
                    {"term": {"keyword": "9"}},
                    {"term": {"industry": "finance"}},
                ],
            }
        },
        "_source": SOURCE,
        "track_total_hits": True,
        "from": 20,
        "size": 10,
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "require_field_match": False,
            "fields": {
                "title": {"number_of_fragments": 0},
                "title.en": {"number_of_fragments": 0},
                "body": {
                    "fragment_size": 160,
                    "number_of_fragments": 1,
                    "boundary_scanner": "sentence",
                    "boundary_scanner_locale": "zh-CN",
                },
                "body.en": {
                    "fragment_size": 160,
                    "number_of_fragments": 1,
                    "no_match_size": 160,
                    "boundary_scanner": "sentence",
                    "boundary_scanner_locale": "zh-CN",
                },
            },
        },
        "aggs": AGGS,
    }


def test_a_superuser_query_has_no_permission_filter_and_an_empty_query_sorts_by_date(es):
    body = es.build_search(SearchQuery(text="", acl=None, limit=5)).to_dict()
    assert body["query"] == {"bool": {"must": [{"match_all": {}}]}}
    assert body["sort"] == [{"date": {"order": "desc", "missing": "_last"}}, "_score"]
    assert "highlight" not in body


def test_a_user_with_no_visibility_terms_filters_on_an_empty_list(es):
    body = es.build_search(SearchQuery(text="验收", acl=[])).to_dict()
    assert body["query"]["bool"]["filter"] == [{"terms": {"acl": []}}]


def test_search_sends_the_body_and_reads_hits_highlights_and_facets(es, recorder):
    recorder.responder = lambda method, path, body: (
        (200, {})
        if method == "HEAD"
        else (
            200,
            search_response(
                hits=[
                    {
                        "_id": "article:3",
                        "_score": 4.2,
                        "_source": {
                            "type": "article",
                            "pk": 3,
                            "title": "系統整合專案驗收報告",
                            "body": "正文",
                            "url": "/knowledge/articles/3/",
                            "subtitle": "验收",
                            "industry": "telecom",
                            "category": "2",
                            "keyword": ["10", "11"],
                        },
                        "highlight": {"title": ["系統整合專案<mark>驗收</mark>報告"], "body.en": ["no marks here"]},
                    }
                ],
                aggs={
                    "type": {"buckets": [{"key": "article", "doc_count": 1}]},
                    "industry": {"buckets": [{"key": "telecom", "doc_count": 1}]},
                    "category": {"buckets": [{"key": "2", "doc_count": 1}]},
                    "keyword": {"buckets": [{"key": "10", "doc_count": 1}, {"key": "11", "doc_count": 1}]},
                },
            ),
        )
    )
    result = es.search(SearchQuery(text="验收", acl=["article:public"]))
    sent = recorder.find("POST", "/sicrm-search/_search")
    assert len(sent) == 1 and sent[0].body["query"]["bool"]["filter"] == [{"terms": {"acl": ["article:public"]}}]
    hit = result.hits[0]
    assert (hit.key, hit.score, hit.keywords) == ("article:3", 4.2, ["10", "11"])
    assert hit.title_html == "系統整合專案<mark>驗收</mark>報告"
    assert hit.snippet_html == "no marks here"
    assert result.total == 1
    assert [(f.value, f.count) for f in result.facets["keyword"]] == [("10", 1), ("11", 1)]


def test_more_like_this_body(es):
    body = es.build_more_like_this(
        text="银行数据中心灾备", type_="article", industry="finance", keywords=["7"], exclude=["article:1"], limit=5
    ).to_dict()
    assert body == {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "title.en", "keywords_text", "keywords_text.en", "body", "body.en"],
                            "like": "银行数据中心灾备",
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": 25,
                        }
                    }
                ],
                "filter": [{"term": {"type": "article"}}],
                "should": [
                    {"constant_score": {"filter": {"term": {"industry": "finance"}}, "boost": 1.5}},
                    {"constant_score": {"filter": {"term": {"keyword": "7"}}, "boost": 1.0}},
                ],
                "must_not": [{"ids": {"values": ["article:1"]}}],
            }
        },
        "_source": ["pk"],
        "size": 5,
    }


def test_writes_are_one_bulk_request_keyed_by_type_and_id(es, recorder):
    recorder.responder = lambda method, path, body: (
        (200, {})
        if method == "HEAD"
        else (
            200,
            {
                "errors": True,
                "took": 1,
                "items": [
                    {"delete": {"_id": "project:9", "status": 404}},
                    {"index": {"_id": "article:1", "status": 201}},
                ],
            },
        )
    )
    document = SearchDocument(
        type="article",
        pk=1,
        title="验收",
        body="正文",
        acl=["article:public"],
        date=datetime(2026, 1, 2, tzinfo=UTC),
        keywords=["3"],
        category="2",
        category_path=["2", "1"],
    )
    es.apply(upserts=[document], deletes=["project:9"])  # a 404 on delete is not an error
    (bulk,) = recorder.find("PUT", "/_bulk")
    assert bulk.body == [
        {"delete": {"_index": "sicrm-search", "_id": "project:9"}},
        {"index": {"_index": "sicrm-search", "_id": "article:1"}},
        {
            "type": "article",
            "pk": 1,
            "fp": document.fingerprint(),
            "date": "2026-01-02T00:00:00+00:00",
            "title": "验收",
            "keywords_text": "",
            "body": "正文",
            "acl": ["article:public"],
            "industry": None,
            "category": "2",
            "category_path": ["2", "1"],
            "keyword": ["3"],
            "url": "",
            "subtitle": "",
        },
    ]


def test_first_use_creates_the_template_an_index_and_the_alias(es, recorder):
    recorder.responder = lambda method, path, body: (404, {}) if method == "HEAD" else (200, {"acknowledged": True})
    es.ensure()
    methods = [(c.method, c.path.split("?")[0]) for c in recorder.calls]
    assert methods[0] == ("HEAD", "/_alias/sicrm-search")
    assert methods[1] == ("PUT", "/_index_template/sicrm-search-template")
    assert recorder.calls[1].body == TEMPLATE
    assert methods[2][0] == "PUT" and methods[2][1].startswith("/sicrm-search-")
    assert methods[3] == ("PUT", f"{methods[2][1]}/_alias/sicrm-search")


def test_rebuild_fills_a_new_index_and_swaps_the_alias_atomically(es, recorder):
    def respond(method, path, body):
        if path.startswith("/_alias/sicrm-search") and method == "GET":
            return 200, {"sicrm-search-old": {"aliases": {"sicrm-search": {}}}}
        if "_bulk" in path:
            return 200, {"errors": False, "items": [{"index": {"_id": "article:1", "status": 201}}]}
        return 200, {"acknowledged": True}

    recorder.responder = respond
    count = es.rebuild(iter([SearchDocument(type="article", pk=1, title="验收")]))
    assert count == 1
    (swap,) = recorder.find("POST", "/_aliases")
    new_index = swap.body["actions"][1]["add"]["index"]
    assert swap.body == {
        "actions": [
            {"remove": {"index": "sicrm-search-old", "alias": "sicrm-search"}},
            {"add": {"index": new_index, "alias": "sicrm-search"}},
        ]
    }
    assert new_index.startswith("sicrm-search-") and new_index != "sicrm-search-old"
    assert recorder.find("DELETE", "/sicrm-search-old")
