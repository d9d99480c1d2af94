"""Who may change a customer (object permissions with the ``rules`` package): its owner, the heads of
the owner's department chain, directors and administrators. Contacts and interactions are changed by
whoever may change their customer. Seeing is decided by ``visibility.py``."""

from __future__ import annotations

import rules

from backend.accounts.choices import Role
from backend.accounts.selectors import headed_department_ids


@rules.predicate
def is_customer_owner(user, customer) -> bool:
    return customer is not None and customer.owner_id == user.pk


@rules.predicate
def heads_customer_owner(user, customer) -> bool:
    if customer is None:
        return False
    return customer.owner.department_id in headed_department_ids(user)


@rules.predicate
def is_manager_role(user) -> bool:
    return user.has_role(Role.DIRECTOR, Role.ADMIN)


can_change_customer = is_customer_owner | heads_customer_owner | is_manager_role

rules.add_perm("customers.change_customer", can_change_customer)
rules.add_perm("customers.delete_customer", is_customer_owner | is_manager_role)
rules.add_perm("customers.add_customer", rules.is_authenticated)
