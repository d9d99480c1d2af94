"""Reviews are seen by whoever sees their project (approvers see the project through their review)."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.core.permissions import visibility_rule
from backend.projects.visibility import project_q
from workflows.models import Review


@visibility_rule(Review)
def _review(user: User) -> Q | None:
    return project_q(user, "project__")
