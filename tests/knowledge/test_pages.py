"""Knowledge pages in English and 简体中文: search results with facets and highlights, the category
browser, the article page and its versions, the editor and its preview, the review queue, proposals,
and the project-page fragment with accept/dismiss."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from backend.knowledge import services
from backend.knowledge.models import Article, ArticleLink

pytestmark = pytest.mark.django_db


def browser_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def articles(kb, publish):
    return {
        "public": publish(
            "数据中心验收清单",
            "本項目已通過驗收，UPS 测试通过。",
            keywords=["验收"],
            category_id=kb["datacentre"].pk,
            industry="finance",
        ),
        "delivery": publish(
            "交付部门验收经验",
            "内部验收经验",
            visibility="department",
            department_ids=[kb["delivery"].pk],
            category_id=kb["lessons"].pk,
        ),
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_search_page_shows_hits_highlights_and_facets(kb, articles, language):
    response = browser_for(kb["engineer"], language).get("/knowledge/search/", {"q": "验收"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "<mark>验收</mark>" in html and "<mark>驗收</mark>" in html
    assert 'data-facet="type"' in html and 'data-facet="keyword"' in html
    assert "交付部门<mark>验收</mark>经验" in html  # engineer is in Implementation, below Delivery


def test_search_page_hides_what_the_user_may_not_see_even_in_facets(kb, articles):
    html = browser_for(kb["presales"]).get("/knowledge/search/", {"q": "验收"}).content.decode()
    assert "交付部门" not in html and "经验教训 Lessons" not in html
    assert 'id="result-count"' in html and "1 result" in html


def test_search_page_facet_links_filter_and_bad_input_is_shown_not_500(kb, articles):
    client = browser_for(kb["engineer"])
    html = client.get("/knowledge/search/", {"q": "验收", "category": str(kb["lessons"].pk)}).content.decode()
    assert "交付部门<mark>验收</mark>经验" in html and "数据中心" not in html
    bad = client.get("/knowledge/search/", {"q": "验收", "type": "invoice"})
    assert bad.status_code == 200 and "Unknown type" in bad.content.decode()


def test_search_box_fragment(rf: RequestFactory):
    request = rf.get("/", {"q": "验收"})
    html = render_to_string("knowledge/_search_box.html", {"request": request})
    assert 'action="/knowledge/search/"' in html and 'value="验收"' in html


def test_category_browser_counts_only_readable_articles(kb, articles):
    html = browser_for(kb["presales"]).get("/knowledge/").content.decode()
    assert "数据中心验收清单" in html and "交付部门验收经验" not in html
    assert f'data-category="{kb["lessons"].pk}"' in html
    lessons_count = html.split(f'data-category="{kb["lessons"].pk}"')[1].split("</a>")[0]
    assert ">0</span>" in lessons_count
    solutions = html.split(f'data-category="{kb["solutions"].pk}"')[1].split("</a>")[0]
    assert ">1</span>" in solutions  # the child's article counts for the parent
    assert browser_for(kb["presales"]).get(f"/knowledge/categories/{kb['datacentre'].pk}/").status_code == 200


def test_category_counts_are_kept_and_renewed_by_the_next_publication(kb, articles, publish):
    def lessons(client):
        html = client.get("/knowledge/").content.decode()
        return html.split(f'data-category="{kb["lessons"].pk}"')[1].split("</a>")[0]

    client = browser_for(kb["presales"])
    assert ">0</span>" in lessons(client)
    assert ">0</span>" in lessons(client)  # a second click, from the kept counts, answers the same
    # a new public article in the category shows on the next click
    publish("机房搬迁教训", "先断电后搬迁。", category_id=kb["lessons"].pk)
    assert ">1</span>" in lessons(client)


def test_article_page_versions_and_404_for_the_unauthorised(kb, articles):
    client = browser_for(kb["engineer"])
    article = articles["delivery"]
    services.article_update(article_id=article.pk, actor=kb["kbadmin"], data={"body": "第二版"})
    html = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "第二版" in html and 'id="versions"' in html
    assert "内部验收经验" in client.get(f"/knowledge/articles/{article.pk}/versions/1/").content.decode()
    assert browser_for(kb["presales"]).get(f"/knowledge/articles/{article.pk}/").status_code == 404


def test_editor_creates_a_draft_and_the_preview_is_sanitized(kb):
    client = browser_for(kb["engineer"])
    assert client.get("/knowledge/articles/new/").status_code == 200
    response = client.post(
        "/knowledge/articles/new/",
        {"title": "新文章", "body": "**粗体**", "keywords": "验收，里程碑", "visibility": "public"},
    )
    article = Article.objects.get(title="新文章")
    assert response.status_code == 302 and response["Location"] == f"/knowledge/articles/{article.pk}/"
    assert sorted(k.name for k in article.keywords.all()) == ["里程碑", "验收"]
    preview = client.post("/knowledge/preview/", {"body": "# 标题\n<script>x()</script>"}).content.decode()
    assert "<h1>标题</h1>" in preview and "<script" not in preview
    edit = client.post(f"/knowledge/articles/{article.pk}/edit/", {"title": "", "visibility": "public"})
    assert edit.status_code == 200 and "is-invalid" in edit.content.decode()


def test_review_queue_is_for_knowledge_admins_and_publishes(kb, django_capture_on_commit_callbacks):
    draft = services.article_create(author=kb["engineer"], title="待审文章", status="in_review")
    assert browser_for(kb["engineer"]).get("/knowledge/review/").status_code == 404
    client = browser_for(kb["kbadmin"])
    assert "待审文章" in client.get("/knowledge/review/").content.decode()
    prefix = f"a{draft.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/knowledge/review/{draft.pk}/",
            {
                f"{prefix}-decision": "publish",
                f"{prefix}-category": kb["lessons"].pk,
                f"{prefix}-keywords": "验收",
                f"{prefix}-visibility": "public",
            },
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.category == kb["lessons"]
    assert 'id="review-empty"' in client.get("/knowledge/review/").content.decode()


def test_transition_buttons_and_refusals(kb):
    draft = services.article_create(author=kb["engineer"], title="我的草稿")
    client = browser_for(kb["engineer"])
    assert "Submit for review" in client.get(f"/knowledge/articles/{draft.pk}/").content.decode()
    client.post(f"/knowledge/articles/{draft.pk}/transitions/submit/")
    draft.refresh_from_db()
    assert draft.status == "in_review"
    response = client.post(f"/knowledge/articles/{draft.pk}/transitions/publish/", follow=True)
    assert response.status_code == 200 and "knowledge admin" in response.content.decode()


def test_propose_from_a_project_record(kb, reasons):
    from backend.bids.models import WinLossRecord
    from tests.factories import ProjectFactory

    project = ProjectFactory(owner=kb["pm"])
    record = WinLossRecord.objects.create(
        project=project, outcome="lost", primary_reason=reasons["price"], recorded_by=kb["pm"], lessons="价格过高"
    )
    client = browser_for(kb["pm"])
    html = render_to_string(
        "knowledge/_propose_button.html",
        {"kind": "lesson", "object_id": record.pk, "request": RequestFactory().get("/")},
    )
    assert f'action="/knowledge/propose/lesson/{record.pk}/"' in html
    response = client.post(f"/knowledge/propose/lesson/{record.pk}/", {"next": f"/projects/{project.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert Article.objects.get(source_object_id=record.pk).status == "in_review"
    assert browser_for(kb["presales"]).post(f"/knowledge/propose/lesson/{record.pk}/").status_code == 404


@pytest.fixture
def linked_project(kb, publish, django_capture_on_commit_callbacks):
    from tests.factories import ProjectFactory

    publish("银行数据中心灾备方案", "两地三中心 同城双活", industry="finance")
    with django_capture_on_commit_callbacks(execute=True):
        project = ProjectFactory(
            name="银行数据中心灾备建设", description="两地三中心", owner=kb["pm"], industry="finance"
        )
    return project


def test_project_links_fragment_and_accept_dismiss(kb, linked_project):
    from backend.knowledge.views import project_links_context

    request = RequestFactory().get("/")
    request.user = kb["pm"]
    context = project_links_context(request, linked_project)
    html = render_to_string("knowledge/_project_links.html", context, request=request)
    link = ArticleLink.objects.get(project=linked_project)
    assert "银行数据中心灾备方案" in html and f'data-link="{link.pk}"' in html and "Accept" in html
    client = browser_for(kb["pm"])
    fragment = client.post(f"/knowledge/links/{link.pk}/accept/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="knowledge-accepted"' in fragment and "data-link" not in fragment
    link.refresh_from_db()
    assert link.status == "accepted"
    assert "银行数据中心灾备建设" in client.get(f"/knowledge/articles/{link.article_id}/").content.decode()
    response = client.post(f"/knowledge/links/{link.pk}/dismiss/")
    assert response.status_code == 302 and response["Location"] == f"/projects/{linked_project.pk}/"
    assert browser_for(kb["presales"]).post(f"/knowledge/links/{link.pk}/accept/").status_code == 404
