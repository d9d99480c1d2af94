"""Who sees which projects (DESIGN.md §6): members and the owner; the heads of the project's or the
owner's department and every department above them; approvers of the project's reviews; the grantees of a
sharing rule that matches the project (``sharing.matching``); and the see-all roles. Everything that belongs
to a project follows it through ``project_q(user, prefix)``."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import SEE_ALL_ROLES, Role
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import visibility_rule
from backend.customers.visibility import customer_reach
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
from backend.projects.sharing.matching import user_scopes
from workflows.models import Review, ReviewStep


def project_q(user: User, prefix: str = "", *, without_rule: int | None = None) -> Q | None:
    """Owner, member, approver; the departments ``user`` heads (the project's or its owner's); the projects the
    sharing rules granted to the user, their role or their department open (each rule an ``AND`` of its
    criteria). None for the see-all roles. ``without_rule`` leaves one rule out (the rules page's preview:
    what would the user see without it).

    Written for the planner (issue 15), the same rows either way: a user who sees only their own projects
    gets one ``id IN (… UNION …)`` of three index look-ups, so a page sorts the few rows found instead of
    walking every project newest first; a head or a sharing rule opens thousands of rows, so there the
    conditions stay an ``OR`` evaluated along the newest-first index, each of them a column of the project
    or a hashed subquery (the owner's department no longer joins the user table, which hid the selectivity
    from the planner)."""
    if user.has_role(*SEE_ALL_ROLES):
        return None
    owned = Project.objects.filter(owner=user).values("pk")
    member_of = ProjectMember.objects.filter(user=user).values("project_id")
    # the steps are found through the approvers' index on the user: a join let SQLite scan every step
    steps = ReviewStep.approvers.through.objects.filter(user=user).values("reviewstep_id")
    approver_of = ReviewStep.objects.filter(pk__in=steps).values("review__project_id")
    heads_of = headed_department_ids(user)
    shared = [scope for scope in user_scopes(user) if scope.rule_id is None or scope.rule_id != without_rule]
    if not heads_of and not shared:
        own = owned.order_by().union(member_of.order_by(), approver_of.order_by())
        return Q(**{f"{prefix}pk__in": own})
    q = Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}pk__in": member_of}) | Q(**{f"{prefix}pk__in": approver_of})
    if heads_of:
        staff = User.objects.filter(department__in=heads_of).values("pk")
        q |= Q(**{f"{prefix}department__in": heads_of}) | Q(**{f"{prefix}owner__in": staff})
    for scope in shared:
        q |= scope.q(prefix)
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
    ProjectSharingRule,
    ProjectEvent,
    StageChecklistItem,
    BudgetLine,
    Expense,
):
    visibility_rule(_model)(_prefixed("project__"))
# Reviews (workflows sits below projects and knows nothing of them) are seen by whoever sees their project.
visibility_rule(Review)(_prefixed("project__"))


@customer_reach
def _customers_of_my_projects(user: User, prefix: str) -> Q:
    """Members of a project see its customer."""
    return Q(**{f"{prefix}pk__in": ProjectMember.objects.filter(user=user).values("project__customer_id")})


@visibility_rule(ProjectSharingRule)
def _sharing_rules(user: User) -> Q | None:
    """The rules themselves: administrators (they manage them) and nobody else."""
    return None if user.has_role(Role.ADMIN) else Q(pk__in=[])
