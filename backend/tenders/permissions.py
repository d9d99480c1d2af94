"""Who may change tenders (the permission layer's rules for this app; seeing is ``visibility.py``): bid
managers, sales directors and administrators register, import and change any tender; a tender's owner
changes their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.core.permissions import action_rule
from backend.tenders.models import Tender

TENDER_EDITOR_ROLES = (Role.BID_MANAGER, Role.DIRECTOR, Role.ADMIN)


@action_rule(Tender, "add")
def may_add(user: User, _tender: Any) -> bool:
    return user.has_role(*TENDER_EDITOR_ROLES)


def _change_q(user: User) -> Q | None:
    return None if user.has_role(*TENDER_EDITOR_ROLES) else Q(owner=user)


@action_rule(Tender, "change", rows=_change_q)
def may_change(user: User, tender: Tender) -> bool:
    return tender.owner_id == user.pk or user.has_role(*TENDER_EDITOR_ROLES)
