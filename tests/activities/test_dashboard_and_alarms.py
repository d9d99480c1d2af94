""" "My activities" on the dashboard with a fixed clock, and overdue activities in the alarm engine: the owner at
level 1, the head of the owner's department at level 2, each exactly once."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from backend.activities import selectors, services
from backend.core.models import Notification
from backend.milestones.alarms import alarm_deliver, alarms_raise, alarms_undelivered
from backend.milestones.models import Alarm
from backend.milestones.views import alarm_url
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db

WEDNESDAY_10 = at(2026, 12, 2, 10)


@pytest.fixture
def week(team):
    alice, bob = team["alice"], team["bob"]
    make = services.activity_create
    make(actor=alice, subject="昨天的电话", kind="call", starts_at=at(2026, 12, 1, 9))
    make(actor=alice, subject="今天下午拜访", kind="visit", starts_at=at(2026, 12, 2, 15))
    make(actor=bob, subject="Bob邀请的会", kind="meeting", starts_at=at(2026, 12, 2, 16), attendees=[alice])
    make(actor=alice, subject="周五演示", kind="demo", starts_at=at(2026, 12, 4, 10))
    make(actor=alice, subject="今天全天", starts_at=at(2026, 12, 2, 9), all_day=True)
    make(actor=alice, subject="周日全天", starts_at=at(2026, 12, 6, 9), all_day=True)
    make(actor=alice, subject="下周一", starts_at=at(2026, 12, 7, 9))
    done = make(actor=alice, subject="已完成的旧事", starts_at=at(2026, 11, 30, 9))
    services.activity_complete(actor=alice, activity=done)
    make(actor=bob, subject="Bob自己的", starts_at=at(2026, 12, 1, 9))
    return team


def test_buckets_overdue_today_and_this_week(week):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        buckets = selectors.my_activity_buckets(user=week["alice"])
    assert [a.subject for a in buckets["overdue"]] == ["昨天的电话"]
    assert [a.subject for a in buckets["today"]] == ["今天下午拜访", "Bob邀请的会", "今天全天"]
    assert [a.subject for a in buckets["this_week"]] == ["周五演示", "周日全天"]


def test_dashboard_shows_my_activities(week, client):
    client.force_login(week["alice"])
    with time_machine.travel(WEDNESDAY_10, tick=False):
        html = client.get("/").content.decode()
    section = html[html.index('id="my-activities"') :]
    section = section[: section.index('id="my-alarms"') if 'id="my-alarms"' in section else len(section)]
    assert section.index("昨天的电话") < section.index("今天下午拜访") < section.index("周五演示")
    assert "下周一" not in section
    assert "已完成的旧事" not in section
    assert "Bob自己的" not in section


def scan(when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        alarms_raise()
        for alarm_id in alarms_undelivered():
            alarm_deliver(alarm_id=alarm_id)


def test_overdue_activity_alarms_owner_then_department_head_exactly_once(team):
    alice = team["alice"]
    activity = services.activity_create(actor=alice, subject="回电客户", kind="call", starts_at=at(2026, 12, 1, 9))

    scan(at(2026, 12, 1, 8))  # not yet due
    assert Alarm.objects.filter(object_type="activity").count() == 0

    scan(at(2026, 12, 1, 10))
    scan(at(2026, 12, 1, 11))  # the same level again: nothing new
    level1 = Alarm.objects.get(object_type="activity", level=1)
    assert level1.object_id == activity.pk
    assert set(level1.recipients.values_list("username", flat=True)) == {"alice"}
    assert Alarm.objects.filter(object_type="activity").count() == 1
    assert alarm_url(level1) == f"/activities/{activity.pk}/"

    scan(at(2026, 12, 3, 10))  # two days past due: the head of alice's department
    scan(at(2026, 12, 10, 10))
    level2 = Alarm.objects.get(object_type="activity", level=2)
    assert set(level2.recipients.values_list("username", flat=True)) == {"head"}
    assert Alarm.objects.filter(object_type="activity").count() == 2
    told = Notification.objects.filter(kind="alarm_activity_overdue")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "head"]


def test_a_done_activity_raises_no_alarm(team):
    alice = team["alice"]
    activity = services.activity_create(actor=alice, subject="已处理", starts_at=at(2026, 12, 1, 9))
    services.activity_complete(actor=alice, activity=activity)
    scan(at(2026, 12, 5, 10))
    assert Alarm.objects.filter(object_type="activity").count() == 0
