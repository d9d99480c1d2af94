"""Who sees which rows of the analytics' own tables: targets and KPI scores of the people one may see; snapshots
and scorecards follow their project."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import visibility_rule
from backend.projects.visibility import project_q
from reports.models import ForecastSnapshot, KpiScore, SalesTarget, Scorecard


def people_q(user: User, prefix: str = "") -> Q | None:
    """The people whose figures ``user`` may see: everyone for executives and directors, the members of the
    departments a head runs (down the tree), and oneself."""
    if user.has_role(*SEE_ALL_ROLES):
        return None
    q = Q(**{f"{prefix}pk": user.pk})
    heads_of = headed_department_ids(user)
    if heads_of:
        q |= Q(**{f"{prefix}department__in": heads_of})
    return q


@visibility_rule(SalesTarget)
def _targets(user: User) -> Q | None:
    if user.has_role(*SEE_ALL_ROLES):
        return None
    heads_of = headed_department_ids(user)
    q = Q(user=user)
    if heads_of:
        q |= Q(user__department__in=heads_of) | Q(department__in=heads_of)
    return q


@visibility_rule(KpiScore)
def _scores(user: User) -> Q | None:
    return people_q(user, "user__")


@visibility_rule(ForecastSnapshot)
def _snapshots(user: User) -> Q | None:
    return project_q(user, "project__")


@visibility_rule(Scorecard)
def _scorecards(user: User) -> Q | None:
    return project_q(user, "project__")
