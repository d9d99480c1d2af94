"""The board's rules, through the services and selectors: mentions notify exactly the mentioned members, unread
counts per user and thread, edit history, quoting, sanitized Markdown, refused uploads, proposals, the timeline."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from backend.core.errors import NotFound, PermissionDenied, ValidationFailed
from backend.core.models import Notification, PendingNotification
from backend.core.notifications import render
from backend.discussions import selectors, services
from backend.discussions.models import Post, PostAttachment, PostMention, PostRevision, Thread
from tests.uploads import docx_bomb, real_docx


def _notified(kind: str = "post_mentioned") -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _unread(user, thread) -> int:
    return selectors.thread_detail(user=user, pk=thread.pk).unread_count


# --- mentions -------------------------------------------------------------------------------------------


def test_mentions_notify_exactly_the_mentioned_members(team, thread, django_capture_on_commit_callbacks):
    # given a post that names two members, an outsider, the author and an unknown name
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            actor=team["presales"],
            thread_id=thread.pk,
            body="@pm 和 @engineer 请看，@outsider 也看看？@presales @nobody",
        )
    # then the two members are notified, once each; the outsider and the author are not
    assert _notified() == ["engineer", "pm"]
    note = Notification.objects.get(recipient=team["pm"], kind="post_mentioned")
    assert note.params["thread"] == "方案评审"
    assert note.params["where"].startswith(team["project"].code)
    assert note.url.startswith(f"/discussions/threads/{thread.pk}/#post-")
    code = team["project"].code
    assert render("post_mentioned", note.params) == (
        f"{code} 数据中心扩容 DC expansion: 张伟 mentioned you in the discussion 方案评审."
    )
    with translation.override("zh-hans"):
        assert "方案评审" in render("post_mentioned", note.params) and "mentioned" not in render(
            "post_mentioned", note.params
        )


def test_a_mention_is_one_notification_per_user_per_post_even_after_edits(
    team, thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(actor=team["presales"], thread_id=thread.pk, body="@pm @pm @PM 看这里")
    assert _notified() == ["pm"]
    # an edit mentioning pm again and engineer newly notifies engineer only
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(actor=team["presales"], post_id=post.pk, body="@pm 和 @engineer 看这里")
    assert _notified() == ["engineer", "pm"]
    assert sorted(PostMention.objects.filter(post=post).values_list("user__username", flat=True)) == ["engineer", "pm"]


def test_mention_by_display_name_when_unambiguous(team, thread, make_user, django_capture_on_commit_callbacks):
    # "Alice Smith" is pm's display name, 张伟 presales' (an @ right after a Chinese character counts)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            actor=team["engineer"], thread_id=thread.pk, body="问一下 @Alice Smith请看，还有@张伟请确认"
        )
    assert _notified() == ["pm", "presales"]
    # a name that only starts a longer word is not a mention
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=team["presales"], thread_id=thread.pk, body="@Alice Smithson 不是她")
    assert _notified() == ["pm", "presales"]


def test_an_ambiguous_display_name_notifies_no_one(team, thread, make_user, django_capture_on_commit_callbacks):
    from backend.projects.models import ProjectMember

    twin = make_user("alice2", "pm", first_name="Alice", last_name="Smith")
    ProjectMember.objects.create(project=team["project"], user=twin, role="observer")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=team["engineer"], thread_id=thread.pk, body="@Alice Smith 请看")
    assert _notified() == []
    # the user name still works
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=team["engineer"], thread_id=thread.pk, body="@alice2 请看")
    assert _notified() == ["alice2"]


def test_an_outsider_named_by_display_name_gets_nothing(team, thread, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=team["pm"], thread_id=thread.pk, body="@Carol White 你好 me@outsider.com")
    assert _notified() == []
    assert PendingNotification.objects.count() == 0


def test_no_notification_when_the_post_is_refused(team, thread, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        services.post_create(
            actor=team["presales"], thread_id=thread.pk, body="@pm 附件", files=[("bomb.docx", docx_bomb(50))]
        )
    assert _notified() == [] and Post.objects.count() == 1


# --- unread markers ---------------------------------------------------------------------------------------


def test_unread_counts_per_user_per_thread_after_reading_and_after_a_new_post(team, thread):
    project = team["project"]
    other = services.thread_create(actor=team["pm"], project_id=project.pk, title="验收计划", body="草稿")
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="第一条回复")
    services.post_create(actor=team["engineer"], thread_id=thread.pk, body="第二条回复")
    # the author of the thread has two unread replies there and one post in the other thread
    assert _unread(team["presales"], thread) == 2
    assert _unread(team["presales"], other) == 1
    assert selectors.unread_posts(user=team["presales"], project_id=project.pk) == 3
    # one's own posts are never unread, and replying marks what came before as read: pm has engineer's reply
    assert _unread(team["pm"], thread) == 1
    assert _unread(team["pm"], other) == 0
    assert selectors.unread_posts(user=team["pm"], project_id=project.pk) == 1
    # engineer replied last in the thread and never opened the other one
    assert _unread(team["engineer"], thread) == 0
    assert _unread(team["engineer"], other) == 1
    # reading the thread clears it for that reader only
    services.thread_mark_read(user=team["presales"], thread_id=thread.pk)
    assert _unread(team["presales"], thread) == 0
    assert _unread(team["pm"], thread) == 1
    assert selectors.unread_posts(user=team["presales"], project_id=project.pk) == 1
    # a new post by someone else is unread again; the marker never moves back
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="第三条")
    assert _unread(team["presales"], thread) == 1
    first = thread.posts.order_by("pk").first()
    services.thread_mark_read(user=team["presales"], thread_id=thread.pk, up_to=first.pk)
    assert _unread(team["presales"], thread) == 1


def test_outsider_cannot_see_or_post(team, thread):
    with pytest.raises(NotFound):
        services.post_create(actor=team["outsider"], thread_id=thread.pk, body="hi")
    with pytest.raises(NotFound):
        services.thread_create(actor=team["outsider"], project_id=team["project"].pk, title="x", body="y")
    with pytest.raises(NotFound):
        selectors.thread_detail(user=team["outsider"], pk=thread.pk)
    assert list(selectors.thread_list(user=team["outsider"])) == []
    assert selectors.posts_for_timeline(project=team["project"], user=team["outsider"], limit=10) == []


# --- edit history, quoting, sanitizing -------------------------------------------------------------------------


def test_only_the_author_edits_and_each_edit_keeps_the_previous_body(team, thread):
    post = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.post_update(actor=team["pm"], post_id=post.pk, body="改掉")
    services.post_update(actor=team["presales"], post_id=post.pk, body="第二版")
    services.post_update(actor=team["presales"], post_id=post.pk, body="第三版 **加粗**")
    post.refresh_from_db()
    assert post.body == "第三版 **加粗**" and "<strong>加粗</strong>" in post.body_html
    assert post.edited_at is not None
    history = list(selectors.post_history(user=team["pm"], post=post))
    assert [r.body for r in history] == ["第二版", "请大家看一下方案。"]
    assert {r.edited_by for r in history} == {team["presales"]}
    assert history[0].edited_at >= history[1].edited_at


def test_a_reply_quotes_a_post_of_the_same_thread_only(team, thread):
    first = thread.posts.get()
    reply = services.post_create(actor=team["pm"], thread_id=thread.pk, body="同意", quote_id=first.pk)
    assert reply.quote_id == first.pk
    other = services.thread_create(actor=team["pm"], project_id=team["project"].pk, title="别的", body="x")
    with pytest.raises(ValidationFailed) as err:
        services.post_create(actor=team["pm"], thread_id=other.pk, body="引用", quote_id=first.pk)
    assert err.value.code == "quote_elsewhere"
    assert other.posts.count() == 1


def test_script_and_javascript_links_do_not_survive(team, thread):
    body = '<script>alert(1)</script>\n\n[点我](javascript:alert(2)) <img src=x onerror="alert(3)"> **ok**'
    post = services.post_create(actor=team["pm"], thread_id=thread.pk, body=body)
    html = post.body_html.lower()
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<strong>ok</strong>" in html


# --- attachments ------------------------------------------------------------------------------------------


def test_a_bad_file_is_refused_and_nothing_is_written(team, thread, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(ValidationFailed) as err:
        services.post_create(
            actor=team["pm"],
            thread_id=thread.pk,
            body="附件",
            files=[("ok.docx", real_docx()), ("evil.pdf", b"MZ\x90\x00 not a pdf \x00")],
        )
    assert err.value.code == "file_type_not_allowed" and "evil.pdf" in err.value.message
    assert Post.objects.count() == 1 and PostAttachment.objects.count() == 0
    assert not any(tmp_path.rglob("*.*"))


def test_a_good_file_is_stored_with_the_post(team, thread, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    post = services.post_create(actor=team["pm"], thread_id=thread.pk, body="附件", files=[("方案.docx", real_docx())])
    attachment = post.attachments.get()
    assert attachment.name == "方案.docx" and attachment.content_type.endswith("wordprocessingml.document")
    with pytest.raises(PermissionDenied):
        services.post_attachment_add(actor=team["engineer"], post_id=post.pk, name="a.txt", data=b"hello")


# --- proposals, timeline, the thread's owner -----------------------------------------------------------------


def test_a_post_is_proposed_to_the_knowledge_base_with_a_link_to_the_project(team, thread):
    from backend.knowledge.services import article_propose

    post = services.post_create(actor=team["pm"], thread_id=thread.pk, body="## 经验\n\n交换机要提前备货。")
    article = article_propose(actor=team["engineer"], kind="post", object_id=post.pk)
    assert (article.status, article.source_kind, article.source_object_id) == ("in_review", "post", post.pk)
    assert article.source_project_id == team["project"].pk
    assert article.title == "方案评审" and "交换机要提前备货" in article.body
    with pytest.raises(NotFound):
        article_propose(actor=team["outsider"], kind="post", object_id=thread.posts.first().pk)


def test_a_tender_post_is_proposed_linked_to_the_tenders_project_if_any(team, tender):
    from backend.knowledge.services import article_propose
    from tests.factories import ProjectFactory

    thread = services.thread_create(actor=team["pm"], tender_id=tender.pk, title="报名资料", body="资质清单如下。")
    alone = article_propose(actor=team["pm"], kind="post", object_id=thread.posts.get().pk)
    assert (alone.source_project_id, alone.industry, alone.title) == (None, "other", "报名资料")
    project = ProjectFactory(owner=team["pm"], tender=tender)
    reply = services.post_create(actor=team["pm"], thread_id=thread.pk, body="补充：社保证明。")
    linked = article_propose(actor=team["pm"], kind="post", object_id=reply.pk)
    assert linked.source_project_id == project.pk


def test_a_thread_belongs_to_exactly_one_project_or_tender(team, tender):
    with pytest.raises(ValidationFailed):
        services.thread_create(
            actor=team["pm"], project_id=team["project"].pk, tender_id=tender.pk, title="x", body="y"
        )
    with pytest.raises(ValidationFailed):
        services.thread_create(actor=team["pm"], title="x", body="y")
    on_tender = services.thread_create(actor=team["outsider"], tender_id=tender.pk, title="报名材料", body="谁来准备？")
    assert (on_tender.project_id, on_tender.tender_id) == (None, tender.pk)
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        Thread.objects.create(project=team["project"], tender=tender, title="both", created_by=team["pm"])


def test_posts_for_timeline(team, thread):
    services.post_create(actor=team["pm"], thread_id=thread.pk, body="一")
    last = services.post_create(actor=team["engineer"], thread_id=thread.pk, body="二")
    with CaptureQueriesContext(connection) as ctx:
        posts = selectors.posts_for_timeline(project=team["project"], user=team["pm"], limit=2)
        shown = [(p.thread.title, str(p.author), p.created_at is not None) for p in posts]
    assert posts[0].pk == last.pk and len(posts) == 2
    assert shown == [("方案评审", "Bob Jones", True), ("方案评审", "Alice Smith", True)]
    assert len(ctx.captured_queries) <= 4  # visibility subqueries are inside one SELECT


def test_revisions_are_kept_in_the_model(team, thread):
    post = thread.posts.get()
    services.post_update(actor=team["presales"], post_id=post.pk, body="新")
    assert PostRevision.objects.filter(post=post).count() == 1


def test_a_sharing_rule_opens_the_project_board_to_its_grantee_and_no_one_else(team, thread, make_user):
    from backend.discussions import selectors
    from backend.projects.sharing.services import sharing_rule_create

    admin = make_user("admin2", "admin")
    reader, other = make_user("reader", "quality"), make_user("other", "quality")
    assert list(selectors.thread_list(user=reader, project_id=team["project"].pk)) == []
    sharing_rule_create(actor=admin, data={"customer": team["project"].customer, "grantee_user": reader})
    reader = type(reader).objects.get(pk=reader.pk)  # as the next request loads it (rules are cached per user)
    assert [t.title for t in selectors.thread_list(user=reader, project_id=team["project"].pk)] == ["方案评审"]
    assert list(selectors.thread_list(user=other, project_id=team["project"].pk)) == []
    # reading is all a rule grants: the board lets whoever sees the project post, so the grantee may reply
    services.post_create(actor=reader, thread_id=thread.pk, body="质量部已阅。")
