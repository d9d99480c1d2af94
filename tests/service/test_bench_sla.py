"""`sicrm bench sla` at a tiny size: the table is printed, and the scan's set-based queries raised exactly the
alarms the clocks call for, checked request by request against ``sla_status`` and the working-hours arithmetic
(the 100,000-request run is ``sicrm bench sla``; no timing is asserted here)."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from backend.milestones.models import Alarm
from backend.service.choices import RUNNING_STATES
from backend.service.models import ServiceRequest
from backend.service.sla import sla_calendar, sla_status, working_minutes_between
from tests.service.sla_fixtures import at

NOW = at(2026, 11, 11, 15, 0, 30)  # Wed, mid-afternoon
LAST = at(2026, 11, 11, 15, 5, 30)  # the bench's last scan: five working minutes later


@pytest.mark.django_db
def test_bench_sla_scan_raises_what_the_clocks_call_for():
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("bench", "sla", "--size", "300", stdout=out)
    text = out.getvalue()
    assert "size (requests)" in text and " 300\n" in text and "raised on repeat" in text

    requests = list(ServiceRequest.objects.filter(code__startswith="SLAB-"))
    assert len(requests) == 300
    alarms = set(Alarm.objects.values_list("object_type", "object_id", "level"))
    figures = dict(line.rsplit(None, 1) for line in text.splitlines() if line.startswith(("alarms", "size")))
    assert figures == {"size (requests)": "300", "alarms recorded": f"{len(alarms):,}"}
    cal = sla_calendar()
    expected = set()
    for request in requests:
        if request.status not in RUNNING_STATES:
            continue
        view = sla_status(request, LAST, calendar=cal)
        for clock in ("response", "resolution"):
            state = getattr(view, clock).state
            if state not in ("at_risk", "breached"):
                continue
            expected.add((f"sr_{clock}", request.pk, 1))
            if state == "breached":
                expected.add((f"sr_{clock}", request.pk, 2))
                assert getattr(request, f"{clock}_breached") is True
                if working_minutes_between(getattr(request, f"{clock}_due_at"), LAST, calendar=cal) >= 240:
                    expected.add((f"sr_{clock}", request.pk, 3))
    assert alarms == expected
    # the tiny run still reaches every level of both clocks
    assert {(kind, level) for kind, _pk, level in alarms} == {
        (f"sr_{clock}", level) for clock in ("response", "resolution") for level in (1, 2, 3)
    }
