"""Who sees which projects (DESIGN.md §6): members and the owner; the heads of the project's or the
owner's department and every department above them; approvers of the project's reviews; departments a
sharing rule opens an industry to; and the see-all roles. Everything that belongs to a project follows
it through ``project_q(user, prefix)``."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import visibility_rule
from backend.projects.models import (
    BudgetLine,
    Expense,
    Project,
    ProjectAttachment,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectPartner,
    ProjectSharingRule,
    StageChecklistItem,
)


def _shared_industries(user: User) -> set[str]:
    cached = user.__dict__.get("_shared_industries")
    if cached is None:
        cached = (
            set(ProjectSharingRule.objects.filter(department_id=user.department_id).values_list("industry", flat=True))
            if user.department_id
            else set()
        )
        user.__dict__["_shared_industries"] = cached
    return cached


def project_q(user: User, prefix: str = "") -> Q | None:
    if user.has_role(*SEE_ALL_ROLES):
        return None
    from workflows.models import ReviewStep

    member_of = ProjectMember.objects.filter(user=user).values("project_id")
    approver_of = ReviewStep.objects.filter(approvers=user).values("review__project_id")
    q = Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}pk__in": member_of}) | Q(**{f"{prefix}pk__in": approver_of})
    heads_of = headed_department_ids(user)
    if heads_of:
        q |= Q(**{f"{prefix}department__in": heads_of}) | Q(**{f"{prefix}owner__department__in": heads_of})
    shared = _shared_industries(user)
    if shared:
        q |= Q(**{f"{prefix}industry__in": shared})
    return q


def _prefixed(prefix: str):
    def rule(user: User) -> Q | None:
        return project_q(user, prefix)

    return rule


visibility_rule(Project)(_prefixed(""))
for _model in (
    ProjectMember,
    ProjectAttachment,
    ProjectCompetitor,
    ProjectPartner,
    ProjectEvent,
    StageChecklistItem,
    BudgetLine,
    Expense,
):
    visibility_rule(_model)(_prefixed("project__"))
