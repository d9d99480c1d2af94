"""The escalation of an overdue milestone comes from settings (``ALARM_ESCALATION``), not from code: other
levels, other days and other recipients change who is told when; a bad configuration fails the system check."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.milestones.alarm_rules import check_escalation, escalation_levels
from backend.milestones.alarms import alarm_deliver, alarms_raise, alarms_undelivered
from backend.milestones.models import Alarm

TZ = ZoneInfo("Asia/Shanghai")


def run_scan(day: date) -> None:
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ), tick=False):
        alarms_raise()
        for alarm_id in alarms_undelivered():
            alarm_deliver(alarm_id=alarm_id)


def overdue(level: int) -> set[str]:
    alarm = Alarm.objects.get(kind="milestone_overdue", level=level)
    return set(alarm.recipients.values_list("username", flat=True))


@pytest.mark.django_db
def test_two_configured_levels_tell_the_department_head_then_the_executives(kicked_off, settings):
    from backend.accounts.models import User

    settings.ALARM_ESCALATION_DAYS = [2, 5]
    settings.ALARM_ESCALATION_NOTIFY = ["department_head", "executives"]
    settings.ALARM_ESCALATION = [(2, "department_head"), (5, "executives")]
    assert [(r.level, r.days_overdue, r.notify) for r in escalation_levels()] == [
        (1, 2, "department_head"),
        (2, 5, "executives"),
    ]
    first = kicked_off["project"].milestones.order_by("order").first()
    end = first.planned_end
    assert end == date(2026, 11, 20)
    execs = set(User.objects.filter(groups__name="exec").values_list("username", flat=True))
    assert execs and "head" not in execs

    run_scan(end + timedelta(days=1))  # overdue by one day: below the first configured level
    assert not Alarm.objects.filter(kind="milestone_overdue").exists()
    run_scan(end + timedelta(days=2))
    assert overdue(1) == {"head"}
    assert not Alarm.objects.filter(kind="milestone_overdue", level=2).exists()
    run_scan(end + timedelta(days=30))
    assert overdue(2) == execs
    levels = Alarm.objects.filter(kind="milestone_overdue", object_id=first.pk).values_list("level", flat=True)
    assert sorted(levels) == [1, 2]  # no third level: none is configured


def test_the_system_check_refuses_a_bad_escalation(settings):
    assert check_escalation() == []
    settings.ALARM_ESCALATION_DAYS = [1, 3]
    settings.ALARM_ESCALATION_NOTIFY = ["owner", "ceo"]
    settings.ALARM_ESCALATION = [(1, "owner"), (3, "ceo")]
    assert [e.id for e in check_escalation()] == ["milestones.E003"]
    settings.ALARM_ESCALATION_NOTIFY = ["owner"]
    settings.ALARM_ESCALATION = [(3, "owner"), (1, "pm")]
    assert [e.id for e in check_escalation()] == ["milestones.E005", "milestones.E004"]
    settings.ALARM_ESCALATION = []
    assert [e.id for e in check_escalation()] == ["milestones.E001"]
