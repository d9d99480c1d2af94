"""Who may act on the sales figures (the permission layer's rules for this app): sales directors,
executives and administrators ``manage`` the targets (set, delete, recompute the customer tiers); a
manager ``score``s the people of the departments they head (down the tree), executives and directors
everyone, and nobody scores themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import action_rule
from reports.models import SalesTarget

TARGET_EDITORS = (Role.DIRECTOR, Role.EXECUTIVE, Role.ADMIN)


@action_rule(SalesTarget, "manage")
def may_manage_targets(user: User, _target: Any) -> bool:
    return user.has_role(*TARGET_EDITORS)


def score_q(actor: User) -> Q:
    q = ~Q(pk=actor.pk)
    if actor.has_role(Role.EXECUTIVE, Role.DIRECTOR):
        return q
    return q & Q(department__in=headed_department_ids(actor))


@action_rule(User, "score", rows=score_q)
def may_score(actor: User, person: User) -> bool:
    if actor.pk == person.pk:
        return False
    if actor.has_role(Role.EXECUTIVE, Role.DIRECTOR):
        return True
    return person.department_id in headed_department_ids(actor)
