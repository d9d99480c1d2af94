"""Who may manage routing rules (and use their test panel): administrators. Nobody else sees a rule."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.core.permissions import action_rule, visibility_rule
from workflows.models import RoutingRule


def _is_admin(user: User) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMIN))


@visibility_rule(RoutingRule)
def routing_rules_visible(user: User) -> Q | None:
    return None if _is_admin(user) else Q(pk__in=[])


@action_rule(RoutingRule, "manage", rows=lambda user: None if _is_admin(user) else Q(pk__in=[]))
def may_manage(user: User, _rule: Any) -> bool:
    return _is_admin(user)
