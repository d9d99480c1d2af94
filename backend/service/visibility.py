"""Who sees a service request: the service desk (agents) and the see-all roles see every request; anyone else
the requests they logged or are assigned, and those of the projects and customers they see. Agents also see
every customer and contact, since any customer may call the hotline."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.choices import SEE_ALL_ROLES, Role
from backend.accounts.models import User
from backend.core.permissions import visibility_rule
from backend.customers.visibility import customer_q, customer_reach
from backend.projects.visibility import project_q
from backend.service.models import ServiceRequest


def is_agent(user: User) -> bool:
    return bool(user.is_superuser or user.has_role(Role.SERVICE))


@customer_reach
def _agents_reach_every_customer(user: User, prefix: str) -> Q:
    if user.has_role(Role.SERVICE):
        return Q(**{f"{prefix}pk__isnull": False})
    return Q(**{f"{prefix}pk__in": []})


def request_q(user: User, prefix: str = "") -> Q | None:
    if is_agent(user) or user.has_role(*SEE_ALL_ROLES):
        return None
    q = Q(**{f"{prefix}assignee_id": user.pk}) | Q(**{f"{prefix}created_by_id": user.pk})
    projects = project_q(user, f"{prefix}project__")
    customers = customer_q(user, f"{prefix}customer__")
    if projects is not None:
        q |= projects
    if customers is not None:
        q |= customers
    return q


@visibility_rule(ServiceRequest)
def _service_request(user: User) -> Q | None:
    return request_q(user)
