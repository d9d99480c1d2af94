"""Who may act on documents: administrators manage the templates; the project team (editors and members)
generates a project's documents; whoever may change the project approves its project-level documents;
whoever sees a document downloads it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.core.permissions import action_rule, can, visibility_q
from backend.docs_templates.models import DocumentTemplate, GeneratedDocument
from backend.projects.models import Project
from backend.projects.permissions import edit_q, may_work_in_team, team_q


@action_rule(DocumentTemplate, "manage")
def may_manage_templates(user: User, _template: Any) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


action_rule(Project, "generate_documents", rows=team_q)(may_work_in_team)


def _approve_q(user: User) -> Q | None:
    return edit_q(user, "project__")


@action_rule(GeneratedDocument, "approve", rows=_approve_q)
def may_approve(user: User, document: GeneratedDocument) -> bool:
    return can(user, "change", document.project)


@action_rule(GeneratedDocument, "download", rows=lambda user: visibility_q(user, GeneratedDocument))
def may_download(user: User, document: GeneratedDocument) -> bool:
    return can(user, "view", document)
