"""Fixtures of the SLA tests (imported by the conftest): the 2026 National Day holidays (1–7 October off, Sunday
20 September and Saturday 10 October worked, 调休) and New Year's Day 2027, SLA policies in place of the
defaults, and a helper placing a request at a creation time. Times are Asia/Shanghai; working hours 09:00–12:00
and 13:00–18:00 (the settings' default)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.core.models import CalendarDay
from backend.service.models import SlaPolicy
from backend.service.sla import sla_start
from tests.factories import CustomerFactory, ServiceRequestFactory, SlaPolicyFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def holidays(db):
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(date=date(2026, 9, 20), kind=CalendarDay.Kind.WORKDAY, name="国庆节调休")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY, name="国庆节调休")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")


@pytest.fixture
def policies(db):
    """Tier A, P1: respond within 2, resolve within 8 working hours; any tier, P1: 4 and 16 — in place of the
    default policies of migration 0003 (so P4 has none)."""
    SlaPolicy.objects.all().delete()
    return {
        "A": SlaPolicyFactory(tier="A", priority="p1", response_hours=2, resolution_hours=8),
        "": SlaPolicyFactory(tier="", priority="p1", response_hours=4, resolution_hours=16),
    }


@pytest.fixture
def tier_a(db):
    return CustomerFactory(name="上海银行", tier="A")


def make_request(created: datetime, *, customer=None, priority: str = "p1", **fields):
    """A request created at ``created`` with its clocks started, as the create service does."""
    with time_machine.travel(created, tick=False):
        request = ServiceRequestFactory(customer=customer or CustomerFactory(), priority=priority, **fields)
        sla_start(request, created)
        request.save()
    return request
