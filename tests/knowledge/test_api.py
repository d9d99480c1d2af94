"""The knowledge API: articles (create, edit, transitions, review, attachments, versions), categories,
keywords, proposals and links; errors in the one JSON format with the right status."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.knowledge import services
from backend.knowledge.models import ArticleLink
from tests.knowledge.files import docx_bytes

pytestmark = pytest.mark.django_db


def test_article_lifecycle_through_the_api(kb, client_for, django_capture_on_commit_callbacks):
    author, admin = client_for(kb["engineer"]), client_for(kb["kbadmin"])
    created = author.post(
        "/api/v1/knowledge/articles/",
        {
            "title": "里程碑验收要点",
            "body": "## 要点\n\n- 签字",
            "keywords": ["验收", "里程碑"],
            "visibility": "roles",
            "roles": ["engineer", "pm"],
            "category": kb["datacentre"].pk,
            "industry": "energy",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["visibility"] == "roles" and sorted(body["roles"]) == ["engineer", "pm"]
    assert body["keywords"] == ["验收", "里程碑"] or sorted(body["keywords"]) == sorted(["验收", "里程碑"])
    assert "<h2>要点</h2>" in body["body_html"]
    assert client_for(kb["presales"]).get(f"/api/v1/knowledge/articles/{pk}/").status_code == 404

    edited = author.patch(f"/api/v1/knowledge/articles/{pk}/", {"body": "第二版"}, format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    versions = author.get(f"/api/v1/knowledge/articles/{pk}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]

    assert author.post(f"/api/v1/knowledge/articles/{pk}/transitions/submit/", {}, format="json").status_code == 200
    refused = author.post(f"/api/v1/knowledge/articles/{pk}/transitions/publish/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = admin.post(
            f"/api/v1/knowledge/articles/{pk}/review/",
            {"decision": "publish", "keywords": ["验收"], "comment": "ok"},
            format="json",
        )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "published"
    again = admin.post(f"/api/v1/knowledge/articles/{pk}/transitions/publish/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    found = client_for(kb["pm"]).get("/api/v1/search/", {"q": "里程碑"}).json()
    assert [hit["id"] for hit in found["results"]] == [pk]
    assert client_for(kb["presales"]).get("/api/v1/search/", {"q": "里程碑"}).json()["count"] == 0


def test_article_list_is_filtered_by_visibility(kb, publish, client_for):
    publish("公开文章")
    publish("交付文章", visibility="department", department_ids=[kb["delivery"].pk])
    titles = {a["title"] for a in client_for(kb["presales"]).get("/api/v1/knowledge/articles/").json()["results"]}
    assert titles == {"公开文章"}
    titles = {a["title"] for a in client_for(kb["engineer"]).get("/api/v1/knowledge/articles/").json()["results"]}
    assert titles == {"公开文章", "交付文章"}


def test_bad_input_is_400_with_fields(kb, client_for):
    response = client_for(kb["engineer"]).post(
        "/api/v1/knowledge/articles/", {"title": "x", "visibility": "users", "users": []}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client_for(kb["engineer"]).post("/api/v1/knowledge/articles/", {"title": ""}, format="json")
    assert response.status_code == 400


def test_attachment_upload_extracts_text(kb, client_for, settings, tmp_path, django_capture_on_commit_callbacks):
    from django.test import Client

    from backend.knowledge.models import ArticleAttachment

    settings.MEDIA_ROOT = tmp_path
    article = services.article_create(author=kb["engineer"], title="附件测试")
    upload = SimpleUploadedFile("验收.docx", docx_bytes(["综合布线验收记录"]))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(kb["engineer"]).post(
            f"/api/v1/knowledge/articles/{article.pk}/attachments/", {"file": upload}, format="multipart"
        )
        # answered before the text was extracted: extraction runs on the worker after commit
        assert response.status_code == 201, response.json()
        assert response.json()["text_pending"] is True and response.json()["text_chars"] == 0
    assert len(callbacks) >= 1
    stored = ArticleAttachment.objects.get(pk=response.json()["id"])
    assert stored.text == "综合布线验收记录" and stored.text_pending is False
    assert response.json()["download_url"].startswith("/knowledge/")
    browser = Client()
    browser.force_login(kb["engineer"])
    download = browser.get(response.json()["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_categories_and_keywords(kb, client_for):
    assert (
        client_for(kb["engineer"]).post("/api/v1/knowledge/categories/", {"name": "新目录"}, format="json").status_code
        == 403
    )
    created = client_for(kb["kbadmin"]).post(
        "/api/v1/knowledge/categories/", {"name": "新目录", "parent": kb["solutions"].pk}, format="json"
    )
    assert created.status_code == 201 and created.json()["parent"] == kb["solutions"].pk
    names = {c["name"] for c in client_for(kb["engineer"]).get("/api/v1/knowledge/categories/").json()}
    assert "新目录" in names
    keyword = client_for(kb["engineer"]).post("/api/v1/knowledge/keywords/", {"name": "驗收"}, format="json")
    same = client_for(kb["engineer"]).post("/api/v1/knowledge/keywords/", {"name": "验收"}, format="json")
    assert keyword.json()["id"] == same.json()["id"]


def test_proposals_through_the_api(kb, reasons, client_for):
    from backend.bids.models import WinLossRecord
    from tests.factories import ProjectFactory

    project = ProjectFactory(owner=kb["pm"])
    record = WinLossRecord.objects.create(
        project=project, outcome="lost", primary_reason=reasons["price"], recorded_by=kb["pm"], lessons="报价偏高"
    )
    body = {"kind": "lesson", "object_id": record.pk}
    assert client_for(kb["presales"]).post("/api/v1/knowledge/proposals/", body, format="json").status_code == 404
    created = client_for(kb["pm"]).post("/api/v1/knowledge/proposals/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "in_review"
    again = client_for(kb["pm"]).post("/api/v1/knowledge/proposals/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_proposed"
    bad = client_for(kb["pm"]).post("/api/v1/knowledge/proposals/", {"kind": "manual", "object_id": 1}, format="json")
    assert bad.status_code == 400


def test_links_through_the_api(kb, publish, client_for, django_capture_on_commit_callbacks):
    from tests.factories import ProjectFactory

    article = publish("银行数据中心灾备方案", "两地三中心 同城双活", industry="finance")
    with django_capture_on_commit_callbacks(execute=True):
        project = ProjectFactory(name="银行灾备建设", description="两地三中心", owner=kb["pm"], industry="finance")
    listed = client_for(kb["pm"]).get("/api/v1/knowledge/links/", {"project": project.pk}).json()["results"]
    assert [(row["article"], row["status"]) for row in listed] == [(article.pk, "suggested")]
    link_id = listed[0]["id"]
    assert client_for(kb["presales"]).post(f"/api/v1/knowledge/links/{link_id}/accept/").status_code == 404
    dismissed = client_for(kb["pm"]).post(f"/api/v1/knowledge/links/{link_id}/dismiss/")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    manual = client_for(kb["pm"]).post(
        "/api/v1/knowledge/links/", {"project": project.pk, "article": article.pk}, format="json"
    )
    assert manual.status_code == 201 and ArticleLink.objects.get(pk=link_id).status == "accepted"


def test_the_schema_documents_the_search_endpoint(client_for, kb):
    schema = client_for(kb["engineer"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/search/" in schema["paths"] and "/api/v1/knowledge/articles/" in schema["paths"]


def test_a_zip_bomb_is_refused_as_an_attachment(kb, client_for, settings, tmp_path):
    from backend.knowledge.models import ArticleAttachment
    from tests.uploads import docx_bomb

    settings.MEDIA_ROOT = tmp_path
    article = services.article_create(author=kb["engineer"], title="附件测试")
    response = client_for(kb["engineer"]).post(
        f"/api/v1/knowledge/articles/{article.pk}/attachments/",
        {"file": SimpleUploadedFile("炸弹.docx", docx_bomb(200))},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "zip_bomb", response.json()
    assert ArticleAttachment.objects.count() == 0 and not any(tmp_path.rglob("*.docx"))
