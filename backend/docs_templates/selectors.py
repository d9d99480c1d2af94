"""Reads for templates and generated documents (documents follow their project's visibility)."""

from __future__ import annotations

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
