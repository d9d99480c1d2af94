"""Who may act on the board (seeing is ``visibility.py``). Anyone who sees a thread may post in it and start
threads on that project or tender (a discussion is open to the whole audience, read-only roles included: asking a
question is how an observer takes part); only a post's author ``change``s it (edits, adds files), and whoever sees
a post may ``propose`` it to the knowledge base (the knowledge admins decide)."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.core.permissions import action_rule, can
from backend.discussions.models import Post, Thread


def _author_q(user: User) -> Q:
    return Q(author=user)


@action_rule(Post, "change", rows=_author_q)
def may_change(user: User, post: Post) -> bool:
    return post.author_id == user.pk


@action_rule(Thread, "post", rows=lambda user: None)
def may_post(user: User, thread: Thread) -> bool:
    return can(user, "view", thread)
