"""Reads about the organisation: department subtrees, heads, the escalation chain."""

from __future__ import annotations

from backend.accounts.models import Department, User


def department_subtree_ids(*, root_ids: set[int]) -> set[int]:
    """The ids of ``root_ids`` and every department below them (one query over the small tree)."""
    if not root_ids:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def headed_department_ids(user: User) -> set[int]:
    """Departments ``user`` heads, with everything below them (cached on the user instance)."""
    cached = user.__dict__.get("_headed_department_ids")
    if cached is None:
        roots = set(Department.objects.filter(head=user).values_list("pk", flat=True))
        cached = department_subtree_ids(root_ids=roots)
        user.__dict__["_headed_department_ids"] = cached
    return cached


def department_heads_up(*, department: Department | None) -> list[User]:
    """Heads of ``department`` and its ancestors, nearest first."""
    heads: list[User] = []
    seen: set[int] = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        if department.head is not None and department.head not in heads:
            heads.append(department.head)
        department = department.parent
    return heads


def manager_chain(*, user: User, limit: int = 10) -> list[User]:
    """``user``'s manager, their manager, and so on (nearest first)."""
    chain: list[User] = []
    current = user.manager
    while current is not None and len(chain) < limit and current not in chain and current != user:
        chain.append(current)
        current = current.manager
    return chain


def users_with_role(*, role: str):
    return User.objects.filter(groups__name=role, is_active=True).order_by("username")
