"""Who may change a customer (the permission layer's rules for this app; seeing is ``visibility.py``): its
owner, the heads of the owner's department chain, sales directors and administrators. Contacts and
interactions are changed by whoever may change their customer. A customer is deleted by its owner, sales
directors and administrators; every signed-in user may add one."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.core.permissions import action_rule
from backend.customers.models import Customer

MANAGING_ROLES = (Role.DIRECTOR, Role.ADMIN)


def change_q(user: User) -> Q | None:
    if user.has_role(*MANAGING_ROLES):
        return None
    q = Q(owner=user)
    heads_of = headed_department_ids(user)
    return q | Q(owner__department__in=heads_of) if heads_of else q


@action_rule(Customer, "change", rows=change_q)
def may_change(user: User, customer: Customer) -> bool:
    if user.has_role(*MANAGING_ROLES) or customer.owner_id == user.pk:
        return True
    return customer.owner.department_id in headed_department_ids(user)


def _delete_q(user: User) -> Q | None:
    return None if user.has_role(*MANAGING_ROLES) else Q(owner=user)


@action_rule(Customer, "delete", rows=_delete_q)
def may_delete(user: User, customer: Any) -> bool:
    return user.has_role(*MANAGING_ROLES) or customer.owner_id == user.pk


rules.set_perm("customers.add_customer", rules.is_authenticated)
