"""Search finds what salespeople type: what was quoted and who bid (in the project's document, with the
project's visibility), a contact's name or phone (in the customer's document, with the customer's
visibility), sentences as project snippets, and the heading of the results page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.bids import services as bids
from backend.customers import services as customers
from backend.projects.models import Competitor, ProjectCompetitor
from backend.search.registry import get_index
from backend.search.selectors import search_for_user
from tests.factories import CustomerFactory, ProjectFactory
from tests.knowledge.conftest import titles

pytestmark = pytest.mark.django_db


def line(description: str) -> dict:
    return {"description": description, "quantity": "2", "unit_price": "100", "unit_cost": "70"}


@pytest.fixture
def sales(kb, make_user, search_backend, django_capture_on_commit_callbacks):
    people = {"owner": make_user("salesowner", "bid_manager"), "outsider": make_user("outsider", "bid_manager")}
    with django_capture_on_commit_callbacks(execute=True):
        people["project"] = ProjectFactory(
            code="P-2026-0101",
            name="市政务云灾备",
            owner=people["owner"],
            description="为某市政务云建设两地三中心灾备体系。验收报告按模板编写，初验后三个月终验。",
        )
        other = ProjectFactory(code="P-2026-0102", name="校园网改造", owner=people["owner"])
    people["other"] = other
    return people


def test_a_quotation_line_finds_the_project_for_its_owner_and_not_for_an_outsider(
    sales, django_capture_on_commit_callbacks
):
    owner, outsider, project = sales["owner"], sales["outsider"], sales["project"]
    assert search_for_user(user=owner, text="防火墙").result.total == 0
    with django_capture_on_commit_callbacks(execute=True):
        quotation = bids.quotation_create(
            actor=owner, project=project, lines=[line("下一代防火墙 USG6525E"), line("安装调试服务")]
        )
    page = search_for_user(user=owner, text="防火墙")
    assert titles(page) == ["P-2026-0101 市政务云灾备"] and page.result.total == 1
    assert titles(search_for_user(user=owner, text="USG6525E")) == ["P-2026-0101 市政务云灾备"]
    assert search_for_user(user=outsider, text="防火墙").result.total == 0
    assert search_for_user(user=outsider, text="USG6525E").result.total == 0

    # the draft's lines replaced: the old words no longer find it, the new ones do
    with django_capture_on_commit_callbacks(execute=True):
        bids.quotation_replace_lines(actor=owner, quotation=quotation, lines=[line("云桌面终端 200 台")])
    assert search_for_user(user=owner, text="防火墙").result.total == 0
    assert titles(search_for_user(user=owner, text="云桌面终端")) == ["P-2026-0101 市政务云灾备"]


def test_a_bidder_and_its_price_find_the_project_for_its_owner_only(sales, django_capture_on_commit_callbacks):
    owner, outsider, project = sales["owner"], sales["outsider"], sales["project"]
    venus = Competitor.objects.create(name="启明星辰")
    with django_capture_on_commit_callbacks(execute=True):
        bid = bids.bid_create(actor=owner, project=project)
    assert search_for_user(user=owner, text="启明星辰").result.total == 0
    with django_capture_on_commit_callbacks(execute=True):  # the first opening record (bulk-created entries)
        bids.bid_opening_record(
            actor=owner,
            bid=bid,
            entries=[
                {"competitor": venus, "price": Decimal("1180000")},
                {"is_us": True, "price": Decimal("1234500.50")},
            ],
        )
    assert titles(search_for_user(user=owner, text="启明星辰")) == ["P-2026-0101 市政务云灾备"]
    assert titles(search_for_user(user=owner, text="1180000")) == ["P-2026-0101 市政务云灾备"]
    assert titles(search_for_user(user=owner, text="1234500.5")) == ["P-2026-0101 市政务云灾备"]
    assert search_for_user(user=outsider, text="启明星辰").result.total == 0
    assert search_for_user(user=outsider, text="1180000").result.total == 0


def test_a_contact_s_name_and_phone_find_the_customer_for_who_may_see_the_customer(
    kb, make_user, search_backend, django_capture_on_commit_callbacks
):
    keeper = make_user("keeper", "bid_manager")  # owns the customer, no project for it
    outsider = make_user("stranger", "bid_manager")
    with django_capture_on_commit_callbacks(execute=True):
        customer = CustomerFactory(name="某市大数据局", owner=keeper, address="")
        customers.contact_create(
            actor=keeper,
            customer=customer,
            name="王建国",
            title="信息中心主任",
            phone="138-1234-5678",
            email="wang.jianguo@example.gov.cn",
            decision_role="decision_maker",
        )
    for typed in ("王建国", "决策者", "13812345678", "138-1234-5678", "信息中心主任", "wang.jianguo@example.gov.cn"):
        page = search_for_user(user=keeper, text=typed)
        assert titles(page) == ["某市大数据局"], typed
        assert search_for_user(user=outsider, text=typed).result.total == 0, typed
    hit = search_for_user(user=keeper, text="王建国").result.hits[0]
    assert (
        hit.snippet_html == "<mark>王建国</mark> 信息中心主任 Decision maker 138-1234-5678 wang.jianguo@example.gov.cn"
    )


def test_project_snippets_are_sentences_not_lists_of_names(sales, django_capture_on_commit_callbacks):
    owner, project = sales["owner"], sales["project"]
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("深信服", "华为 Huawei"):
            ProjectCompetitor.objects.create(project=project, competitor=Competitor.objects.create(name=name))
    hit = search_for_user(user=owner, text="终验").result.hits[0]
    assert hit.snippet_html == "…验收报告按模板编写，初验后三个月<mark>终验</mark>。"  # the sentence with the word
    # found by a competitor's name (weighted, never shown), the snippet is still the description
    hit = search_for_user(user=owner, text="深信服").result.hits[0]
    assert hit.title == "P-2026-0101 市政务云灾备"
    assert hit.snippet_html == "为某市政务云建设两地三中心灾备体系。验收报告按模板编写，初验后三个月终验。"


def test_a_long_description_shows_the_sentence_with_the_words():
    from backend.search import analysis

    text = "第一句介绍项目背景。" * 10 + "验收报告按模板编写。" + "最后一句是付款条件，与验收无关的内容很长。" * 10
    # the sentence with both words, then the next one while it fits in 40 characters
    snippet = analysis.snippet(text, analysis.query_terms("验收报告 模板"), size=40)
    assert (
        snippet
        == "…<mark>验收报告</mark>按<mark>模板</mark>编写。最后一句是付款条件，与<mark>验收</mark>无关的内容很长。…"
    )
    assert analysis.snippet(text, analysis.query_terms("验收报告 模板"), size=20) == (
        "…<mark>验收报告</mark>按<mark>模板</mark>编写。…"
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_project_documents_cost_the_same_queries_for_5_and_50_projects(kb, make_user, rows):
    owner = make_user("counter", "bid_manager")
    rival = Competitor.objects.create(name="新华三 H3C")
    projects = [ProjectFactory(owner=owner) for _ in range(rows)]
    for project in projects:
        ProjectCompetitor.objects.create(project=project, competitor=rival)
        bids.quotation_create(actor=owner, project=project, lines=[line("交换机"), line("服务器")])
        bid = bids.bid_create(actor=owner, project=project)
        bids.bid_opening_record(actor=owner, bid=bid, entries=[{"competitor": rival, "price": 100}])
    with CaptureQueriesContext(connection) as queries:
        documents = get_index("project").documents([p.pk for p in projects])
    # the projects (with customer and owner), members, competitors and their catalogue rows, reviews (none:
    # no steps read), quotations, lines, bids, opening entries and their competitors, and the sharing rules
    # (each project's document names the rules that open it)
    assert len(queries) == 11
    assert all("交换机\n服务器\n新华三 H3C bid 100" in doc.body for doc in documents.values() if doc)


def test_the_results_page_names_the_query_in_its_heading(kb, search_backend):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(kb["engineer"])
    html = client.get("/knowledge/search/", {"q": "验收 <模板>"}).content.decode()
    assert '<h1 class="h3 mb-3" id="search-heading">“验收 &lt;模板&gt;”的搜索结果</h1>' in html
    html = client.get("/knowledge/search/").content.decode()
    assert '<h1 class="h3 mb-3" id="search-heading">搜索</h1>' in html
