"""``/api/v1/threads/`` and the posts under it: create, list, filter, unread counts, quote, edit and history,
refused files, the outsider's 404, errors as {"detail", "code"}, query counts, and the schema."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from backend.core.models import Notification
from backend.discussions import services
from backend.discussions.models import Post, PostAttachment, Thread
from tests.uploads import real_docx


def test_create_list_and_filter_threads(team, tender, client_for):
    api = client_for(team["pm"])
    created = api.post(
        "/api/v1/threads/",
        {"project": team["project"].pk, "title": "接口方案", "body": "先讨论 **接口**"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["project"], body["tender"], body["title"]) == (team["project"].pk, None, "接口方案")
    assert (body["post_count"], body["unread_count"], body["created_by"]["username"]) == (1, 0, "pm")
    on_tender = api.post("/api/v1/threads/", {"tender": tender.pk, "title": "投标文件", "body": "分工"}, format="json")
    assert on_tender.status_code == 201
    # presales sees both, each with one unread post; the filters narrow
    presales = client_for(team["presales"])
    listed = presales.get("/api/v1/threads/").json()
    assert listed["count"] == 2
    assert {(t["title"], t["unread_count"]) for t in listed["results"]} == {("接口方案", 1), ("投标文件", 1)}
    by_project = presales.get(f"/api/v1/threads/?project={team['project'].pk}").json()
    assert [t["title"] for t in by_project["results"]] == ["接口方案"]
    by_tender = presales.get(f"/api/v1/threads/?tender={tender.pk}").json()
    assert [t["title"] for t in by_tender["results"]] == ["投标文件"]
    bad = presales.get("/api/v1/threads/?project=abc")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"


def test_a_thread_needs_exactly_one_owner(team, tender, client_for):
    api = client_for(team["pm"])
    both = api.post(
        "/api/v1/threads/",
        {"project": team["project"].pk, "tender": tender.pk, "title": "x", "body": "y"},
        format="json",
    )
    assert both.status_code == 400 and both.json()["code"] == "thread_owner" and both.json()["detail"]
    assert Thread.objects.count() == 0


def test_posts_reply_with_quote_and_mentions_edit_and_history(
    team, thread, client_for, django_capture_on_commit_callbacks
):
    api = client_for(team["pm"])
    first = thread.posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = api.post(
            f"/api/v1/threads/{thread.pk}/posts/",
            {"body": "@engineer @outsider 请看", "quote": first.pk},
            format="json",
        )
    assert reply.status_code == 201, reply.json()
    data = reply.json()
    assert data["quote"]["id"] == first.pk and data["quote"]["author"]["username"] == "presales"
    assert (data["edited"], data["can_edit"], data["author"]["username"]) == (False, True, "pm")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["engineer"]
    listed = api.get(f"/api/v1/threads/{thread.pk}/posts/").json()
    assert [p["body"] for p in listed["results"]] == ["请大家看一下方案。", "@engineer @outsider 请看"]
    assert [p["can_edit"] for p in listed["results"]] == [False, True]
    # edit via PATCH, by the author only; history keeps the previous text
    url = f"/api/v1/threads/{thread.pk}/posts/{data['id']}/"
    edited = api.patch(url, {"body": "改过的"}, format="json")
    assert edited.status_code == 200 and edited.json()["edited"] is True and edited.json()["revision_count"] == 1
    refused = client_for(team["engineer"]).patch(url, {"body": "我来改"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    history = api.get(url + "history/").json()
    assert [(h["body"], h["edited_by"]["username"]) for h in history] == [("@engineer @outsider 请看", "pm")]
    # reading clears the unread count
    assert client_for(team["presales"]).get(f"/api/v1/threads/{thread.pk}/").json()["unread_count"] == 1
    read = client_for(team["presales"]).post(f"/api/v1/threads/{thread.pk}/read/", {}, format="json").json()
    assert read == {"thread": thread.pk, "read_up_to": data["id"], "unread_count": 0}


def test_a_quote_from_another_thread_is_refused(team, thread, client_for):
    other = services.thread_create(actor=team["pm"], project_id=team["project"].pk, title="另一个", body="x")
    response = client_for(team["pm"]).post(
        f"/api/v1/threads/{other.pk}/posts/", {"body": "引用", "quote": thread.posts.get().pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "quote_elsewhere"


def test_a_bad_file_is_a_clear_400_and_nothing_is_written(team, thread, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    api = client_for(team["pm"])
    response = api.post(
        f"/api/v1/threads/{thread.pk}/posts/",
        {
            "body": "附件",
            "files": [SimpleUploadedFile("ok.docx", real_docx()), SimpleUploadedFile("x.png", b"GIF89a\x00\x01\x00")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed" and "x.png" in response.json()["detail"]
    assert Post.objects.count() == 1 and PostAttachment.objects.count() == 0 and not any(tmp_path.rglob("*.*"))
    good = api.post(
        f"/api/v1/threads/{thread.pk}/posts/",
        {"body": "附件", "files": [SimpleUploadedFile("纪要.docx", real_docx())]},
        format="multipart",
    )
    assert good.status_code == 201 and [a["name"] for a in good.json()["attachments"]] == ["纪要.docx"]


def test_the_outsider_gets_404(team, thread, client_for):
    api = client_for(team["outsider"])
    post = thread.posts.get()
    assert api.get("/api/v1/threads/").json()["count"] == 0
    for url in (
        f"/api/v1/threads/{thread.pk}/",
        f"/api/v1/threads/{thread.pk}/posts/",
        f"/api/v1/threads/{thread.pk}/posts/{post.pk}/",
        f"/api/v1/threads/{thread.pk}/posts/{post.pk}/history/",
    ):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    assert api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "hi"}, format="json").status_code == 404
    created = api.post("/api/v1/threads/", {"project": team["project"].pk, "title": "x", "body": "y"}, format="json")
    assert created.status_code == 404 and created.json()["code"] == "not_found"
    assert Post.objects.count() == 1 and Thread.objects.count() == 1


def test_list_queries_do_not_grow(team, thread, client_for, count_queries):
    api = client_for(team["presales"])
    first = thread.posts.get()

    def grow_to(rows: int) -> tuple[int, int]:
        while Thread.objects.count() < rows:
            n = Thread.objects.count()
            services.thread_create(actor=team["engineer"], project_id=team["project"].pk, title=f"主题 {n}", body="x")
        while thread.posts.count() < rows:
            services.post_create(actor=team["pm"], thread_id=thread.pk, body="回复", quote_id=first.pk)
        threads = count_queries(lambda: api.get(f"/api/v1/threads/?project={team['project'].pk}&page_size=100"))
        posts = count_queries(lambda: api.get(f"/api/v1/threads/{thread.pk}/posts/?page_size=100"))
        return threads, posts

    assert grow_to(5) == grow_to(50)


def test_the_schema_documents_the_endpoints(client_for, team):
    schema = client_for(team["pm"]).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/threads/",
        "/api/v1/threads/{id}/",
        "/api/v1/threads/{id}/posts/",
        "/api/v1/threads/{id}/posts/{post_id}/",
        "/api/v1/threads/{id}/posts/{post_id}/history/",
        "/api/v1/threads/{id}/read/",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/v1/threads/{id}/posts/{post_id}/"]
