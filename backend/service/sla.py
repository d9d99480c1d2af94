"""SLA clocks of service requests on the working-hours calendar (PLACEHOLDER: wall-clock arithmetic until the
working-hours clock lands; the functions and their contracts below are final).

Contract (every function takes the request and ``now``, changes fields on the instance, never saves):
- ``sla_start(request, now)``: choose the policy (customer tier + priority, else any tier + priority), set
  ``sla_policy``, ``response_due_at``/``resolution_due_at`` and ``*_warn_at`` from ``created_at`` +
  target + ``paused_minutes``. No policy: deadlines stay empty (no SLA).
- ``sla_pause(request, now)``: the clocks stand still from ``now`` (``paused_at``).
- ``sla_resume(request, now)``: add the working minutes since ``paused_at`` to ``paused_minutes``, clear
  ``paused_at``, move the deadlines.
- ``sla_first_response(request, now)``: once: ``first_response_at``, ``response_minutes`` (working minutes
  the clock ran), ``response_breached`` when later than the deadline.
- ``sla_resolve(request, now)``: ``resolved_at``, ``resolution_minutes``, ``resolution_breached`` (kept
  once set), and the clocks stop (``paused_at = now``, so a reopen resumes them).
- ``sla_reopen(request, now)``: the clocks run again from ``now`` (as ``sla_resume``); ``resolved_at``
  cleared.
- ``sla_status(request, now) -> SlaView``: for pages: per clock the deadline, working minutes left
  (negative when late) and a state (met, breached, at_risk, running, paused, none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings


def _minutes(hours: Any) -> int:
    return int(round(float(hours) * 60))


def add_working_minutes(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def working_minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _policy(request: Any) -> Any:
    from backend.service.models import SlaPolicy

    policies = {
        p.tier: p for p in SlaPolicy.objects.filter(priority=request.priority, tier__in=[request.customer.tier, ""])
    }
    return policies.get(request.customer.tier) or policies.get("")


def _deadlines(request: Any) -> None:
    policy = request.sla_policy
    if policy is None:
        request.response_due_at = request.resolution_due_at = None
        request.response_warn_at = request.resolution_warn_at = None
        return
    warn = settings.SERVICE_SLA_WARN_PERCENT / 100
    for clock, hours in (("response", policy.response_hours), ("resolution", policy.resolution_hours)):
        target = _minutes(hours)
        setattr(request, f"{clock}_due_at", add_working_minutes(request.created_at, target + request.paused_minutes))
        setattr(
            request,
            f"{clock}_warn_at",
            add_working_minutes(request.created_at, int(target * warn) + request.paused_minutes),
        )


def sla_start(request: Any, now: datetime) -> None:
    request.sla_policy = _policy(request)
    _deadlines(request)


def sla_pause(request: Any, now: datetime) -> None:
    if request.paused_at is None:
        request.paused_at = now


def sla_resume(request: Any, now: datetime) -> None:
    if request.paused_at is not None:
        request.paused_minutes += max(working_minutes_between(request.paused_at, now), 0)
        request.paused_at = None
        _deadlines(request)


def sla_first_response(request: Any, now: datetime) -> None:
    if request.first_response_at is not None:
        return
    request.first_response_at = now
    request.response_minutes = working_minutes_between(request.created_at, now) - request.paused_minutes
    request.response_breached = bool(request.response_due_at and now > request.response_due_at)


def sla_resolve(request: Any, now: datetime) -> None:
    sla_resume(request, now)
    sla_first_response(request, now)
    request.resolved_at = now
    request.resolution_minutes = working_minutes_between(request.created_at, now) - request.paused_minutes
    request.resolution_breached = request.resolution_breached or bool(
        request.resolution_due_at and now > request.resolution_due_at
    )
    request.paused_at = now


def sla_reopen(request: Any, now: datetime) -> None:
    request.resolved_at = None
    sla_resume(request, now)


@dataclass(frozen=True)
class ClockView:
    due_at: datetime | None
    left_minutes: int | None
    state: str  # met, breached, at_risk, running, paused, none


@dataclass(frozen=True)
class SlaView:
    response: ClockView
    resolution: ClockView


def _clock(request: Any, clock: str, now: datetime) -> ClockView:
    due = getattr(request, f"{clock}_due_at")
    stopped = request.first_response_at if clock == "response" else request.resolved_at
    if due is None:
        return ClockView(None, None, "none")
    if stopped is not None:
        return ClockView(due, None, "breached" if getattr(request, f"{clock}_breached") else "met")
    left = working_minutes_between(now, due)
    if request.paused_at is not None:
        return ClockView(due, working_minutes_between(request.paused_at, due), "paused")
    if left < 0:
        return ClockView(due, left, "breached")
    warn = getattr(request, f"{clock}_warn_at")
    return ClockView(due, left, "at_risk" if warn is not None and now >= warn else "running")


def sla_status(request: Any, now: datetime) -> SlaView:
    return SlaView(response=_clock(request, "response", now), resolution=_clock(request, "resolution", now))
