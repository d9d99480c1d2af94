"""Who sees which customers (DESIGN.md §6 applied to customers): the owner, the heads of the owner's
department and of every department above it, members of a project for the customer, and the see-all
roles. Contacts and interactions follow
their customer. Registered with the core visibility registry."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import visibility_rule
from backend.customers.models import Contact, Customer, Interaction

# Further ways to reach a customer, added by the apps above (projects: the members of its projects).
_reach: list[Callable[[User, str], Q]] = []


def customer_reach(rule: Callable[[User, str], Q]) -> Callable[[User, str], Q]:
    """Register ``rule(user, prefix) -> Q``: more customers ``user`` sees (OR-ed with the owner's rules)."""
    if rule not in _reach:
        _reach.append(rule)
    return rule


def customer_q(user: User, prefix: str = "") -> Q | None:
    if user.has_role(*SEE_ALL_ROLES):
        return None
    q = Q(**{f"{prefix}owner": user})
    for rule in _reach:
        q |= rule(user, prefix)
    heads_of = headed_department_ids(user)
    if heads_of:
        q |= Q(**{f"{prefix}owner__department__in": heads_of})
    return q


@visibility_rule(Customer)
def _customer(user: User) -> Q | None:
    return customer_q(user)


@visibility_rule(Contact)
def _contact(user: User) -> Q | None:
    return customer_q(user, "customer__")


@visibility_rule(Interaction)
def _interaction(user: User) -> Q | None:
    return customer_q(user, "customer__")
