"""Links between articles and projects: suggestions accepted or dismissed, and links added by hand."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound, PermissionDenied, ValidationFailed
from backend.core.permissions import can, visible_to
from backend.knowledge.choices import (
    ArticleStatus,
    LinkSource,
    LinkStatus,
)
from backend.knowledge.models import ArticleLink
from backend.knowledge.services.articles import _visible_article

CONTENT_FIELDS = ("title", "summary", "body")

# name → (sources, target, who may: "author" | "admin" | "either")
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((ArticleStatus.DRAFT,), ArticleStatus.IN_REVIEW, "either"),
    "withdraw": ((ArticleStatus.IN_REVIEW,), ArticleStatus.DRAFT, "either"),
    "publish": (
        (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW, ArticleStatus.ARCHIVED),
        ArticleStatus.PUBLISHED,
        "admin",
    ),
    "return": ((ArticleStatus.IN_REVIEW,), ArticleStatus.DRAFT, "admin"),
    "archive": (
        (ArticleStatus.PUBLISHED, ArticleStatus.IN_REVIEW, ArticleStatus.DRAFT),
        ArticleStatus.ARCHIVED,
        "admin",
    ),
}


# --- links between articles and projects ------------------------------------------------------------------


def _can_judge_link(user: User, project) -> bool:
    return can(user, "decide_links", project)


@transaction.atomic
def link_decide(*, link_id: int, actor: User, decision: str) -> ArticleLink:
    """Accept or dismiss a suggested (or accepted) link; a dismissed link is never suggested again."""
    if decision not in ("accept", "dismiss"):
        raise ValidationFailed(_("Decide accept or dismiss."), fields={"decision": [_("unknown")]})
    link = (
        visible_to(actor, ArticleLink.objects.select_related("project", "article"))
        .select_for_update()
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFound(_("Link %(id)s does not exist or is not visible to you.") % {"id": link_id})
    if not _can_judge_link(actor, link.project):
        raise PermissionDenied(_("Only the project team may accept or dismiss its knowledge links."))
    link.status = LinkStatus.ACCEPTED if decision == "accept" else LinkStatus.DISMISSED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return link


@transaction.atomic
def link_add(*, project_id: int, article_id: int, actor: User) -> ArticleLink:
    """Link an article to a project by hand (accepted at once)."""
    from backend.projects.models import Project

    project = visible_to(actor, Project.objects.all()).filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("Project %(id)s does not exist or is not visible to you.") % {"id": project_id})
    article = _visible_article(article_id=article_id, user=actor)
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationFailed(_("Only a published article can be linked."), fields={"article": [_("not published")]})
    if not _can_judge_link(actor, project):
        raise PermissionDenied(_("Only the project team may link knowledge to the project."))
    link, _created = ArticleLink.objects.get_or_create(
        article=article, project=project, defaults={"source": LinkSource.MANUAL, "status": LinkStatus.ACCEPTED}
    )
    if link.status != LinkStatus.ACCEPTED:
        link.status = LinkStatus.ACCEPTED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save()
    return link
