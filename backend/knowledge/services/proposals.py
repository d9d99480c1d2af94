"""Proposals from project records (知识文档 → 知识库): a document, deliverable or lesson becomes a draft article."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.core.permissions import visible_to
from backend.knowledge.choices import (
    PROPOSABLE,
    ArticleStatus,
    SourceKind,
    Visibility,
)
from backend.knowledge.models import Article
from backend.knowledge.services.articles import article_create
from backend.knowledge.services.attachments import _attachment_from_bytes

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


# --- proposals from project records (知识文档 → 知识库) ------------------------------------------------------

# Sources contributed by the apps above (e.g. discussion posts), registered in their ``AppConfig.ready()`` with
# ``proposal_source``: kind → function(actor=, object_id=) returning what a proposal copies — "project" (or None),
# "title", "summary", "body", "file" ((name, field file) or None) and, without a project, "industry" — after
# checking the actor sees the record (``NotFound`` otherwise).
PROPOSAL_SOURCES: dict[str, Callable[..., dict[str, Any]]] = {}


def proposal_source(kind: str, function: Callable[..., dict[str, Any]]) -> None:
    """Let records of ``kind`` (one of ``SourceKind``) be proposed to the knowledge base."""
    if kind not in SourceKind.values:
        raise ValueError(f"unknown proposal source {kind!r}")
    PROPOSAL_SOURCES[kind] = function


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _proposal_source(*, actor: User, kind: str, object_id: int) -> dict[str, Any]:
    """What a proposal copies from its source record, after checking the actor sees that record."""
    if kind in PROPOSAL_SOURCES:
        return PROPOSAL_SOURCES[kind](actor=actor, object_id=object_id)
    if kind == SourceKind.LESSON:
        from backend.bids.models import WinLossRecord

        record = (
            visible_to(actor, WinLossRecord.objects.select_related("project", "primary_reason"))
            .filter(pk=object_id)
            .first()
        )
        if record is None:
            raise NotFound(_("Win/loss record %(id)s does not exist or is not visible to you.") % {"id": object_id})
        if not record.lessons.strip():
            raise ValidationFailed(
                _("This win/loss record has no lessons learned to propose."), fields={"object_id": [_("no lessons")]}
            )
        project = record.project
        return {
            "project": project,
            "title": _("Lessons learned: %(project)s (%(outcome)s)")
            % {"project": project.name, "outcome": record.get_outcome_display()},
            "summary": str(record.primary_reason),
            "body": record.lessons,
            "file": None,
        }
    if kind == SourceKind.DELIVERABLE:
        from backend.milestones.models import Deliverable

        deliverable = (
            visible_to(actor, Deliverable.objects.select_related("milestone__project")).filter(pk=object_id).first()
        )
        if deliverable is None:
            raise NotFound(_("Deliverable %(id)s does not exist or is not visible to you.") % {"id": object_id})
        latest = deliverable.versions.order_by("-version").first()
        return {
            "project": deliverable.milestone.project,
            "title": deliverable.title,
            "summary": str(deliverable.milestone),
            "body": "",
            "file": (latest.original_name, latest.file) if latest else None,
        }
    if kind == SourceKind.DOCUMENT:
        from backend.docs_templates.models import GeneratedDocument

        document = visible_to(actor, GeneratedDocument.objects.select_related("project")).filter(pk=object_id).first()
        if document is None:
            raise NotFound(_("Document %(id)s does not exist or is not visible to you.") % {"id": object_id})
        name = Path(document.file.name or "").name
        return {
            "project": document.project,
            "title": str(document),
            "summary": "",
            "body": "",
            "file": (name, document.file),
        }
    if kind == SourceKind.ATTACHMENT:
        from backend.projects.models import ProjectAttachment

        attachment = visible_to(actor, ProjectAttachment.objects.select_related("project")).filter(pk=object_id).first()
        if attachment is None:
            raise NotFound(_("Attachment %(id)s does not exist or is not visible to you.") % {"id": object_id})
        return {
            "project": attachment.project,
            "title": attachment.name,
            "summary": "",
            "body": "",
            "file": (attachment.name, attachment.file),
        }
    raise ValidationFailed(
        _("Only %(kinds)s can be proposed.") % {"kinds": ", ".join(PROPOSABLE)}, fields={"kind": [_("unknown")]}
    )


@transaction.atomic
def article_propose(*, actor: User, kind: str, object_id: int, title: str = "", note: str = "") -> Article:
    """Propose a project document, attachment, deliverable or win/loss lesson to the knowledge base: an
    article in review, visible to its proposer and the knowledge admins until one of them publishes it."""
    source = _proposal_source(actor=actor, kind=kind, object_id=object_id)  # 404 before anything else
    existing = Article.objects.filter(source_kind=kind, source_object_id=object_id).first()
    if existing is not None:
        raise Conflict(
            _("This was already proposed: %(title)s (%(status)s).")
            % {"title": existing.title, "status": existing.get_status_display()},
            code="already_proposed",
            extra={"article": existing.pk},
        )
    project = source["project"]  # None for a record of no project (a post on a tender's board)
    department_id = (project.department_id if project else None) or actor.department_id
    body = "\n\n".join(p for p in [note.strip(), source["body"]] if p)
    try:
        with transaction.atomic():
            article = article_create(
                author=actor,
                title=(title or source["title"])[:300],
                summary=source["summary"],
                body=body,
                industry=project.industry if project else source.get("industry", ""),
                visibility=Visibility.DEPARTMENT if department_id else Visibility.USERS,
                department_ids=[department_id] if department_id else [],
                user_ids=[] if department_id else [actor.pk],
                status=ArticleStatus.IN_REVIEW,
                source_kind=kind,
                source_project_id=project.pk if project else None,
                source_object_id=object_id,
                proposed_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This was already proposed."), code="already_proposed") from None
    if source["file"]:
        name, field_file = source["file"]
        _attachment_from_bytes(article=article, actor=actor, name=name, data=_read(field_file))
    return article
