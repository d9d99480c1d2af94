"""Reads of the discussion board, always through ``visible_to``: thread lists with each thread's post count and
the reader's unread count computed in the query, the posts of a thread (author, quote, files, edit count and
whether the reader may edit, in a fixed number of queries), a post's edit history, unread totals per project, and
the recent posts a project's activity stream shows. Writes nothing (opening a thread is marked read by the view
through the service)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound
from backend.core.permissions import visible_to, with_permissions
from backend.discussions.models import Post, PostAttachment, PostRevision, ReadMarker, Thread
from backend.projects.models import Project


def _read_upto(user: User, thread_ref: str) -> Coalesce:
    marker = ReadMarker.objects.filter(thread_id=OuterRef(thread_ref), user_id=user.pk).values("last_read_post_id")
    return Coalesce(Subquery(marker[:1], output_field=IntegerField()), Value(0))


def thread_list(*, user: User, project_id: int | None = None, tender_id: int | None = None) -> QuerySet[Thread]:
    """Threads ``user`` sees (of one project or tender when given), newest activity first, each with
    ``post_count``, ``unread_count`` (posts by others after the reader's marker) and ``last_post_at``."""
    threads = visible_to(user, Thread.objects.all())
    if project_id is not None:
        threads = threads.filter(project_id=project_id)
    if tender_id is not None:
        threads = threads.filter(tender_id=tender_id)
    return (
        threads.select_related("created_by", "project", "tender")
        .annotate(read_upto=_read_upto(user, "pk"))
        .annotate(
            post_count=Count("posts", distinct=True),
            unread_count=Count(
                "posts", filter=Q(posts__pk__gt=F("read_upto")) & ~Q(posts__author_id=user.pk), distinct=True
            ),
        )
        .order_by(F("last_post_at").desc(nulls_last=True), "-pk")
    )


def thread_detail(*, user: User, pk: int) -> Thread:
    thread = thread_list(user=user).filter(pk=pk).first()
    if thread is None:
        raise NotFound(_("Discussion %(id)s does not exist or is not visible to you.") % {"id": pk})
    return thread


def unread_posts(*, user: User, project_id: int | None = None, tender_id: int | None = None) -> int:
    """How many posts by others ``user`` has not read on a project's (or tender's) board — one query."""
    posts = visible_to(user, Post.objects.all())
    if project_id is not None:
        posts = posts.filter(thread__project_id=project_id)
    if tender_id is not None:
        posts = posts.filter(thread__tender_id=tender_id)
    return posts.exclude(author_id=user.pk).filter(pk__gt=_read_upto(user, "thread_id")).count()


def post_list(*, user: User, thread: Thread) -> QuerySet[Post]:
    """The posts of ``thread`` in order, with author, quoted post and its author, files, ``revision_count`` and
    ``may_change`` (the reader is the author) — the same number of queries for 5 posts as for 500."""
    posts = visible_to(user, Post.objects.filter(thread=thread))
    return (
        with_permissions(user, posts, "change")
        .select_related("author", "quote__author", "thread")
        .prefetch_related(Prefetch("attachments", queryset=PostAttachment.objects.order_by("pk")))
        .annotate(revision_count=Count("revisions", distinct=True))
        .order_by("pk")
    )


def post_detail(*, user: User, pk: int) -> Post:
    post = (
        with_permissions(user, visible_to(user, Post.objects.all()), "change")
        .select_related("author", "thread__project", "thread__tender", "quote__author")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise NotFound(_("Post %(id)s does not exist or is not visible to you.") % {"id": pk})
    return post


def post_history(*, user: User, post: Post) -> QuerySet[PostRevision]:
    """The previous bodies of ``post``, newest edit first, each with who edited and when."""
    return visible_to(user, PostRevision.objects.filter(post=post)).select_related("edited_by").order_by("-pk")


def attachment_detail(*, user: User, pk: int) -> PostAttachment:
    attachment = visible_to(user, PostAttachment.objects.all()).filter(pk=pk).first()
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment


def posts_for_timeline(*, project: Project, user: User, limit: int) -> list[Post]:
    """The ``limit`` most recent posts on ``project``'s board that ``user`` sees, newest first, each with its
    ``thread``, ``author`` and ``created_at`` loaded (for the project's activity stream) — one query."""
    posts = visible_to(user, Post.objects.filter(thread__project=project))
    return list(posts.select_related("thread", "author").order_by("-created_at", "-pk")[: max(limit, 0)])


def post_stream_entries(*, project: Project, user: User, limit: int) -> list[Any]:
    """The project's posts as lines of its activity stream: the thread's title, the start of the text."""
    from django.urls import reverse

    from backend.projects.timeline import TimelineEntry

    return [
        TimelineEntry(
            kind="post",
            at=post.created_at,
            title=post.thread.title,
            actor=post.author,
            detail=" ".join(post.body.split())[:240],
            url=reverse("discussions:thread", args=[post.thread_id]) + f"#post-{post.pk}",
        )
        for post in posts_for_timeline(project=project, user=user, limit=limit)
    ]
