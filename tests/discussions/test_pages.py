"""The board's pages: the project tab and the tender section, the thread page (reply with quote, files, unread
marks, edit and history), the outsider's 404, a refused file shown as a 400 with nothing written, Chinese."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from backend.discussions import services
from backend.discussions.models import Post, PostAttachment, Thread
from tests.uploads import real_docx


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_project_tab_lists_threads_with_unread_counts(team, thread):
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="回复一")
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="回复二")
    page = _client(team["presales"]).get(reverse("projects:detail", args=[team["project"].pk]) + "?tab=discussions")
    html = page.content.decode()
    assert page.status_code == 200
    assert "方案评审" in html and f'data-thread="{thread.pk}"' in html
    assert "2 unread posts" in html and "2 new" in html
    assert 'id="tab-unread" title="unread posts">2</span>' in html  # the tab's badge
    # the badge shows on every tab of the project page, not only on the discussion tab
    overview = _client(team["presales"]).get(reverse("projects:detail", args=[team["project"].pk])).content.decode()
    assert 'id="tab-unread" title="unread posts">2</span>' in overview
    # the author of the replies has read them
    pm_view = _client(team["pm"]).get(reverse("projects:detail", args=[team["project"].pk])).content.decode()
    assert 'id="tab-unread"' not in pm_view


def test_opening_a_thread_marks_it_read_and_shows_new_posts(team, thread):
    reply = services.post_create(actor=team["pm"], thread_id=thread.pk, body="**重要** 回复")
    client = _client(team["presales"])
    first = client.get(reverse("discussions:thread", args=[thread.pk])).content.decode()
    assert first.count(">new</span>") == 1 and f'id="post-{reply.pk}"' in first
    assert "<strong>重要</strong>" in first
    again = client.get(reverse("discussions:thread", args=[thread.pk])).content.decode()
    assert ">new</span>" not in again
    tab = client.get(reverse("projects:detail", args=[team["project"].pk]) + "?tab=discussions").content.decode()
    assert "unread post" not in tab and 'id="tab-unread"' not in tab


def test_reply_with_quote_and_file_then_edit_and_history(team, thread, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    first = thread.posts.get()
    client = _client(team["pm"])
    page = client.get(reverse("discussions:thread", args=[thread.pk]) + f"?quote={first.pk}").content.decode()
    assert 'id="quoting"' in page and f'value="{first.pk}"' in page
    response = client.post(
        reverse("discussions:reply", args=[thread.pk]),
        {"reply-body": "同意这个方案", "reply-quote": first.pk, "reply-file": _upload("记录.docx", real_docx())},
    )
    reply = Post.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{reply.pk}")
    assert reply.quote_id == first.pk and reply.attachments.get().name == "记录.docx"
    page = client.get(reverse("discussions:thread", args=[thread.pk])).content.decode()
    assert f'data-quote="{first.pk}"' in page and "张伟 wrote:" in page
    # the author edits; the page says "edited" and the history shows the earlier text
    assert (
        client.post(reverse("discussions:post-edit", args=[reply.pk]), {"body": "同意，但要加预算"}).status_code == 302
    )
    page = client.get(reverse("discussions:thread", args=[thread.pk])).content.decode()
    assert "同意，但要加预算" in page and "(edited · 1 earlier version)" in page
    history = client.get(reverse("discussions:post-history", args=[reply.pk])).content.decode()
    assert "同意这个方案" in history and "Text before the edit by Alice Smith" in history
    # someone else cannot edit it
    other = _client(team["engineer"]).post(reverse("discussions:post-edit", args=[reply.pk]), {"body": "改"})
    assert other.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "同意，但要加预算"


def test_a_refused_file_is_a_400_with_the_message_and_nothing_written(team, thread, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = _client(team["pm"]).post(
        reverse("discussions:reply", args=[thread.pk]),
        {"reply-body": "看附件", "reply-file": _upload("报价.pdf", b"MZ\x90\x00\x00\x00 not a pdf")},
    )
    assert response.status_code == 400
    assert "报价.pdf is not an allowed file type" in response.content.decode()
    assert Post.objects.count() == 1 and PostAttachment.objects.count() == 0
    assert not any(tmp_path.rglob("*.*"))


def test_the_outsider_gets_404_everywhere(team, thread):
    client = _client(team["outsider"])
    post = thread.posts.get()
    for url in (
        reverse("discussions:thread", args=[thread.pk]),
        reverse("discussions:post-history", args=[post.pk]),
        reverse("discussions:post-edit", args=[post.pk]),
        reverse("discussions:new-on-project", args=[team["project"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("discussions:reply", args=[thread.pk]), {"reply-body": "hi"}).status_code == 404
    assert Post.objects.count() == 1


def test_a_thread_is_started_on_a_tender_page(team, tender):
    client = _client(team["pm"])
    response = client.post(
        reverse("discussions:new-on-tender", args=[tender.pk]), {"thread-title": "资质文件", "thread-body": "谁准备？"}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and thread.tender_id == tender.pk
    page = _client(team["presales"]).get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    assert 'id="tender-section-discussions"' in page and "资质文件" in page and "1 unread post" in page


def test_an_empty_thread_form_is_a_400_not_a_500(team):
    response = _client(team["pm"]).post(
        reverse("discussions:new-on-project", args=[team["project"].pk]), {"thread-title": "", "thread-body": ""}
    )
    assert response.status_code == 400 and Thread.objects.count() == 0


def test_pages_in_chinese(team, thread):
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="回复")
    client = _client(team["presales"], "zh-hans")
    tab = client.get(reverse("projects:detail", args=[team["project"].pk]) + "?tab=discussions").content.decode()
    assert '<html lang="zh-hans">' in tab
    assert "发起讨论" in tab and "1 条未读" in tab and "讨论" in tab
    page = client.get(reverse("discussions:thread", args=[thread.pk])).content.decode()
    assert "发表回复" in page and "引用" in page and "Post the reply" not in page


def test_thread_page_and_tab_queries_do_not_grow(team, thread, count_queries):
    client = _client(team["presales"])
    first = thread.posts.first()

    def grow_to(rows: int) -> tuple[int, int]:
        while thread.posts.count() < rows + 1:
            n = thread.posts.count()
            services.post_create(actor=team["pm"], thread_id=thread.pk, body=f"回复 {n} @presales", quote_id=first.pk)
            services.thread_create(actor=team["engineer"], project_id=team["project"].pk, title=f"主题 {n}", body="x")
        client.get(reverse("discussions:thread", args=[thread.pk]))  # the read marker exists from here on
        services.post_create(actor=team["pm"], thread_id=thread.pk, body="新的一条")  # and one post is unread
        page = count_queries(lambda: client.get(reverse("discussions:thread", args=[thread.pk])))
        tab = count_queries(
            lambda: client.get(reverse("projects:detail", args=[team["project"].pk]) + "?tab=discussions")
        )
        return page, tab

    assert grow_to(5) == grow_to(60)


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
