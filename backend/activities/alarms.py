"""Overdue activities feed the alarm engine of ``backend.milestones.alarms`` (registered in ``ready()``):
level 1, 2, … follow ``settings.ACTIVITY_ESCALATION`` — ``(days past due, who)`` pairs, as milestones do —
by default the owner as soon as the activity is past due, then the head of the owner's department two days
later. Each level alarms once per activity (the engine's unique key)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import department_heads_up
from backend.activities.choices import ActivityStatus
from backend.activities.models import Activity

OBJECT_TYPE = "activity"
KIND = "activity_overdue"
MESSAGE = _("Activity %(activity)s is %(days)s days overdue (escalation level %(level)s).")


def _owner(activity: Activity) -> list[Any]:
    return [activity.owner]


def _department_head(activity: Activity) -> list[Any]:
    return list(department_heads_up(department=activity.owner.department)[:1])


RECIPIENTS = {"owner": _owner, "department_head": _department_head}


def _escalation() -> list[tuple[int, str]]:
    return [(int(days), str(who)) for days, who in settings.ACTIVITY_ESCALATION]


def levels() -> list[int]:
    return list(range(1, len(_escalation()) + 1))


def due(level: int, today: date, now: datetime) -> tuple[QuerySet, str | None]:
    days, _who = _escalation()[level - 1]
    overdue = Activity.objects.filter(status=ActivityStatus.OPEN, due_at__lt=now - timedelta(days=days))
    return overdue, "project_id"


def deliver(alarm: Any) -> tuple[list[Any], str, dict[str, Any], str]:
    activity = Activity.objects.select_related("owner__department").get(pk=alarm.object_id)
    escalation = _escalation()
    _days, who = escalation[min(alarm.level, len(escalation)) - 1]
    late = max((timezone.now() - activity.due_at).days, 0)
    return (
        RECIPIENTS[who](activity),
        f"alarm_{KIND}",
        {"activity": activity.subject, "days": late, "level": alarm.level},
        _link(alarm),
    )


def _link(alarm: Any) -> str:
    return reverse("activities:detail", args=[alarm.object_id])


def register() -> None:
    from backend.core.notifications import MESSAGES
    from backend.milestones.alarms import AlarmSource, alarm_source

    MESSAGES.setdefault(f"alarm_{KIND}", MESSAGE)
    alarm_source(AlarmSource(object_type=OBJECT_TYPE, kind=KIND, levels=levels, due=due, deliver=deliver, link=_link))
