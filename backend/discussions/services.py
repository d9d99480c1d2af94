"""Writes of the discussion board: start a thread, post (with quote, files and @mentions), edit a post (its
previous body kept), attach a file, mark a thread read, and the knowledge base's view of a post as a proposal
source. Keyword-only, one transaction each; refusals are the ``backend.core.errors`` family. A user who does not
see the project or tender gets ``NotFound``, exactly as if it did not exist. Reads are in ``selectors``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound, PermissionDenied, ValidationFailed
from backend.core.notifications import notify
from backend.core.permissions import can, visible_to
from backend.core.uploads import SniffedFile, check_upload
from backend.discussions.mentions import mentioned_users
from backend.discussions.models import Post, PostAttachment, PostMention, PostRevision, ReadMarker, Thread
from backend.knowledge.rendering import check_body, render_markdown
from backend.projects.models import Project
from backend.tenders.models import Tender

Upload = tuple[str, bytes]  # (the user's file name, its bytes)
MAX_FILES = 10


def _visible_thread(actor: User, thread_id: int, *, lock: bool = False) -> Thread:
    threads = Thread.objects.select_related("project", "tender")
    if lock:
        threads = threads.select_for_update(of=("self",))
    thread = visible_to(actor, threads).filter(pk=thread_id).first()
    if thread is None:
        raise NotFound(_("Discussion %(id)s does not exist or is not visible to you.") % {"id": thread_id})
    return thread


def _visible_post(actor: User, post_id: int) -> Post:
    post = visible_to(actor, Post.objects.select_related("thread__project", "thread__tender")).filter(pk=post_id)
    found = post.first()
    if found is None:
        raise NotFound(_("Post %(id)s does not exist or is not visible to you.") % {"id": post_id})
    return found


def _checked_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(_("A post needs some text."), fields={"body": [_("required")]}, code="empty_post")
    check_body(text)
    return text


def _checked_files(files: Sequence[Upload]) -> list[tuple[str, bytes, SniffedFile]]:
    """Every file checked (size, type by content, zip bombs) before anything is written."""
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            _("At most %(max)s files can be attached to one post.") % {"max": MAX_FILES},
            fields={"files": [_("too many files")]},
            code="too_many_files",
        )
    return [(name, data, check_upload(name=name, data=data, field="files")) for name, data in files]


def _store_files(*, post: Post, actor: User, files: list[tuple[str, bytes, SniffedFile]]) -> list[PostAttachment]:
    stored = []
    for name, data, sniffed in files:
        attachment = PostAttachment(
            post=post,
            name=Path(name).name[:255] or "file",
            content_type=sniffed.content_type,
            size=len(data),
            uploaded_by=actor,
        )
        attachment.file.save(
            f"{Path(attachment.name).stem[:80] or 'file'}.{sniffed.kind}", ContentFile(data), save=False
        )
        attachment.save()
        stored.append(attachment)
    return stored


def where(thread: Thread) -> str:
    """The project or tender a thread is on, as its people know it."""
    if thread.project is not None:
        return f"{thread.project.code} {thread.project.name}"
    tender = thread.tender
    return f"{tender.number} {tender.title}" if tender is not None else ""


def thread_url(thread: Thread, post: Post | None = None) -> str:
    url = reverse("discussions:thread", args=[thread.pk])
    return f"{url}#post-{post.pk}" if post is not None else url


def _notify_mentions(*, post: Post, actor: User) -> list[User]:
    """Notify the people ``post`` mentions who can see its thread and were not notified for it before."""
    mentioned = mentioned_users(post.body, thread=post.thread, author=actor)
    already = set(PostMention.objects.filter(post=post).values_list("user_id", flat=True))
    new = [user for user in mentioned if user.pk not in already]
    if not new:
        return []
    PostMention.objects.bulk_create([PostMention(post=post, user=user) for user in new], ignore_conflicts=True)
    notify(
        recipients=new,
        kind="post_mentioned",
        params={"where": where(post.thread), "actor": str(actor), "thread": post.thread.title},
        url=thread_url(post.thread, post),
        exclude=actor,
    )
    return new


def _mark_read(*, user: User, thread: Thread, up_to: int) -> None:
    marker, created = ReadMarker.objects.get_or_create(thread=thread, user=user, defaults={"last_read_post_id": up_to})
    if not created and marker.last_read_post_id < up_to:
        ReadMarker.objects.filter(pk=marker.pk, last_read_post_id__lt=up_to).update(
            last_read_post_id=up_to, read_at=timezone.now()
        )


def _add_post(*, thread: Thread, actor: User, body: str, quote: Post | None, files: list) -> Post:
    post = Post.objects.create(thread=thread, author=actor, body=body, body_html=render_markdown(body), quote=quote)
    _store_files(post=post, actor=actor, files=files)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    thread.last_post_at = post.created_at
    _mark_read(user=actor, thread=thread, up_to=post.pk)  # one's own post is never unread
    _notify_mentions(post=post, actor=actor)
    return post


@transaction.atomic
def thread_create(
    *,
    actor: User,
    title: str,
    body: str,
    project_id: int | None = None,
    tender_id: int | None = None,
    files: Sequence[Upload] = (),
) -> Thread:
    """Start a discussion on a project's or a tender's board (exactly one of them) with its first post. Whoever
    sees the project or tender may; anyone else gets ``NotFound``."""
    if (project_id is None) == (tender_id is None):
        raise ValidationFailed(
            _("A discussion belongs to one project or one tender."),
            fields={"project": [_("give a project or a tender")]},
            code="thread_owner",
        )
    if project_id is not None:
        project = visible_to(actor, Project.objects.filter(pk=project_id)).first()
        if project is None:
            raise NotFound(_("Project %(id)s does not exist or is not visible to you.") % {"id": project_id})
        owner: dict[str, Any] = {"project": project}
    else:
        tender = visible_to(actor, Tender.objects.filter(pk=tender_id or 0)).first()
        if tender is None:
            raise NotFound(_("Tender %(id)s does not exist or is not visible to you.") % {"id": tender_id})
        owner = {"tender": tender}
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("A discussion needs a title."), fields={"title": [_("required")]}, code="no_title")
    if len(title) > 200:
        raise ValidationFailed(
            _("A title has at most 200 characters."), fields={"title": [_("too long")]}, code="title_too_long"
        )
    text = _checked_body(body)
    checked = _checked_files(files)
    thread = Thread.objects.create(title=title, created_by=actor, **owner)
    _add_post(thread=thread, actor=actor, body=text, quote=None, files=checked)
    return thread


@transaction.atomic
def post_create(
    *, actor: User, thread_id: int, body: str, quote_id: int | None = None, files: Sequence[Upload] = ()
) -> Post:
    """Reply in a thread, optionally quoting another post of the same thread, with files. The people it
    @mentions who can see the thread are notified once, after commit."""
    thread = _visible_thread(actor, thread_id, lock=True)
    if not can(actor, "post", thread):
        raise PermissionDenied(_("You may not post in this discussion."))
    text = _checked_body(body)
    quote = None
    if quote_id is not None:
        quote = Post.objects.filter(pk=quote_id, thread=thread).first()
        if quote is None:
            raise ValidationFailed(
                _("Only a post of the same discussion can be quoted."),
                fields={"quote": [_("not in this discussion")]},
                code="quote_elsewhere",
            )
    checked = _checked_files(files)
    return _add_post(thread=thread, actor=actor, body=text, quote=quote, files=checked)


@transaction.atomic
def post_update(*, actor: User, post_id: int, body: str) -> Post:
    """Edit a post (its author only): the previous body is kept with the editor and time; people newly
    @mentioned are notified, those notified before are not notified again."""
    visible = _visible_post(actor, post_id)
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__project", "thread__tender")
        .get(pk=visible.pk)
    )
    if not can(actor, "change", post):
        raise PermissionDenied(_("Only the author of a post may edit it."))
    text = _checked_body(body)
    if text == post.body:
        return post
    now = timezone.now()
    PostRevision.objects.create(post=post, body=post.body, body_html=post.body_html, edited_by=actor, edited_at=now)
    post.body, post.body_html, post.edited_at = text, render_markdown(text), now
    post.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
    _notify_mentions(post=post, actor=actor)
    return post


@transaction.atomic
def post_attachment_add(*, actor: User, post_id: int, name: str, data: bytes) -> PostAttachment:
    """Attach a file to a post (its author only), through the same upload check as deliverables."""
    post = _visible_post(actor, post_id)
    if not can(actor, "change", post):
        raise PermissionDenied(_("Only the author of a post may attach files to it."))
    if post.attachments.count() >= MAX_FILES:
        raise ValidationFailed(
            _("At most %(max)s files can be attached to one post.") % {"max": MAX_FILES},
            fields={"file": [_("too many files")]},
            code="too_many_files",
        )
    checked = [(name, data, check_upload(name=name, data=data))]
    return _store_files(post=post, actor=actor, files=checked)[0]


@transaction.atomic
def thread_mark_read(*, user: User, thread_id: int, up_to: int | None = None) -> int:
    """Mark ``thread`` read by ``user`` up to post ``up_to`` (default: its latest post); the marker never moves
    back. Returns the post id it now stands at."""
    thread = _visible_thread(user, thread_id)
    latest = thread.posts.order_by("-pk").values_list("pk", flat=True).first() or 0
    target = latest if up_to is None else min(up_to, latest)
    _mark_read(user=user, thread=thread, up_to=target)
    return target


# --- the knowledge base's view of a post (registered as a proposal source in apps.py) ----------------------


def post_proposal_source(*, actor: User, object_id: int) -> dict[str, Any]:
    """What proposing post ``object_id`` to the knowledge base copies: its text and first file, with a link back
    to its project (for a tender's thread: the latest project opened from the tender, if any)."""
    post = _visible_post(actor, object_id)
    thread = post.thread
    project = thread.project
    if project is None and thread.tender is not None:
        project = visible_to(actor, Project.objects.filter(tender=thread.tender)).order_by("-pk").first()
    first = post.attachments.order_by("pk").first()
    return {
        "project": project,
        "industry": thread.tender.industry if thread.tender is not None else "",
        "title": thread.title,
        "summary": _("From the discussion %(thread)s (%(where)s), by %(author)s.")
        % {"thread": thread.title, "where": where(thread), "author": post.author},
        "body": post.body,
        "file": (first.name, first.file) if first else None,
    }
