"""The search backend contract: the same test functions run against every backend.

The embedded backend (tantivy) always runs. The Elasticsearch backend joins automatically whenever
ELASTICSEARCH_URL is set (a server with the analysis-smartcn plugin); without it its cases are not
generated at all (rather than skipped), so CI — where skips count as failures — stays meaningful on a
machine without Elasticsearch. They carry the ``elasticsearch`` marker.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.search.base import make_backend
from backend.search.documents import SearchDocument, SearchQuery

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")


BACKENDS = ["embedded"] + ([pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)] if ES_URL else [])


@pytest.fixture(params=BACKENDS)
def backend(request, index_dir):
    if request.param == "embedded":
        engine = make_backend("embedded", path=index_dir)
        engine.ensure()
        yield engine
        engine.destroy()
        return
    engine = make_backend("elasticsearch", url=ES_URL, alias=f"sicrm-test-{uuid.uuid4().hex[:8]}", refresh="wait_for")
    engine.ensure()
    yield engine
    engine.delete_everything()


NOW = datetime(2026, 3, 1, tzinfo=UTC)


def doc(type_: str, pk: int, title: str, body: str = "", **kwargs) -> SearchDocument:
    kwargs.setdefault("acl", [f"{type_}:public"])
    kwargs.setdefault("date", NOW - timedelta(days=pk))
    return SearchDocument(type=type_, pk=pk, title=title, body=body, url=f"/{type_}/{pk}/", **kwargs)


CORPUS = [
    doc(
        "article",
        1,
        "数据中心机房验收清单",
        "UPS 配电和精密空调的检查项。",
        industry="government",
        category="2",
        category_path=["2", "1"],
        keywords=["10"],
    ),
    doc("article", 2, "里程碑计划编制指南", "里程碑应与合同付款条件对应。", category="3", category_path=["3"]),
    doc(
        "article",
        3,
        "系統整合專案驗收報告",
        "香港客戶的系統集成專案，驗收報告範本。",
        industry="telecom",
        category="2",
        category_path=["2", "1"],
        keywords=["10", "11"],
    ),
    doc(
        "article",
        4,
        "Acceptance testing checklist",
        "Every milestone is accepted after the tests.",
        industry="finance",
        keywords=["11"],
    ),
    doc("article", 5, "Mixed 中英 glossary", "验收 acceptance · 里程碑 milestone · 数据中心 data centre"),
    doc("article", 6, "网络安全等保整改", "日志留存与堡垒机部署。"),
    doc("project", 7, "P-2026-0001 华北数据中心扩容", "客户：国网华北电力", industry="energy"),
    doc("tender", 8, "ZB-001 校园网系统集成项目", "资质要求：系统集成一级资质"),
]


def keys(result) -> set[str]:
    return {hit.key for hit in result.hits}


def run(backend, text: str = "", **kwargs):
    return backend.search(SearchQuery(text=text, **kwargs))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("验收", {"article:1", "article:3", "article:5"}),
        ("里程碑", {"article:2", "article:5"}),
        ("系统集成", {"article:3", "tender:8"}),
        ("数据中心", {"article:1", "article:5", "project:7"}),
        ("acceptance", {"article:4", "article:5"}),
        ("milestones", {"article:4", "article:5"}),
        ("accepted", {"article:4", "article:5"}),
    ],
)
def test_chinese_and_english_queries_find_the_right_documents(backend, query, expected):
    backend.apply(upserts=CORPUS)
    result = run(backend, query)
    assert keys(result) == expected
    assert result.total == len(expected)


def test_traditional_finds_simplified_and_back_and_highlights_the_original(backend):
    backend.apply(upserts=CORPUS)
    assert "article:1" in keys(run(backend, "驗收"))  # Traditional query, Simplified document
    hits = {hit.key: hit for hit in run(backend, "验收").hits}  # Simplified query, Traditional document
    assert "<mark>驗收</mark>" in hits["article:3"].title_html + hits["article:3"].snippet_html


def test_highlights_are_escaped_html_with_marks(backend):
    backend.apply(upserts=[doc("article", 1, "<script>验收</script>", "正文 <b>验收</b> 通过")])
    hit = run(backend, "验收").hits[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<mark>验收</mark>" in hit.title_html and "<mark>验收</mark>" in hit.snippet_html


def test_title_matches_rank_above_body_matches(backend):
    backend.apply(
        upserts=[
            doc("article", 1, "网络改造", "本项目最终完成了验收，客户满意。" + "其他内容。" * 20),
            doc("article", 2, "验收规范", "适用于所有项目。" + "其他内容。" * 20),
        ]
    )
    assert [hit.key for hit in run(backend, "验收").hits] == ["article:2", "article:1"]


def test_documents_with_every_word_rank_first_and_those_with_some_are_still_found(backend):
    backend.apply(
        upserts=[
            doc("article", 1, "交付文档清单", "附件：验收报告模板一份，按项目填写。" + "其他内容。" * 20),
            doc("article", 2, "验收报告", "验收报告的写法与签字要求。"),
            doc("article", 3, "周报模板", "每周五提交。"),
            doc("article", 4, "网络改造", "与查询无关。"),
        ]
    )
    result = run(backend, "验收报告 模板")
    assert [hit.key for hit in result.hits][0] == "article:1"
    assert keys(result) == {"article:1", "article:2", "article:3"} and result.total == 3
    assert [hit.key for hit in run(backend, "驗收報告 模板").hits][0] == "article:1"  # Traditional too


def test_visibility_applies_to_hits_counts_and_facets(backend):
    backend.apply(
        upserts=[
            doc("article", 1, "验收 公开", acl=["article:public"], keywords=["1"], industry="finance"),
            doc("article", 2, "验收 部门", acl=["article:d:5"], keywords=["2"], industry="energy", category="9"),
            doc("article", 3, "验收 角色", acl=["article:r:presales"], keywords=["2"]),
            doc("article", 4, "验收 个人", acl=["article:u:42"], keywords=["3"], industry="telecom"),
            doc("project", 5, "验收 项目", acl=["project:u:42"]),
        ]
    )
    outsider = run(backend, "验收", acl=["article:public"])
    assert keys(outsider) == {"article:1"} and outsider.total == 1
    assert {f.value: f.count for f in outsider.facets["keyword"]} == {"1": 1}
    assert {f.value: f.count for f in outsider.facets["industry"]} == {"finance": 1}
    assert outsider.facets["category"] == []
    assert {f.value: f.count for f in outsider.facets["type"]} == {"article": 1}

    member = run(backend, "验收", acl=["article:public", "article:d:5", "project:u:42", "article:u:42"])
    assert keys(member) == {"article:1", "article:2", "article:4", "project:5"} and member.total == 4
    assert {f.value: f.count for f in member.facets["type"]} == {"article": 3, "project": 1}
    assert {f.value: f.count for f in member.facets["keyword"]} == {"1": 1, "2": 1, "3": 1}

    assert run(backend, "验收", acl=[]).total == 0
    assert run(backend, "验收", acl=None).total == 5  # no filter (superuser)


def test_filters_by_type_category_keyword_and_industry(backend):
    backend.apply(upserts=CORPUS)
    assert keys(run(backend, "验收", types=["article"])) == {"article:1", "article:3", "article:5"}
    assert keys(run(backend, "数据中心", types=["project", "tender"])) == {"project:7"}
    assert keys(run(backend, "", category="1")) == {"article:1", "article:3"}  # the parent includes the child
    assert keys(run(backend, "", keyword="11")) == {"article:3", "article:4"}
    assert keys(run(backend, "验收", industry="telecom")) == {"article:3"}


def test_empty_query_lists_what_is_visible_newest_first(backend):
    backend.apply(upserts=CORPUS)
    result = run(backend, "", limit=3)
    assert result.total == len(CORPUS)
    assert [hit.key for hit in result.hits] == ["article:1", "article:2", "article:3"]


def test_a_query_of_stop_words_finds_nothing(backend):
    backend.apply(upserts=CORPUS)
    assert run(backend, "the of 的").total == 0


def test_pagination(backend):
    backend.apply(upserts=[doc("article", pk, f"验收 第{pk}篇") for pk in range(1, 26)])
    first = run(backend, "验收", offset=0, limit=10)
    third = run(backend, "验收", offset=20, limit=10)
    assert first.total == third.total == 25
    assert len(first.hits) == 10 and len(third.hits) == 5
    assert not keys(first) & keys(third)


def test_upsert_replaces_and_delete_removes(backend):
    backend.apply(upserts=CORPUS)
    backend.apply(upserts=[doc("article", 1, "机房巡检手册", "每日巡检")])
    assert "article:1" not in keys(run(backend, "验收"))
    assert keys(run(backend, "巡检")) == {"article:1"}
    backend.apply(deletes=["article:1", "article:999"])  # deleting a missing key is fine
    assert run(backend, "巡检").total == 0
    assert backend.count() == len(CORPUS) - 1


def test_fingerprints_are_what_was_indexed(backend):
    backend.apply(upserts=CORPUS)
    articles = backend.fingerprints("article")
    assert articles == {d.pk: d.fingerprint() for d in CORPUS if d.type == "article"}
    assert backend.fingerprints("customer") == {}


def test_rebuild_replaces_everything(backend):
    backend.apply(upserts=CORPUS)
    seen = []
    count = backend.rebuild(iter(CORPUS[:2]), progress=seen.append)
    assert count == 2 and len(seen) == 2
    assert backend.count() == 2
    assert keys(run(backend, "数据中心")) == {"article:1"}


def test_more_like_this_ranks_text_industry_and_keywords(backend):
    backend.apply(
        upserts=[
            doc(
                "article", 1, "银行数据中心灾备方案", "两地三中心 同城双活 存储复制", industry="finance", keywords=["7"]
            ),
            doc("article", 2, "数据中心灾备方案", "两地三中心 同城双活 存储复制", industry="energy"),
            doc("article", 3, "网络安全整改", "堡垒机 日志审计", industry="finance", keywords=["7"]),
            doc("article", 4, "灾备演练记录", "一次切换演练", industry="energy"),
            doc("project", 5, "银行数据中心灾备建设", "两地三中心"),
        ]
    )
    ranked = backend.more_like_this(
        text="某银行数据中心灾备建设：两地三中心，同城双活", type_="article", industry="finance", keywords=["7"]
    )
    order = [key for key, _score in ranked]
    assert order[:2] == ["article:1", "article:2"]
    assert "article:3" not in order  # no text in common: industry and keywords alone do not link
    assert "project:5" not in order
    assert [key for key, _ in backend.more_like_this(text="两地三中心 灾备", type_="article", exclude=["article:1"])][
        0
    ] == "article:2"
