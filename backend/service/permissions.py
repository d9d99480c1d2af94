"""Who may act on a service request. Agents (the service desk role) log, assign, move and close any request;
the assigned engineer works on their own (notes, start, wait for the customer, resolve, link an article).
Administrators edit the SLA policies."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.core.permissions import action_rule
from backend.service.models import ServiceRequest, SlaPolicy
from backend.service.visibility import is_agent


def _work_rows(user: Any) -> Q | None:
    return None if is_agent(user) else Q(assignee_id=user.pk)


@action_rule(ServiceRequest, "change", rows=_work_rows)
def _change(user: Any, request: ServiceRequest) -> bool:
    return is_agent(user) or (request.assignee_id is not None and request.assignee_id == user.pk)


@action_rule(ServiceRequest, "transition", rows=_work_rows)
def _transition(user: Any, request: ServiceRequest) -> bool:
    return _change(user, request)


@action_rule(ServiceRequest, "assign", rows=lambda user: None if is_agent(user) else Q(pk__in=[]))
def _assign(user: Any, request: Any) -> bool:
    return is_agent(user)


@action_rule(SlaPolicy, "manage")
def _manage_sla(user: Any, _policy: Any) -> bool:
    return bool(user.is_superuser or user.has_role("admin"))
