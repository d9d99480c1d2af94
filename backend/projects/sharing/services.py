"""Writes of sharing rules: create, change, delete — administrators only. Each write checks the rule's shape
(at least one criterion, exactly one grantee) and marks every project the rule matched before or matches after
for re-indexing in one set-based update (their search documents carry the rule's term), flushed after
commit. Must not decide visibility (``matching`` does)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound, PermissionDenied, ValidationFailed
from backend.core.permissions import can
from backend.projects.models import Project
from backend.projects.sharing.matching import scopes_of
from backend.projects.sharing.models import CRITERIA, GRANTEES, ProjectSharingRule

FIELDS = (*CRITERIA, "include_subdepartments", *GRANTEES, "note")
_EMPTY: tuple[Any, ...] = (None, "")


def sharing_rule_validate(*, data: dict[str, Any]) -> None:
    """Refuse a rule that selects no project by any criterion, or that has no grantee or more than one."""
    if all(data.get(name) in _EMPTY for name in CRITERIA):
        raise ValidationFailed(
            _("Choose at least one criterion (department, industry, region, customer or customer tier)."),
            code="no_criterion",
            fields={"__all__": [_("Choose at least one criterion.")]},
        )
    given = [name for name in GRANTEES if data.get(name) not in _EMPTY]
    if not given:
        raise ValidationFailed(
            _("Choose who is granted access: a department, a role or a user."),
            code="no_grantee",
            fields={"__all__": [_("Choose a grantee.")]},
        )
    if len(given) > 1:
        raise ValidationFailed(
            _("Choose only one grantee: a department, a role or a user, not several."),
            code="two_grantees",
            fields={name: [_("Only one grantee.")] for name in given},
        )


def _mark_projects(rules: list[ProjectSharingRule]) -> None:
    q = Q(pk__in=[])
    for scope in scopes_of(rules):
        q |= scope.q()
    Project.objects.filter(q).update(search_dirty=True)

    def flush() -> None:
        from backend.search.tasks import flush_dirty

        flush_dirty.delay()

    transaction.on_commit(flush)


def _require_manager(actor: User) -> None:
    if not can(actor, "manage", ProjectSharingRule):
        raise PermissionDenied(_("Only administrators manage sharing rules."))


def _get(rule_id: int) -> ProjectSharingRule:
    try:
        return ProjectSharingRule.objects.select_for_update().get(pk=rule_id)
    except ProjectSharingRule.DoesNotExist:
        raise NotFound(_("No such sharing rule.")) from None


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    clean = {name: data.get(name) for name in FIELDS if name in data}
    for name in ("industry", "region", "customer_tier", "grantee_role", "note"):
        if name in clean and clean[name] is None:
            clean[name] = ""
    return clean


@transaction.atomic
def sharing_rule_create(*, actor: User, data: dict[str, Any]) -> ProjectSharingRule:
    """A new rule from ``data`` (field name → value; foreign keys as instances)."""
    _require_manager(actor)
    data = _normalised(data)
    sharing_rule_validate(data=data)
    rule = ProjectSharingRule(**data)
    rule.full_clean()
    rule.save()
    _mark_projects([rule])
    return rule


@transaction.atomic
def sharing_rule_update(*, actor: User, rule_id: int, data: dict[str, Any]) -> ProjectSharingRule:
    """Change the rule; the projects it matched and those it matches now are re-indexed."""
    _require_manager(actor)
    rule = _get(rule_id)
    before = ProjectSharingRule(**{f.attname: getattr(rule, f.attname) for f in rule._meta.concrete_fields})
    data = _normalised(data)
    merged = {name: getattr(rule, name) for name in FIELDS} | data
    sharing_rule_validate(data=merged)
    for name, value in data.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    _mark_projects([before, rule])
    return rule


@transaction.atomic
def sharing_rule_delete(*, actor: User, rule_id: int) -> None:
    _require_manager(actor)
    rule = _get(rule_id)
    _mark_projects([rule])
    rule.delete()


def sharing_customers_retiered(*, customer_ids: list[int]) -> int:
    """After a bulk change of customer tiers (which sends no signals): mark the projects of those customers for
    re-indexing when some rule selects by tier. Returns how many were marked. Call inside the writer's
    transaction; the periodic flush (or the one scheduled here) indexes them."""
    if not customer_ids or not ProjectSharingRule.objects.exclude(customer_tier="").exists():
        return 0
    marked = Project.objects.filter(customer_id__in=customer_ids).update(search_dirty=True)

    def flush() -> None:
        from backend.search.tasks import flush_dirty

        flush_dirty.delay()

    transaction.on_commit(flush)
    return marked
