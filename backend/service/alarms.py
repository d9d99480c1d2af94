"""The SLA clocks of service requests feed the alarm engine of ``backend.milestones.alarms`` (registered in
``ready()``), one source per clock (``sr_response``, ``sr_resolution``). Levels 1, 2, … follow
``settings.SERVICE_ESCALATION`` — ``(when, who)`` pairs; ``when`` is ``warn`` (the clock's warn instant),
``breach`` (its deadline) or ``breach+N`` (N working hours past the deadline); ``who`` is ``assignee``,
``department_head`` or ``department_head_up``. Each level alarms once per request and clock (the engine's
unique key).

The scan is set-based: per level one indexed query on (status, deadline) over the requests whose clock runs
(a state of ``RUNNING_STATES``: waiting for the customer and resolved stand still); ``breach+N`` compares the
deadline with one instant computed in Python, N working hours before now on the working calendar. At the
first breach level the scan also sets the request's ``*_breached`` flag in one UPDATE, so lists and reports
can count late requests whose clock still runs without recomputing deadlines.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.choices import Role
from backend.accounts.selectors import department_heads_up, users_with_role
from backend.service.choices import RUNNING_STATES
from backend.service.models import ServiceRequest
from backend.service.sla import add_working_minutes, working_minutes_between

CLOCKS = ("response", "resolution")
OBJECT_TYPES = {clock: f"sr_{clock}" for clock in CLOCKS}
KINDS = {clock: f"sr_{clock}_sla" for clock in CLOCKS}
# notification kinds: alarm_<kind>_warn / alarm_<kind>_breach
MESSAGES = {
    "alarm_sr_response_sla_warn": _(
        "Service request %(request)s: first response due by %(due)s — the SLA is at risk (escalation level %(level)s)."
    ),
    "alarm_sr_response_sla_breach": _(
        "Service request %(request)s: no first response yet, due %(due)s — %(late)s working hours late "
        "(escalation level %(level)s)."
    ),
    "alarm_sr_resolution_sla_warn": _(
        "Service request %(request)s: resolution due by %(due)s — the SLA is at risk (escalation level %(level)s)."
    ),
    "alarm_sr_resolution_sla_breach": _(
        "Service request %(request)s: not resolved, due %(due)s — %(late)s working hours late "
        "(escalation level %(level)s)."
    ),
}
WHO = ("assignee", "department_head", "department_head_up")


def escalation() -> list[tuple[str, int | None, str]]:
    """``settings.SERVICE_ESCALATION`` as (``warn``/``breach``, working hours past the deadline or None, who)."""
    rules: list[tuple[str, int | None, str]] = []
    for when, who in settings.SERVICE_ESCALATION:
        text = str(when).strip().replace(" ", "")
        if str(who) not in WHO:
            raise ImproperlyConfigured(f"SERVICE_ESCALATION: {who!r} is not one of {', '.join(WHO)}")
        if text == "warn":
            rules.append(("warn", None, str(who)))
        elif text == "breach":
            rules.append(("breach", 0, str(who)))
        elif text.startswith("breach+") and text[7:].isdigit():
            rules.append(("breach", int(text[7:]), str(who)))
        else:
            raise ImproperlyConfigured(f"SERVICE_ESCALATION: {when!r} is not warn, breach or breach+N")
    return rules


def levels() -> list[int]:
    return list(range(1, len(escalation()) + 1))


def _running(clock: str) -> QuerySet:
    running = ServiceRequest.objects.filter(status__in=RUNNING_STATES, paused_at__isnull=True).order_by()
    if clock == "response":
        return running.filter(first_response_at__isnull=True)
    return running.filter(resolved_at__isnull=True)


def _due(clock: str, level: int, now: datetime) -> QuerySet:
    rules = escalation()
    when, hours, _who = rules[level - 1]
    running = _running(clock)
    if when == "warn":
        return running.filter(**{f"{clock}_warn_at__lte": now})
    if level == min(i for i, rule in enumerate(rules, start=1) if rule[0] == "breach"):
        # the first breach level of this scan marks what is late (one UPDATE; a stopped clock sets its own)
        running.filter(**{f"{clock}_due_at__lte": now, f"{clock}_breached": False}).update(
            **{f"{clock}_breached": True}
        )
    cutoff = add_working_minutes(now, -60 * hours) if hours else now
    return running.filter(**{f"{clock}_due_at__lte": cutoff})


def _recipients(request: ServiceRequest, who: str) -> list[Any]:
    """Who is told at a level: the assignee (unassigned: the service desk agents); the head of the
    assignee's department (unassigned: of the agents' departments); or every head up the line. A level that
    finds no one (no head set) falls back to the assignee level, so no alarm goes unread."""
    agents: list[Any]
    if request.assignee_id is not None:
        agents = [request.assignee]
    else:
        agents = list(users_with_role(role=Role.SERVICE).select_related("department"))
    if who == "assignee":
        return agents
    heads: list[Any] = []
    departments = {agent.department_id: agent.department for agent in agents if agent.department_id}
    for department in departments.values():
        line = department_heads_up(department=department)
        for head in line if who == "department_head_up" else line[:1]:
            if head not in heads:
                heads.append(head)
    return heads or agents


def _deliver(clock: str, alarm: Any) -> tuple[list[Any], str, dict[str, Any], str]:
    request = ServiceRequest.objects.select_related("assignee__department").get(pk=alarm.object_id)
    rules = escalation()
    when, _hours, who = rules[min(alarm.level, len(rules)) - 1]
    deadline = getattr(request, f"{clock}_due_at")
    params: dict[str, Any] = {
        "request": f"{request.code} {request.subject}",
        "due": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "",
        "level": alarm.level,
    }
    if when == "breach":  # working hours late as the alarm goes out
        late = working_minutes_between(deadline, timezone.now()) if deadline else 0
        params["late"] = f"{max(late, 0) / 60:.1f}"
    return _recipients(request, who), f"alarm_{KINDS[clock]}_{when}", params, _link(alarm)


def _link(alarm: Any) -> str:
    return reverse("service:detail", args=[alarm.object_id])


def _source(clock: str) -> Any:
    from backend.milestones.alarms import AlarmSource

    def due(level: int, today: date, now: datetime) -> tuple[QuerySet, str | None]:
        return _due(clock, level, now), "project_id"

    def deliver(alarm: Any) -> tuple[list[Any], str, dict[str, Any], str]:
        return _deliver(clock, alarm)

    return AlarmSource(
        object_type=OBJECT_TYPES[clock], kind=KINDS[clock], levels=levels, due=due, deliver=deliver, link=_link
    )


def register() -> None:
    from backend.core.notifications import MESSAGES as ALL_MESSAGES
    from backend.milestones.alarms import alarm_source

    for kind, message in MESSAGES.items():
        ALL_MESSAGES.setdefault(kind, message)
    for clock in CLOCKS:
        alarm_source(_source(clock))
