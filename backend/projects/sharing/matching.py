"""Which projects a sharing rule opens, and which rules apply to a user: as ``Q`` filters for the permission
layer (``projects.visibility.project_q``) and as a test on one loaded project for the search document. Reads
only; must not write, and must not decide anything but viewing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from backend.accounts.models import Department, User
from backend.customers.models import Customer
from backend.projects.sharing.models import ProjectSharingRule


@dataclass(frozen=True)
class Scope:
    """The projects one rule opens: every criterion given must hold (``None``/empty = any)."""

    rule_id: int | None
    department_ids: frozenset[int] | None
    industry: str
    region: str
    customer_id: int | None
    customer_tier: str

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.department_ids is not None:
            q &= Q(**{f"{prefix}department__in": sorted(self.department_ids)})
        if self.industry:
            q &= Q(**{f"{prefix}industry": self.industry})
        if self.region:
            q &= Q(**{f"{prefix}region": self.region})
        if self.customer_id is not None:
            q &= Q(**{f"{prefix}customer_id": self.customer_id})
        if self.customer_tier:
            # a hashed subquery on the small customer table rather than a join (project_q's shape)
            q &= Q(**{f"{prefix}customer_id__in": Customer.objects.filter(tier=self.customer_tier).values("pk")})
        return q

    def matches(self, project: Any) -> bool:
        """Does the loaded ``project`` (with its customer) fall under this scope?"""
        return (
            (self.department_ids is None or project.department_id in self.department_ids)
            and (not self.industry or project.industry == self.industry)
            and (not self.region or project.region == self.region)
            and (self.customer_id is None or project.customer_id == self.customer_id)
            and (not self.customer_tier or project.customer.tier == self.customer_tier)
        )


def department_children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    return children


def subtree(root: int, children: dict[int | None, list[int]]) -> frozenset[int]:
    found: set[int] = set()
    stack = [root]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return frozenset(found)


def scopes_of(
    rules: Iterable[ProjectSharingRule], *, children: dict[int | None, list[int]] | None = None
) -> list[Scope]:
    """The scopes of ``rules`` (one more query, over the department tree, when a rule includes the departments
    below its department and ``children`` — the tree, from ``department_children`` — is not given)."""
    rules = list(rules)
    if children is None:
        wanted = any(r.department_id and r.include_subdepartments for r in rules)
        children = department_children() if wanted else {}
    found = []
    for rule in rules:
        departments: frozenset[int] | None = None
        if rule.department_id:
            departments = (
                subtree(rule.department_id, children)
                if rule.include_subdepartments
                else frozenset({rule.department_id})
            )
        found.append(
            Scope(
                rule_id=rule.pk,
                department_ids=departments,
                industry=rule.industry,
                region=rule.region,
                customer_id=rule.customer_id,
                customer_tier=rule.customer_tier,
            )
        )
    return found


def applies_to(rule: ProjectSharingRule, user: User) -> bool:
    """Is ``user`` a grantee of ``rule`` (``user.roles`` must be loaded or cheap)?"""
    if rule.grantee_user_id:
        return rule.grantee_user_id == user.pk
    if rule.grantee_role:
        return rule.grantee_role in user.roles
    return rule.grantee_department_id is not None and rule.grantee_department_id == user.department_id


def grantee_q(user: User) -> Q:
    """The rules whose grantee ``user`` is: themselves, one of their roles, or their department (its members:
    the departments below it are not included)."""
    q = Q(grantee_user=user)
    if user.roles:
        q |= Q(grantee_role__in=sorted(user.roles))
    if user.department_id:
        q |= Q(grantee_department_id=user.department_id)
    return q


def user_scopes(user: User) -> list[Scope]:
    """The scopes of the rules that apply to ``user`` (cached on the user instance, like the roles)."""
    cached = user.__dict__.get("_sharing_scopes")
    if cached is None:
        cached = scopes_of(ProjectSharingRule.objects.filter(grantee_q(user)).order_by("pk")) if user.pk else []
        user.__dict__["_sharing_scopes"] = cached
    return cached
