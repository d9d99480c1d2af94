"""Reads for templates and generated documents (documents follow their project's visibility)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.docs_templates.models import DocumentTemplate, GeneratedDocument


def template_list() -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.select_related("uploaded_by").order_by("doc_type", "language", "-version")


def document_list_visible(*, user: User) -> QuerySet[GeneratedDocument]:
    return visible_to(
        user, GeneratedDocument.objects.select_related("template", "author", "project", "milestone", "approved_by")
    )


def documents_for_timeline(*, project: Any, user: User, limit: int) -> list[Any]:
    """The project's newest generated documents that did not become a deliverable's file (those show as the
    deliverable's version), for its activity stream (one query)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from backend.projects.timeline import TimelineEntry

    documents = (
        GeneratedDocument.objects.filter(project=project, deliverable_version__isnull=True)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            kind="document",
            at=d.created_at,
            title=_("%(type)s, version %(version)s") % {"type": d.get_doc_type_display(), "version": d.version},
            actor=d.author,
            detail=d.get_status_display(),
            url=reverse("docs_templates:download", args=[d.pk]),
        )
        for d in documents
    ]
