"""Who may act on a project (the permission layer's rules for this app; seeing is ``visibility.py``).

- ``change`` / ``transition``: the owner, members with an editing role, sales directors, administrators;
- ``adjust_forecast``: those, plus the managers above the owner — heads of the project's and the owner's
  departments up the tree — and executives.

Rules of other apps about a project (generating documents, recording payments…) live in those apps."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import action_rule
from backend.projects.choices import EDITING_ROLES
from backend.projects.models import Project, ProjectMember, ProjectSharingRule

MANAGING_ROLES = (Role.DIRECTOR, Role.ADMIN)


def edit_q(user: User, prefix: str = "") -> Q | None:
    """The projects ``user`` may change, as a filter; ``prefix`` (``"project__"``) for rows that belong to one."""
    if user.is_superuser or user.has_role(*MANAGING_ROLES):
        return None
    editing = ProjectMember.objects.filter(user=user, role__in=EDITING_ROLES).values("project_id")
    return Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}pk__in": editing})


def team_q(user: User, prefix: str = "") -> Q | None:
    """The projects ``user`` may change or is a member of."""
    q = edit_q(user, prefix)
    if q is None:
        return None
    return q | Q(**{f"{prefix}pk__in": ProjectMember.objects.filter(user=user).values("project_id")})


def may_work_in_team(user: User, project: Project) -> bool:
    return may_edit(user, project) or project.members.filter(user=user).exists()


def may_edit(user: User, project: Project) -> bool:
    if user.is_superuser or user.has_role(*MANAGING_ROLES) or project.owner_id == user.pk:
        return True
    return project.members.filter(user=user, role__in=EDITING_ROLES).exists()


action_rule(Project, "change", rows=edit_q)(may_edit)
action_rule(Project, "transition", rows=edit_q)(may_edit)


def forecast_q(user: User) -> Q | None:
    if user.has_role(Role.DIRECTOR, Role.EXECUTIVE):
        return None
    q = edit_q(user)
    heads_of = headed_department_ids(user)
    if q is not None and heads_of:
        q |= Q(department__in=heads_of) | Q(owner__department__in=heads_of)
    return q


@action_rule(Project, "adjust_forecast", rows=forecast_q)
def may_adjust_forecast(user: User, project: Project) -> bool:
    if may_edit(user, project) or user.has_role(Role.DIRECTOR, Role.EXECUTIVE):
        return True
    heads_of = headed_department_ids(user)
    return bool(heads_of) and (
        project.department_id in heads_of
        or User.objects.filter(pk=project.owner_id, department_id__in=heads_of).exists()
    )


@action_rule(ProjectSharingRule, "manage")
def may_manage_sharing_rules(user: User, _rule: object) -> bool:
    """Sharing rules widen what people read: administrators only."""
    return user.is_superuser or user.has_role(Role.ADMIN)
