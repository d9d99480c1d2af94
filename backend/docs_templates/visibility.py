"""Generated documents and batches are seen by whoever sees their project; templates by every user."""

from __future__ import annotations

from django.db.models import Q

from backend.core.permissions import visibility_rule
from backend.docs_templates.models import DocumentTemplate, GeneratedDocument
from backend.projects.visibility import project_q


@visibility_rule(GeneratedDocument)
def _document(user) -> Q | None:
    return project_q(user, "project__")


@visibility_rule(DocumentTemplate)
def _template(user) -> Q | None:
    return None
