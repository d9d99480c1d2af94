"""Alarm rules (DESIGN.md §2): what is due or overdue when, and who is told at each escalation level.

The figures come from settings (``ALARM_*``, see README): a milestone is "due soon" ``ALARM_DUE_SOON_DAYS``
before its planned end; once overdue it escalates through ``ALARM_ESCALATION`` — one ``(days overdue, who)``
pair per level, level 1 first — where *who* names one of ``RECIPIENTS``. The default is the milestone's
owner after 1 day, the project's PM after 3, the head of the project's department after 7 and the executives
after 14. A review step alarms after ``ALARM_REVIEW_PENDING_HOURS``; a tender ``ALARM_TENDER_DEADLINE_DAYS``
before its bid deadline. ``backend.milestones.alarms`` applies these rules; a system check refuses an
escalation that names an unknown recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks

from backend.accounts.selectors import department_heads_up, users_with_role


def _owner(milestone: Any) -> list[Any]:
    return [milestone.owner or milestone.project.owner]


def _pm(milestone: Any) -> list[Any]:
    project = milestone.project
    return [m.user for m in project.members.filter(role="pm").select_related("user")] or [project.owner]


def _department_head(milestone: Any) -> list[Any]:
    project = milestone.project
    return list(department_heads_up(department=project.department or project.owner.department)[:1])


def _executives(milestone: Any) -> list[Any]:
    return list(users_with_role(role="exec"))


# Who can be told about an overdue milestone, by the name the escalation settings use.
RECIPIENTS: dict[str, Callable[[Any], list[Any]]] = {
    "owner": _owner,
    "pm": _pm,
    "department_head": _department_head,
    "executives": _executives,
}


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    days_overdue: int
    notify: str


def escalation_levels() -> list[EscalationLevel]:
    """The overdue-milestone escalation, level 1 first, as configured."""
    return [
        EscalationLevel(level=level, days_overdue=int(days), notify=str(who))
        for level, (days, who) in enumerate(settings.ALARM_ESCALATION, start=1)
    ]


def overdue_recipients(milestone: Any, level: int) -> list[Any]:
    """Who is told at escalation ``level`` about an overdue ``milestone`` (the last level for any higher)."""
    levels = escalation_levels()
    rule = levels[min(level, len(levels)) - 1]
    return RECIPIENTS[rule.notify](milestone)


@checks.register()
def check_escalation(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    levels = getattr(settings, "ALARM_ESCALATION", None)
    if not levels:
        return [checks.Error("ALARM_ESCALATION is empty: configure at least one level.", id="milestones.E001")]
    days_given, notify_given = (
        getattr(settings, "ALARM_ESCALATION_DAYS", []),
        getattr(settings, "ALARM_ESCALATION_NOTIFY", []),
    )
    if len(days_given) != len(notify_given):
        errors.append(
            checks.Error(
                f"ALARM_ESCALATION_DAYS has {len(days_given)} levels but ALARM_ESCALATION_NOTIFY {len(notify_given)}.",
                id="milestones.E005",
            )
        )
    previous = -1
    for position, entry in enumerate(levels, start=1):
        try:
            days, who = entry
        except (TypeError, ValueError):
            errors.append(
                checks.Error(
                    f"ALARM_ESCALATION level {position} must be (days, who), not {entry!r}.", id="milestones.E002"
                )
            )
            continue
        if who not in RECIPIENTS:
            errors.append(
                checks.Error(
                    f"ALARM_ESCALATION level {position} notifies {who!r}; choose one of {', '.join(RECIPIENTS)}.",
                    id="milestones.E003",
                )
            )
        if int(days) < previous:
            errors.append(
                checks.Error(
                    f"ALARM_ESCALATION level {position} comes before level {position - 1}.", id="milestones.E004"
                )
            )
        previous = int(days)
    return errors
