"""Who may act on knowledge (the permission layer's rules for this app; seeing is ``visibility.py``):
knowledge admins ``review`` (the queue, publishing, returning, archiving) and ``change`` any article; an
author changes their own draft or published article; the project team (whoever may change the project)
``decide_links`` — accepts, dismisses or adds the articles linked to it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.models import User
from backend.core.permissions import action_rule, can
from backend.knowledge.choices import ArticleStatus
from backend.knowledge.models import Article
from backend.knowledge.visibility import sees_all_articles
from backend.projects.models import Project
from backend.projects.permissions import edit_q


@action_rule(Article, "review")
def may_review(user: User, _article: Any) -> bool:
    return sees_all_articles(user)


def _change_q(user: User) -> Q | None:
    if sees_all_articles(user):
        return None
    return Q(author=user, status__in=(ArticleStatus.DRAFT, ArticleStatus.PUBLISHED))


@action_rule(Article, "change", rows=_change_q)
def may_change(user: User, article: Article) -> bool:
    if sees_all_articles(user):
        return True
    return article.author_id == user.pk and article.status in (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED)


@action_rule(Project, "decide_links", rows=edit_q)
def may_decide_links(user: User, project: Project) -> bool:
    return can(user, "change", project)
