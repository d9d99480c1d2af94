"""Who may act on money (the permission layer's rules for this app; seeing is ``visibility.py``): a project's
``record_payment`` (terms, invoices, receipts): whoever may change the project, and finance; ``write_off``:
finance, sales directors and administrators."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.core.permissions import action_rule, can
from backend.projects.models import Project
from backend.projects.permissions import MANAGING_ROLES, edit_q


def _payments_q(user: User) -> Q | None:
    return None if user.has_role(Role.FINANCE) else edit_q(user)


@action_rule(Project, "record_payment", rows=_payments_q)
def may_record_payment(user: User, project: Project) -> bool:
    return user.has_role(Role.FINANCE) or can(user, "change", project)


def _write_off_q(user: User) -> Q | None:
    return None if user.has_role(Role.FINANCE, *MANAGING_ROLES) else Q(pk__in=[])


@action_rule(Project, "write_off", rows=_write_off_q)
def may_write_off(user: User, project: Project) -> bool:
    return user.has_role(Role.FINANCE, *MANAGING_ROLES)
