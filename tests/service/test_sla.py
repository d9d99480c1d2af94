"""The SLA clocks on working hours (09:00–12:00, 13:00–18:00 Asia/Shanghai, Monday to Friday less public holidays,
plus 调休 weekend days worked): the arithmetic across lunch, nights, weekends, holidays and worked weekends, and
the clocks of a request through pause, resume, first response, resolution and reopening. Every expected instant
is worked out by hand in the comment beside it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from backend.core.models import CalendarDay
from backend.service.sla import (
    add_working_minutes,
    sla_calendar,
    sla_first_response,
    sla_pause,
    sla_reopen,
    sla_resolve,
    sla_resume,
    sla_start,
    sla_status,
    working_minutes_between,
)
from tests.factories import CustomerFactory, ServiceRequestFactory
from tests.service.sla_fixtures import at, make_request

pytestmark = pytest.mark.django_db


# --- add_working_minutes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 11, 10, 10), 60, at(2026, 11, 10, 11)),  # Tue, within the morning
        (at(2026, 11, 10, 11, 30), 60, at(2026, 11, 10, 13, 30)),  # 30 before lunch, 30 after
        (at(2026, 11, 10, 9), 180, at(2026, 11, 10, 12)),  # uses the morning up exactly: 12:00, not 13:00
        (at(2026, 11, 10, 17, 30), 60, at(2026, 11, 11, 9, 30)),  # 30 Tue evening, 30 Wed morning
        (at(2026, 11, 10, 20), 30, at(2026, 11, 11, 9, 30)),  # at night: starts Wed 09:00
        (at(2026, 11, 13, 17), 120, at(2026, 11, 16, 10)),  # Fri 17–18, then Mon 09–10
        (at(2026, 11, 14, 15), 60, at(2026, 11, 16, 10)),  # Saturday: starts Mon 09:00
        (at(2026, 11, 10, 12, 30), 0, at(2026, 11, 10, 13)),  # 0 in the lunch break: when the clock starts
        (at(2026, 11, 10, 19), 0, at(2026, 11, 11, 9)),  # 0 at night: next morning
        (at(2026, 11, 14, 10), 0, at(2026, 11, 16, 9)),  # 0 on Saturday: Monday
        (at(2026, 11, 10, 10, 0, 30), 5, at(2026, 11, 10, 10, 5, 30)),  # seconds are kept
        (at(2026, 11, 2, 9), 20 * 480, at(2026, 11, 27, 18)),  # 20 working days: Mon 2 Nov to Fri 27 Nov
    ],
)
def test_add_working_minutes_without_exceptions(start, minutes, expected):
    assert add_working_minutes(start, minutes) == expected


def test_public_holidays_are_skipped(holidays):
    # Wed 30 Sep 17:00: 60 that day; 1–7 Oct off (3, 4 a weekend anyway); Thu 8 Oct 09–12 gives the other 180
    assert add_working_minutes(at(2026, 9, 30, 17), 240) == at(2026, 10, 8, 12)
    # started on a holiday: the clock starts Thu 8 Oct 09:00
    assert add_working_minutes(at(2026, 10, 5, 10), 30) == at(2026, 10, 8, 9, 30)


def test_a_worked_saturday_counts(holidays):
    # Fri 9 Oct 17:30: 30 that day; Sat 10 Oct is worked (调休): 09–12 gives 180 (210), 13:00 + 30
    assert add_working_minutes(at(2026, 10, 9, 17, 30), 240) == at(2026, 10, 10, 13, 30)
    # Sun 20 Sep is worked too: Sat 19 Sep 11:00 + 60 starts Sunday 09:00
    assert add_working_minutes(at(2026, 9, 19, 11), 60) == at(2026, 9, 20, 10)


def test_without_the_worked_saturday_monday_takes_its_place(holidays):
    CalendarDay.objects.filter(date=date(2026, 10, 10)).delete()
    # Fri 30; Sat and Sun off; Mon 12 Oct 09–12 (210), 13:00 + 30
    assert add_working_minutes(at(2026, 10, 9, 17, 30), 240) == at(2026, 10, 12, 13, 30)


def test_a_span_across_the_new_year_reads_the_next_years_calendar(holidays):
    # Thu 31 Dec 09:00 + three working days: Thu 31 Dec (480), Fri 1 Jan 2027 off (元旦), Sat/Sun,
    # Mon 4 Jan (960), Tue 5 Jan to its end (1440)
    assert add_working_minutes(at(2026, 12, 31, 9), 3 * 480) == at(2027, 1, 5, 18)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 11, 10, 13), -60, at(2026, 11, 10, 11)),  # back over lunch
        (at(2026, 11, 10, 12, 30), -60, at(2026, 11, 10, 11)),  # from the lunch break: 12:00 back 60
        (at(2026, 11, 16, 10), -120, at(2026, 11, 13, 17)),  # Mon 09–10, Fri 17–18
        (at(2026, 11, 10, 17), -240, at(2026, 11, 10, 13)),  # uses the afternoon exactly: its start
        (at(2026, 11, 10, 16, 59), -240, at(2026, 11, 10, 11, 59)),  # 239 in the afternoon, 1 before lunch
    ],
)
def test_negative_minutes_count_backwards(start, minutes, expected):
    assert add_working_minutes(start, minutes) == expected


def test_backwards_over_a_holiday_week(holidays):
    # Thu 8 Oct 10:00 back 120: 60 that morning, 1–7 Oct off, Wed 30 Sep 17–18
    assert add_working_minutes(at(2026, 10, 8, 10), -120) == at(2026, 9, 30, 17)


# --- working_minutes_between -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2026, 11, 10, 10), at(2026, 11, 10, 14), 180),  # 10–12 and 13–14
        (at(2026, 11, 10, 12, 10), at(2026, 11, 10, 12, 50), 0),  # all of it in the lunch break
        (at(2026, 11, 13, 17), at(2026, 11, 16, 10), 120),  # Fri 17–18, Mon 09–10
        (at(2026, 11, 16, 10), at(2026, 11, 13, 17), -120),  # the other way round
        (at(2026, 11, 14, 8), at(2026, 11, 15, 23), 0),  # a weekend
        (at(2026, 11, 2, 9), at(2026, 11, 27, 18), 9600),  # four weeks of 480
        (at(2026, 11, 10, 10, 0, 30), at(2026, 11, 10, 10, 2), 1),  # 90 s: one whole minute
        (at(2026, 11, 10, 10, 2), at(2026, 11, 10, 10, 0, 30), -1),
    ],
)
def test_working_minutes_between_without_exceptions(start, end, expected):
    assert working_minutes_between(start, end) == expected


def test_working_minutes_between_with_holidays_and_worked_days(holidays):
    # Wed 30 Sep 17:00 to Thu 8 Oct 12:00: 60 + 180 (1–7 Oct off)
    assert working_minutes_between(at(2026, 9, 30, 17), at(2026, 10, 8, 12)) == 240
    # Fri 9 Oct 17:30 to Mon 12 Oct 09:00: 30 + the whole of Saturday (480)
    assert working_minutes_between(at(2026, 10, 9, 17, 30), at(2026, 10, 12, 9)) == 510
    # Thu 31 Dec 2026 to Mon 4 Jan 2027 18:00: 480 + 0 (元旦) + 480
    assert working_minutes_between(at(2026, 12, 31, 9), at(2027, 1, 4, 18)) == 960


def test_a_long_span_loads_the_calendar_a_few_times_not_per_day(holidays, django_assert_max_num_queries):
    cal = sla_calendar()
    with django_assert_max_num_queries(3):  # years 2025–2027, then 2028–2030 at most
        minutes = working_minutes_between(at(2026, 1, 5, 9), at(2028, 1, 3, 9), calendar=cal)
    # 2026-01-05 (Mon) to 2028-01-03 (Mon): 104 weeks = 520 weekdays, less 5 holiday weekdays (1, 2, 5, 6, 7 Oct),
    # less 元旦 2027 (Fri), plus 2 worked weekend days: 516 days of 480
    assert minutes == 516 * 480
    assert add_working_minutes(at(2026, 1, 5, 9), 516 * 480, calendar=cal) == at(2027, 12, 31, 18)


@override_settings(SERVICE_WORKING_HOURS=["08:30-12:00", "13:30-17:30"])
def test_working_hours_come_from_the_settings():
    # Tue 11:30 + 60: 30 before noon, lunch until 13:30, then 30
    assert add_working_minutes(at(2026, 11, 10, 11, 30), 60) == at(2026, 11, 10, 14)
    assert working_minutes_between(at(2026, 11, 10, 8), at(2026, 11, 11, 8)) == 450  # 210 + 240


@override_settings(SERVICE_WORKING_HOURS=["09:00-12:00", "11:00-13:00"])
def test_overlapping_working_hours_are_refused():
    with pytest.raises(ImproperlyConfigured, match="overlap"):
        add_working_minutes(at(2026, 11, 10, 9), 10)


# --- the clocks of a request -----------------------------------------------------------------------------------
def test_start_sets_deadlines_from_the_tiers_policy_across_a_worked_saturday(holidays, policies, tier_a):
    # Fri 9 Oct 17:30, tier A P1: respond within 120, resolve within 480 working minutes; warn at 75 %
    request = make_request(at(2026, 10, 9, 17, 30), customer=tier_a)
    assert request.sla_policy == policies["A"]
    assert request.response_warn_at == at(2026, 10, 10, 10)  # 90: Fri 30, Sat 09:00 + 60
    assert request.response_due_at == at(2026, 10, 10, 10, 30)  # 120: Fri 30, Sat 09:00 + 90
    assert request.resolution_warn_at == at(2026, 10, 10, 15, 30)  # 360: Fri 30, Sat morning 180, 13:00 + 150
    assert request.resolution_due_at == at(2026, 10, 10, 17, 30)  # 480: 30 + 180, 13:00 + 270


def test_start_falls_back_to_the_any_tier_policy_and_without_one_there_is_no_sla(policies):
    # tier B has no policy of its own: any tier, P1 (240 / 960). Tue 10 Nov 10:00
    request = make_request(at(2026, 11, 10, 10), customer=CustomerFactory(tier="B"))
    assert request.sla_policy == policies[""]
    assert request.response_warn_at == at(2026, 11, 10, 14)  # 180: 10–12, 13–14
    assert request.response_due_at == at(2026, 11, 10, 15)  # 240
    assert request.resolution_warn_at == at(2026, 11, 11, 15)  # 720: Tue 420, Wed 180 + 13:00 + 120
    assert request.resolution_due_at == at(2026, 11, 12, 10)  # 960: Tue 420, Wed 480, Thu 09:00 + 60

    none = make_request(at(2026, 11, 10, 10), customer=CustomerFactory(tier="C"), priority="p4")
    assert none.sla_policy is None
    assert (none.response_due_at, none.resolution_due_at, none.response_warn_at) == (None, None, None)
    assert sla_status(none, at(2026, 11, 20, 10)).response.state == "none"


def test_start_before_the_first_save_counts_from_now(policies, tier_a):
    request = ServiceRequestFactory.build(customer=tier_a, priority="p1")  # not saved: no created_at
    sla_start(request, at(2026, 11, 10, 11))
    assert request.response_due_at == at(2026, 11, 10, 14)  # 11–12, 13–14


def test_first_response_stops_the_response_clock_once(policies, tier_a):
    request = make_request(at(2026, 11, 10, 10), customer=tier_a)  # respond by 12:00
    sla_first_response(request, at(2026, 11, 10, 11, 59))
    assert (request.first_response_at, request.response_minutes) == (at(2026, 11, 10, 11, 59), 119)
    assert request.response_breached is False
    sla_first_response(request, at(2026, 11, 11, 10))  # a second reply changes nothing
    assert (request.first_response_at, request.response_minutes) == (at(2026, 11, 10, 11, 59), 119)
    assert sla_status(request, at(2026, 11, 12, 10)).response.state == "met"


def test_a_late_first_response_is_breached(policies, tier_a):
    request = make_request(at(2026, 11, 10, 10), customer=tier_a)
    sla_first_response(request, at(2026, 11, 10, 13, 30))
    assert request.response_minutes == 150  # 10–12, 13–13:30
    assert request.response_breached is True
    assert sla_status(request, at(2026, 11, 10, 14)).response.state == "breached"


def test_pause_across_a_weekend_resume_resolve_reopen(policies, tier_a):
    # Thu 12 Nov 16:00, tier A P1: respond by Thu 18:00; resolve by Fri 16:00 (120 Thu, 180 Fri morning,
    # 13:00 + 180), warn Fri 14:00
    request = make_request(at(2026, 11, 12, 16), customer=tier_a)
    assert (request.response_due_at, request.resolution_due_at) == (at(2026, 11, 12, 18), at(2026, 11, 13, 16))
    assert request.resolution_warn_at == at(2026, 11, 13, 14)

    sla_first_response(request, at(2026, 11, 12, 17))
    assert (request.response_minutes, request.response_breached) == (60, False)

    # waiting for the customer from Fri 11:00 (the clock ran 240: Thu 120, Fri 120) until Mon 10:30
    sla_pause(request, at(2026, 11, 13, 11))
    status = sla_status(request, at(2026, 11, 14, 12))
    assert (status.resolution.state, status.resolution.left_minutes) == ("paused", 240)  # 11–12, 13–16
    sla_pause(request, at(2026, 11, 13, 15))  # already paused: still from 11:00
    assert request.paused_at == at(2026, 11, 13, 11)
    sla_resume(request, at(2026, 11, 16, 10, 30))
    # paused: Fri 11–12 (60) and 13–18 (300), nothing on the weekend, Mon 09–10:30 (90)
    assert (request.paused_minutes, request.paused_at) == (450, None)
    # 240 left from Mon 10:30: 90 to noon, 13:00 + 150
    assert request.resolution_due_at == at(2026, 11, 16, 15, 30)
    assert request.resolution_warn_at == at(2026, 11, 16, 13, 30)  # 120 left to the warn: 90, 13:00 + 30
    assert request.response_due_at == at(2026, 11, 12, 18)  # a stopped clock keeps its deadline
    status = sla_status(request, at(2026, 11, 16, 14))
    assert (status.resolution.state, status.resolution.left_minutes) == ("at_risk", 90)

    # resolved Mon 15:00: Thu 120 + Fri 480 + Mon 300 = 900 since created, less 450 paused
    sla_resolve(request, at(2026, 11, 16, 15))
    assert (request.resolution_minutes, request.resolution_breached) == (450, False)
    assert (request.resolved_at, request.paused_at) == (at(2026, 11, 16, 15), at(2026, 11, 16, 15))
    assert sla_status(request, at(2026, 11, 17, 12)).resolution.state == "met"

    # reopened Tue 10:00: the clock stood still Mon 15–18 and Tue 09–10 (240 more); 30 were left
    sla_reopen(request, at(2026, 11, 17, 10))
    assert (request.resolved_at, request.paused_at, request.paused_minutes) == (None, None, 690)
    assert request.resolution_due_at == at(2026, 11, 17, 10, 30)
    status = sla_status(request, at(2026, 11, 17, 10, 10))
    assert (status.resolution.state, status.resolution.left_minutes) == ("at_risk", 20)

    # resolved again Tue 11:00, 30 late: Thu 120 + Fri 480 + Mon 480 + Tue 120 = 1200, less 690 paused
    sla_resolve(request, at(2026, 11, 17, 11))
    assert (request.resolution_minutes, request.resolution_breached) == (510, True)
    # reopened Tue 14:00 (stood still 11–12 and 13–14: 120 more): the clock is already 30 over, so the
    # deadline is 30 working minutes before 14:00
    sla_reopen(request, at(2026, 11, 17, 14))
    assert (request.paused_minutes, request.resolution_due_at) == (810, at(2026, 11, 17, 13, 30))
    assert sla_status(request, at(2026, 11, 17, 14, 5)).resolution.left_minutes == -35
    sla_resolve(request, at(2026, 11, 17, 14, 5))  # 1200 + 120 + 5 since created, less 810
    assert (request.resolution_minutes, request.resolution_breached) == (515, True)


def test_resolving_while_waiting_counts_the_wait_as_paused(policies, tier_a):
    request = make_request(at(2026, 11, 10, 10), customer=tier_a)  # resolve by Wed 11 Nov 10:00
    sla_first_response(request, at(2026, 11, 10, 10, 30))
    sla_pause(request, at(2026, 11, 10, 11))  # ran 60
    # resolved from waiting on Thu 12 Nov 10:00: paused Tue 11–12, 13–18, Wed 480, Thu 60 = 900
    sla_resolve(request, at(2026, 11, 12, 10))
    assert (request.paused_minutes, request.resolution_minutes) == (900, 60)
    # the deadline moved by the wait: 420 left from Thu 10:00 (10–12, 13–18)
    assert request.resolution_due_at == at(2026, 11, 12, 18)
    assert request.resolution_breached is False


def test_status_counts_down_in_working_minutes(policies, tier_a):
    request = make_request(at(2026, 11, 10, 10), customer=tier_a)  # respond by 12:00, warn at 11:30
    status = sla_status(request, at(2026, 11, 10, 11))
    assert (status.response.state, status.response.left_minutes) == ("running", 60)
    assert status.response.due_at == at(2026, 11, 10, 12)
    status = sla_status(request, at(2026, 11, 10, 11, 45))
    assert (status.response.state, status.response.left_minutes) == ("at_risk", 15)
    status = sla_status(request, at(2026, 11, 10, 12, 30))  # lunch: late by the clock, no working minute yet
    assert (status.response.state, status.response.left_minutes) == ("breached", 0)
    status = sla_status(request, at(2026, 11, 10, 14))
    assert (status.response.state, status.response.left_minutes) == ("breached", -60)
    # resolution (by Wed 10:00, warn Tue 17:00): Tue 14:00 leaves 14–18 and Wed 09–10
    status = sla_status(request, at(2026, 11, 10, 14))
    assert (status.resolution.state, status.resolution.left_minutes) == ("running", 300)


def test_one_calendar_serves_many_requests(holidays, policies, tier_a, django_assert_num_queries):
    requests = [make_request(at(2026, 10, 9, 17, 30) + timedelta(minutes=i), customer=tier_a) for i in range(5)]
    cal = sla_calendar()
    with django_assert_num_queries(1):
        views = [sla_status(r, at(2026, 10, 10, 10, 15), calendar=cal) for r in requests]
    assert [v.response.state for v in views] == ["at_risk"] * 5
    assert [v.response.left_minutes for v in views] == [15, 16, 17, 18, 19]
