"""Permissions: the one place that decides what a user may see and do (DESIGN.md §6).

*Seeing.* Each app registers a rule per model with ``@visibility_rule(Model)``: a function of the user
returning a ``Q`` (``None`` = sees everything). ``visible_to(user, queryset)`` applies it inside the
database query; every selector and every API viewset goes through it, so nothing is fetched first and
filtered after. Objects a user may not see answer 404.

*Acting.* Each app registers who may do an action on its objects with
``@action_rule(Model, "change", rows=...)`` (in its ``permissions.py``, imported by its ``AppConfig.ready``):
``check(user, obj) -> bool`` answers for one object, and the optional ``rows(user) -> Q | None`` answers
"which rows may this user act on" in SQL, the same way. Then, and only then:

- ``can(user, action, obj)`` answers for one object — the services refuse with it (``require``), the views
  and forms offer with it, the templates ask ``{% if user|can:"change"|on:project %}``;
- ``restrict(user, action, queryset)`` limits a queryset to the rows the user may act on (NetBox's
  ``restrict``); ``with_permissions(user, queryset, "change", ...)`` annotates each row instead, so a list
  page answers ``can`` for 50 rows in the same one query as for 5.

Every registered action is also a django-rules permission ``"<app>.<action>_<model>"``, so
``user.has_perm("projects.change_project", project)`` gives the same answer. Actions are verbs the services
know: ``change``, ``delete``, ``transition``, ``decide``, ``download``, ``judge``… — no view, form, context
processor or template re-derives a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import rules
from django.apps import apps
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value

from backend.core.errors import PermissionDenied

if TYPE_CHECKING:
    # core sits below accounts: it types the user as Django's abstract one; the apps' rules take the real User
    from django.contrib.auth.models import AbstractUser as User

M = TypeVar("M", bound=models.Model)
Rule = Callable[[Any], Q | None]  # called with a User
Check = Callable[[Any, Any], bool]

_rules: dict[type[models.Model], Rule] = {}


def visibility_rule(model: type[models.Model]) -> Callable[[Rule], Rule]:
    """Register the visibility rule of ``model``."""

    def register(rule: Rule) -> Rule:
        _rules[model] = rule
        return rule

    return register


def _acting(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visibility_q(user: User, model: type[models.Model]) -> Q | None:
    """The filter that limits ``model`` to what ``user`` may see; None means everything."""
    if not _acting(user):
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


# --- actions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRule:
    model: type[models.Model]
    action: str
    check: Check
    rows: Rule | None


_actions: dict[tuple[type[models.Model], str], ActionRule] = {}


def annotation_name(action: str) -> str:
    """The attribute ``with_permissions`` puts on each row for ``action``."""
    return f"may_{action}"


def action_rule(model: type[models.Model], action: str, *, rows: Rule | None = None) -> Callable[[Check], Check]:
    """Register who may do ``action`` on a ``model`` object: decorates ``check(user, obj) -> bool``.
    ``rows(user)`` gives the same answer as a ``Q`` over ``model`` (None = every row) for lists."""

    def register(check: Check) -> Check:
        _actions[(model, action)] = ActionRule(model=model, action=action, check=check, rows=rows)
        name = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        rules.set_perm(name, rules.predicate(lambda user, obj=None: obj is not None and can(user, action, obj)))
        return check

    return register


def _rule(model: type[models.Model], action: str) -> ActionRule:
    concrete = model._meta.concrete_model or model
    try:
        return _actions[(concrete, action)]
    except KeyError:
        raise LookupError(f"No rule registered for {action} on {model.__name__}") from None


def can(user: Any, action: str, obj: models.Model | type[models.Model] | str | None) -> bool:
    """May ``user`` do ``action`` on ``obj`` now? ``view`` is visibility; other actions need a registered rule.
    A row annotated by ``with_permissions`` answers from its annotation (no query). ``obj`` may also be a
    model (or its label, ``"docs_templates.DocumentTemplate"``) for an action on no row in particular, such
    as managing the document templates; its rule is then asked with the model."""
    if obj is None or not _acting(user):
        return False
    if isinstance(obj, str):
        obj = apps.get_model(obj)
    if isinstance(obj, type):
        return bool(_rule(obj, action).check(user, obj))
    annotated = obj.__dict__.get(annotation_name(action))
    if annotated is not None:
        return bool(annotated)
    if action == "view":
        return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    return bool(_rule(type(obj), action).check(user, obj))


def require(user: User, action: str, obj: models.Model, message: str) -> None:
    """Raise ``PermissionDenied(message)`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(message)


def action_q(user: User, model: type[models.Model], action: str) -> Q | None:
    """The rows of ``model`` ``user`` may do ``action`` on, as a filter (None = every row)."""
    if not _acting(user):
        return Q(pk__in=[])
    if action == "view":
        return visibility_q(user, model)
    rule = _rule(model, action)
    if rule.rows is None:
        raise LookupError(f"The {action} rule of {model.__name__} has no row form")
    return rule.rows(user)


def restrict(user: User, action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` limited to the rows ``user`` may see and do ``action`` on."""
    queryset = visible_to(user, queryset)
    if action == "view":
        return queryset
    q = action_q(user, queryset.model, action)
    return queryset if q is None else queryset.filter(q)


def with_permissions(user: User, queryset: QuerySet[M], *actions: str) -> QuerySet[M]:
    """``queryset`` with ``may_<action>`` on each row, computed in the same query."""
    annotations: dict[str, Any] = {}
    for action in actions:
        q = action_q(user, queryset.model, action)
        annotations[annotation_name(action)] = (
            Value(True) if q is None else ExpressionWrapper(q, output_field=BooleanField())
        )
    return queryset.annotate(**annotations)


def registered_actions() -> list[tuple[type[models.Model], str]]:
    return list(_actions)
