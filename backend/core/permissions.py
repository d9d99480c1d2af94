"""Visibility: the one place that decides which rows a user may see (DESIGN.md §6).

Each app registers a rule per model with ``@visibility_rule(Model)``: a function of the user returning a
``Q`` (``None`` = sees everything). ``visible_to(user, queryset)`` applies it inside the database query;
every selector and every API viewset goes through it, so nothing is fetched first and filtered after.
Objects a user may not see answer 404. This module must not decide who may *change* what: that is the
``rules`` predicates in each app's ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from backend.accounts.models import User

M = TypeVar("M", bound=models.Model)
Rule = Callable[["User"], Q | None]

_rules: dict[type[models.Model], Rule] = {}


def visibility_rule(model: type[models.Model]) -> Callable[[Rule], Rule]:
    """Register the visibility rule of ``model``."""

    def register(rule: Rule) -> Rule:
        _rules[model] = rule
        return rule

    return register


def visibility_q(user: User, model: type[models.Model]) -> Q | None:
    """The filter that limits ``model`` to what ``user`` may see; None means everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    try:
        rule = _rules[model]
    except KeyError:
        raise LookupError(f"No visibility rule registered for {model.__name__}") from None
    return rule(user)


def visible_to(user: User, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` limited to the rows ``user`` may see."""
    q = visibility_q(user, queryset.model)
    return queryset if q is None else queryset.filter(q)


def registered_models() -> list[type[models.Model]]:
    return list(_rules)
