"""Reads of sharing rules: the list an administrator manages, and the preview of what each rule opens — the
projects it selects, how many people the grantee is, and for a user grantee how many projects they gain
beyond what they see without the rule. The preview of any number of rules costs the same few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet

from backend.accounts.models import Department, User
from backend.core.permissions import visible_to
from backend.projects.models import Project
from backend.projects.sharing.matching import applies_to, department_children, scopes_of, subtree
from backend.projects.sharing.models import ProjectSharingRule
from backend.projects.visibility import project_q


@dataclass(frozen=True)
class Preview:
    """What one rule does: ``projects`` it selects; ``users`` the grantee counts (active users); ``gained``
    the projects a user grantee newly sees through it (None for a department or role grantee)."""

    projects: int
    users: int
    gained: int | None


def sharing_rule_list(*, user: User) -> QuerySet[ProjectSharingRule]:
    return visible_to(user, ProjectSharingRule.objects.all()).select_related(
        "department", "customer", "grantee_department", "grantee_user"
    )


def _grantee_users(rules: list[ProjectSharingRule], children: dict[int | None, list[int]]) -> dict[int, User]:
    """The user grantees of ``rules`` with their roles, headed departments and applicable rules loaded (the
    caches ``project_q`` reads), in four queries whatever their number."""
    ids = {rule.grantee_user_id for rule in rules if rule.grantee_user_id}
    if not ids:
        return {}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, name in User.groups.through.objects.filter(user_id__in=ids).values_list("user_id", "group__name"):
        roles[user_id].add(name)
    heads: dict[int, set[int]] = defaultdict(set)
    for pk, head_id in Department.objects.filter(head_id__in=ids).values_list("pk", "head_id"):
        heads[head_id].add(pk)
    every_rule = list(ProjectSharingRule.objects.order_by("pk"))
    scopes = dict(zip([r.pk for r in every_rule], scopes_of(every_rule, children=children), strict=True))
    for pk, user in users.items():
        user.__dict__["_roles"] = frozenset(roles[pk])
        user.__dict__["_headed_department_ids"] = {d for root in heads[pk] for d in subtree(root, children)}
        user.__dict__["_sharing_scopes"] = [scopes[r.pk] for r in every_rule if applies_to(r, user)]
    return users


def sharing_rule_previews(*, rules: Iterable[ProjectSharingRule]) -> list[Preview]:
    """One ``Preview`` per rule (saved or not), in order: a constant number of queries."""
    rules = list(rules)
    if not rules:
        return []
    children = department_children()  # always read, so the count of queries does not depend on the rules
    scopes = scopes_of(rules, children=children)
    grantees = _grantee_users(rules, children)
    projects: dict[str, Count] = {}
    people: dict[str, Count] = {}
    for i, (rule, scope) in enumerate(zip(rules, scopes, strict=True)):
        projects[f"p{i}"] = Count("pk", filter=scope.q())
        grantee = grantees.get(rule.grantee_user_id or 0)
        if grantee is not None:
            # an inactive user sees nothing and gains nothing; a see-all user (base None) gains nothing
            base = project_q(grantee, without_rule=rule.pk) if grantee.is_active else None
            if base is not None and not grantee.is_superuser:
                projects[f"g{i}"] = Count("pk", filter=scope.q() & ~base)
        elif rule.grantee_department_id:
            people[f"u{i}"] = Count("pk", filter=Q(department_id=rule.grantee_department_id))
        elif rule.grantee_role:
            members = Group.objects.filter(name=rule.grantee_role).values("user")
            people[f"u{i}"] = Count("pk", filter=Q(pk__in=members))
    found = Project.objects.aggregate(**projects)
    if people:
        found |= User.objects.filter(is_active=True).aggregate(**people)
    previews = []
    for i, rule in enumerate(rules):
        if rule.grantee_user_id:
            active = grantees.get(rule.grantee_user_id)
            users = int(active is not None and active.is_active)
            gained: int | None = found.get(f"g{i}", 0)
        else:
            users, gained = found.get(f"u{i}", 0), None
        previews.append(Preview(projects=found[f"p{i}"], users=users, gained=gained))
    return previews
