"""Alarms with time travel: due soon, each escalation level of an overdue milestone, stage overruns,
reviews waiting, tender deadlines — each recorded and delivered exactly once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from backend.core.models import Notification
from backend.milestones.alarms import alarm_deliver, alarms_raise, alarms_undelivered
from backend.milestones.models import Alarm

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def run_scan(day: date) -> dict:
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ), tick=False):
        counts = alarms_raise()
        for alarm_id in alarms_undelivered():
            alarm_deliver(alarm_id=alarm_id)
    return counts


def recipients(kind: str, level: int) -> set[str]:
    alarm = Alarm.objects.get(kind=kind, level=level)
    return set(alarm.recipients.values_list("username", flat=True))


def test_overdue_milestone_escalates_level_by_level_and_only_once(kicked_off, make_user):
    from backend.accounts.models import User

    project = kicked_off["project"]
    execs = set(User.objects.filter(groups__name="exec").values_list("username", flat=True))
    assert execs == {"exec"}
    first = project.milestones.order_by("order").first()  # ends 2026-11-20
    first.owner = kicked_off["engineer"]  # the owner is not the PM, so levels 1 and 2 reach different people
    first.save(update_fields=["owner"])
    end = first.planned_end
    assert end == date(2026, 11, 20)

    run_scan(end - timedelta(days=2))
    assert recipients("milestone_due", 0) == {"engineer"}
    run_scan(end)  # due today: no new alarm
    assert Alarm.objects.count() == 1

    run_scan(end + timedelta(days=1))
    assert recipients("milestone_overdue", 1) == {"engineer"}  # level 1: the milestone owner
    run_scan(end + timedelta(days=3))
    assert recipients("milestone_overdue", 2) == {"pm"}  # level 2: the project's PM
    run_scan(end + timedelta(days=7))
    assert recipients("milestone_overdue", 3) == {"head"}  # level 3: head of the project's department
    run_scan(end + timedelta(days=14))
    assert recipients("milestone_overdue", 4) == {"exec"}  # level 4: the executives

    def told_about_first() -> list[tuple[str, str, str]]:
        named = {"params__milestone__zh": "需求调研与方案设计"}  # the milestone, kept in both languages
        rows = Notification.objects.filter(kind__startswith="alarm_milestone", **named)
        return sorted((n.kind, n.recipient.username, str(n.params.get("level", ""))) for n in rows)

    expected = [
        ("alarm_milestone_due", "engineer", ""),
        ("alarm_milestone_overdue", "engineer", "1"),
        ("alarm_milestone_overdue", "exec", "4"),
        ("alarm_milestone_overdue", "head", "3"),
        ("alarm_milestone_overdue", "pm", "2"),
    ]
    assert told_about_first() == expected
    run_scan(end + timedelta(days=30))  # everything already raised and delivered for this milestone
    overdue_first = Alarm.objects.filter(object_type="milestone", object_id=first.pk)
    assert sorted(overdue_first.values_list("kind", "level")) == [
        ("milestone_due", 0),
        ("milestone_overdue", 1),
        ("milestone_overdue", 2),
        ("milestone_overdue", 3),
        ("milestone_overdue", 4),
    ]
    assert told_about_first() == expected  # exactly once each, not again 30 days on


def test_a_jump_straight_to_level_four_raises_every_level_once(kicked_off):
    first = kicked_off["project"].milestones.order_by("order").first()
    run_scan(first.planned_end + timedelta(days=20))
    levels = sorted(Alarm.objects.filter(kind="milestone_overdue", object_id=first.pk).values_list("level", flat=True))
    assert levels == [1, 2, 3, 4]
    run_scan(first.planned_end + timedelta(days=21))
    assert Alarm.objects.filter(kind="milestone_overdue", object_id=first.pk).count() == 4


def test_accepted_or_cancelled_milestones_do_not_alarm(kicked_off):
    from backend.milestones.services import milestone_transition

    first = kicked_off["project"].milestones.order_by("order").first()
    milestone_transition(milestone_id=first.pk, name="cancel", actor=kicked_off["pm"], comment="out of scope")
    run_scan(first.planned_end + timedelta(days=20))
    assert not Alarm.objects.filter(object_type="milestone", object_id=first.pk).exists()


def test_delivery_is_idempotent(kicked_off, django_capture_on_commit_callbacks):
    first = kicked_off["project"].milestones.order_by("order").first()
    with time_machine.travel(datetime(2026, 11, 22, 9, tzinfo=TZ), tick=False):
        alarms_raise()
        alarm = Alarm.objects.get(kind="milestone_overdue", object_id=first.pk, level=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert alarm_deliver(alarm_id=alarm.pk) is True
            assert alarm_deliver(alarm_id=alarm.pk) is False  # a redelivered task does nothing
    assert Notification.objects.filter(kind="alarm_milestone_overdue").count() == 1
    assert len([m for m in mail.outbox if "overdue" in m.subject]) == 1


def test_stage_overrun_review_waiting_and_tender_deadline(org, templates):
    from backend.projects import services
    from backend.tenders.services import tender_create
    from tests.factories import CustomerFactory

    with time_machine.travel(datetime(2026, 10, 1, 9, tzinfo=TZ), tick=False):
        project = services.project_create(
            actor=org["bidmgr"], name="Slow project", customer=CustomerFactory(owner=org["bidmgr"])
        )
        for item in project.checklist.filter(stage="tender", required=True):
            services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
        tender_create(
            actor=org["bidmgr"],
            number="ZB-ALARM-1",
            title="t",
            buyer="b",
            bid_deadline=datetime(2026, 10, 5, 9, 30, tzinfo=TZ),
        )
    counts = run_scan(date(2026, 10, 3))  # review pending 48h+, tender deadline within 3 days
    assert counts["review_pending"] == 1 and counts["tender_deadline"] == 1
    assert recipients("review_pending", 0) == {"head", "director"}
    assert recipients("tender_deadline", 0) == {"bidmgr"}
    counts = run_scan(date(2026, 10, 10))  # initiation review standard: 3 days
    assert counts["stage_overdue"] == 1
    assert Alarm.objects.get(kind="stage_overdue").object_type == "stage:initiation_review"
    assert run_scan(date(2026, 10, 11))["stage_overdue"] == 0
    # the stored notification names the state in each reader's language, never in the sender's
    from django.utils import translation

    from backend.core.models import Notification
    from backend.core.notifications import render

    note = Notification.objects.get(kind="alarm_stage_overdue")
    with translation.override("zh-hans"):
        assert render(note.kind, note.params) == f"{project} 已处于立项评审阶段 9 天，标准为 3 天。"
    with translation.override("en"):
        assert (
            render(note.kind, note.params) == f"{project} has been in Initiation review for 9 days; the standard is 3."
        )


def test_an_alarm_whose_object_is_gone_is_closed_without_notifying(kicked_off):
    first = kicked_off["project"].milestones.order_by("order").first()
    with time_machine.travel(datetime(2026, 11, 22, 9, tzinfo=TZ), tick=False):
        alarms_raise()
        alarm = Alarm.objects.get(kind="milestone_overdue", object_id=first.pk, level=1)
        first.delete()
        assert alarm_deliver(alarm_id=alarm.pk) is False
    alarm.refresh_from_db()
    assert alarm.delivered_at is not None
    assert list(alarm.recipients.all()) == []
    assert Notification.objects.filter(kind="alarm_milestone_overdue").count() == 0


def test_any_other_error_while_preparing_leaves_the_alarm_to_be_retried(kicked_off, monkeypatch):
    """A failure that is not "the object is gone" (here the database refusing a read, as when SQLite is
    locked) must not close the alarm: it stays undelivered, and the retry delivers it."""
    from django.db import OperationalError

    from backend.milestones import alarm_rules

    first = kicked_off["project"].milestones.order_by("order").first()

    def locked(**kwargs):
        raise OperationalError("database is locked")

    with time_machine.travel(datetime(2026, 12, 10, 9, tzinfo=TZ), tick=False):
        alarms_raise()
        alarm = Alarm.objects.get(kind="milestone_overdue", object_id=first.pk, level=4)
        monkeypatch.setattr(alarm_rules, "users_with_role", locked)
        with pytest.raises(OperationalError):
            alarm_deliver(alarm_id=alarm.pk)
        alarm.refresh_from_db()
        assert alarm.delivered_at is None
        assert alarm.pk in alarms_undelivered()
        assert Notification.objects.filter(kind="alarm_milestone_overdue", params__level="4").count() == 0
        monkeypatch.undo()
        assert alarm_deliver(alarm_id=alarm.pk) is True
    alarm.refresh_from_db()
    assert alarm.delivered_at is not None
    assert set(alarm.recipients.values_list("username", flat=True)) == {"exec"}
