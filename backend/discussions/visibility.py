"""Who sees the discussion board: whoever sees the project (``project_q``) or the tender (the tenders' own rule)
a thread belongs to sees the thread, its posts, their attachments and edit history. Nothing else widens it."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.core.permissions import visibility_q, visibility_rule
from backend.discussions.models import Post, PostAttachment, PostMention, PostRevision, Thread
from backend.projects.visibility import project_q
from backend.tenders.models import Tender


def thread_q(user: User, prefix: str = "") -> Q:
    """The threads ``user`` sees, as a filter over ``prefix`` + thread fields."""
    on_project = Q(**{f"{prefix}project__isnull": False})
    projects = project_q(user, f"{prefix}project__")
    if projects is not None:
        on_project &= projects
    on_tender = Q(**{f"{prefix}tender__isnull": False})
    tenders = visibility_q(user, Tender)
    if tenders is not None:
        on_tender &= Q(**{f"{prefix}tender__in": Tender.objects.filter(tenders).values("pk")})
    return on_project | on_tender


def _prefixed(prefix: str):
    def rule(user: User) -> Q | None:
        return thread_q(user, prefix)

    return rule


visibility_rule(Thread)(_prefixed(""))
visibility_rule(Post)(_prefixed("thread__"))
for _model in (PostAttachment, PostRevision, PostMention):
    visibility_rule(_model)(_prefixed("post__thread__"))
