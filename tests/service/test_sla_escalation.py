"""SLA escalation through the alarm engine with a fixed clock: by default the assignee at the warn instant, the
head of the assignee's department at the deadline, every head up the line 4 working hours later — each level
once per request and clock, however often the scan runs. Waiting and resolved requests do not alarm; an
unassigned request warns the service desk agents. Times are Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.utils.translation import override

from backend.core.models import Notification
from backend.core.notifications import render
from backend.milestones.alarms import alarm_deliver, alarms_raise, alarms_undelivered
from backend.milestones.models import Alarm
from backend.milestones.views import alarm_url
from backend.service.alarms import escalation
from backend.service.models import ServiceRequest
from backend.service.sla import sla_first_response, sla_pause, sla_resume
from tests.factories import DepartmentFactory
from tests.service.sla_fixtures import at, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user):
    centre = DepartmentFactory(name="技术服务中心")
    desk = DepartmentFactory(name="客服部", parent=centre)
    cto = make_user("cto", "service", department=centre, first_name="强", last_name="李")
    head = make_user("svchead", "service", department=desk, first_name="伟", last_name="张")
    engineer = make_user("engineer", "service", department=desk, first_name="丽", last_name="王")
    centre.head, desk.head = cto, head
    centre.save()
    desk.save()
    return {"cto": cto, "head": head, "engineer": engineer}


def scan(when: datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        counts = alarms_raise()
        for alarm_id in alarms_undelivered():
            alarm_deliver(alarm_id=alarm_id)
    return {k: v for k, v in counts.items() if k.startswith("sr_") and v}


def told(object_type: str, level: int) -> set[str]:
    alarm = Alarm.objects.get(object_type=object_type, level=level)
    return set(alarm.recipients.values_list("username", flat=True))


def test_the_default_escalation():
    assert escalation() == [
        ("warn", None, "assignee"),
        ("breach", 0, "department_head"),
        ("breach", 4, "department_head_up"),
    ]


def test_each_level_alarms_once_to_its_people(desk, policies, tier_a):
    # Tue 10 Nov 10:00, tier A P1: response warn 11:30, due 12:00; resolution warn 17:00, due Wed 10:00
    request = make_request(at(2026, 11, 10, 10), customer=tier_a, assignee=desk["engineer"])

    assert scan(at(2026, 11, 10, 11)) == {}
    assert scan(at(2026, 11, 10, 11, 40)) == {"sr_response_1": 1}
    assert scan(at(2026, 11, 10, 11, 50)) == {}  # the same level again: nothing new
    assert told("sr_response", 1) == {"engineer"}
    alarm = Alarm.objects.get(object_type="sr_response", level=1)
    assert (alarm.object_id, alarm.kind, alarm_url(alarm)) == (request.pk, "sr_response_sla", f"/service/{request.pk}/")
    assert ServiceRequest.objects.get(pk=request.pk).response_breached is False

    # the deadline passes during lunch: the head of 客服部, and the request is marked breached
    assert scan(at(2026, 11, 10, 12, 30)) == {"sr_response_2": 1}
    assert scan(at(2026, 11, 10, 13)) == {}
    assert told("sr_response", 2) == {"svchead"}
    assert ServiceRequest.objects.get(pk=request.pk).response_breached is True

    # 4 working hours past noon is 17:00 (13–17); at 16:59 it is 239 minutes
    assert scan(at(2026, 11, 10, 16, 59)) == {}
    assert scan(at(2026, 11, 10, 17)) == {"sr_response_3": 1, "sr_resolution_1": 1}
    assert scan(at(2026, 11, 10, 17, 30)) == {}
    assert told("sr_response", 3) == {"svchead", "cto"}
    assert told("sr_resolution", 1) == {"engineer"}

    # the first reply stops the response clock; the resolution clock goes on to Wed 10:00, +4 h is Wed 15:00
    request.refresh_from_db()
    sla_first_response(request, at(2026, 11, 10, 17, 40))
    request.save()
    assert scan(at(2026, 11, 11, 9, 59)) == {}
    assert scan(at(2026, 11, 11, 10, 5)) == {"sr_resolution_2": 1}
    assert scan(at(2026, 11, 11, 14, 59)) == {}
    assert scan(at(2026, 11, 11, 15)) == {"sr_resolution_3": 1}
    assert scan(at(2026, 11, 12, 15)) == {}
    assert told("sr_resolution", 2) == {"svchead"}
    assert told("sr_resolution", 3) == {"svchead", "cto"}

    request.refresh_from_db()
    assert (request.response_breached, request.resolution_breached) == (True, True)
    assert Alarm.objects.filter(object_type__startswith="sr_").count() == 6
    notes = Notification.objects.filter(kind__startswith="alarm_sr_")
    assert sorted(notes.values_list("kind", "recipient__username")) == [
        ("alarm_sr_resolution_sla_breach", "cto"),
        ("alarm_sr_resolution_sla_breach", "svchead"),
        ("alarm_sr_resolution_sla_breach", "svchead"),
        ("alarm_sr_resolution_sla_warn", "engineer"),
        ("alarm_sr_response_sla_breach", "cto"),
        ("alarm_sr_response_sla_breach", "svchead"),
        ("alarm_sr_response_sla_breach", "svchead"),
        ("alarm_sr_response_sla_warn", "engineer"),
    ]
    late = Notification.objects.get(kind="alarm_sr_resolution_sla_breach", recipient__username="cto")
    assert late.url == f"/service/{request.pk}/"
    # delivered at Wed 15:00, 4 working hours after the deadline (10–12, 13–15)
    assert (late.params["due"], late.params["late"], late.params["level"]) == ("2026-11-11 10:00", "4.0", "3")
    code = f"{request.code} {request.subject}"
    with override("zh-hans"):
        assert render(late.kind, late.params) == (
            f"工单 {code}：尚未解决，时限 2026-11-11 10:00，已超时 4.0 个工作小时（升级级别 3）。"
        )
    assert render(late.kind, late.params) == (
        f"Service request {code}: not resolved, due 2026-11-11 10:00 — 4.0 working hours late (escalation level 3)."
    )


def test_waiting_and_resolved_requests_do_not_alarm_and_resume_later(desk, policies, tier_a):
    waiting = make_request(at(2026, 11, 10, 10), customer=tier_a, assignee=desk["engineer"])
    sla_pause(waiting, at(2026, 11, 10, 10, 30))
    waiting.save()
    ServiceRequest.objects.filter(pk=waiting.pk).update(status="waiting")
    resolved = make_request(at(2026, 11, 10, 10), customer=tier_a, assignee=desk["engineer"])
    ServiceRequest.objects.filter(pk=resolved.pk).update(
        status="resolved", resolved_at=at(2026, 11, 10, 11), first_response_at=at(2026, 11, 10, 10, 30)
    )
    assert scan(at(2026, 11, 13, 10)) == {}
    assert Alarm.objects.filter(object_type__startswith="sr_").count() == 0

    # back in progress Fri 13 Nov 10:00: the response clock ran 30 of 120, so due 11:30, warn (at 90) 11:00
    waiting.refresh_from_db()
    sla_resume(waiting, at(2026, 11, 13, 10))
    waiting.save()
    ServiceRequest.objects.filter(pk=waiting.pk).update(status="in_progress")
    assert (waiting.response_warn_at, waiting.response_due_at) == (at(2026, 11, 13, 11), at(2026, 11, 13, 11, 30))
    assert scan(at(2026, 11, 13, 10, 59)) == {}
    assert scan(at(2026, 11, 13, 11, 1)) == {"sr_response_1": 1}


def test_an_unassigned_request_warns_the_service_desk(desk, make_user, policies, tier_a):
    make_user("sales", "bid_manager")
    make_request(at(2026, 11, 10, 10), customer=tier_a)
    assert scan(at(2026, 11, 10, 11, 40)) == {"sr_response_1": 1}
    assert told("sr_response", 1) == {"cto", "svchead", "engineer"}
    assert scan(at(2026, 11, 10, 12, 10)) == {"sr_response_2": 1}
    # the heads of the agents' departments, nearest first: 客服部 (svchead) and 技术服务中心 (cto)
    assert told("sr_response", 2) == {"cto", "svchead"}


def test_a_request_without_sla_never_alarms(desk, policies):
    make_request(at(2026, 11, 10, 10), priority="p4", assignee=desk["engineer"])
    assert scan(at(2026, 12, 10, 10)) == {}
