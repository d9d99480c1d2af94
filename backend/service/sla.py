"""SLA clocks of service requests on working hours: the working days of ``backend.core.calendar`` (Monday to
Friday less public holidays, plus 调休 weekend days worked) and, on each of them, the periods of
``settings.SERVICE_WORKING_HOURS`` (default 09:00–12:00 and 13:00–18:00), in ``settings.TIME_ZONE``.
Only computes; never saves and never reads a request from the database.

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
- ``add_working_minutes(start, minutes)``: the instant ``minutes`` working minutes after ``start``; a start
  outside working time rolls forward to the next working period (so ``minutes=0`` gives the instant the clock
  starts); a deadline that uses up a period exactly is that period's end (12:00, not 13:00). Negative
  ``minutes`` count backwards (a start outside working time rolls back to the end of the previous period).
- ``working_minutes_between(start, end)``: working minutes from ``start`` to ``end`` (whole minutes, rounded
  towards zero), negative when ``end`` is before ``start``.

Arithmetic: the working time of a day is a sorted list of periods in seconds since local midnight (wall
clock); spans walk day by day (a whole working day is one addition), never minute by minute. The calendar
exceptions are loaded for three years around the first day asked about in one query, and for further years
only when a span reaches them; every function accepts ``calendar=`` (``sla_calendar()``) so a caller working
through many requests (a list page, the escalation scan) loads them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backend.core.calendar import WorkingCalendar

DAY = timedelta(days=1)
ZERO = timedelta(0)
# a span that finds no working time in this many days is a calendar that has none (all holidays): refuse it
MAX_DAYS = 366 * 30


def working_periods() -> list[tuple[timedelta, timedelta]]:
    """``settings.SERVICE_WORKING_HOURS`` as sorted (start, end) offsets from midnight."""
    periods: list[tuple[timedelta, timedelta]] = []
    for text in settings.SERVICE_WORKING_HOURS:
        try:
            first, last = (part.strip() for part in str(text).split("-"))
            start, end = (timedelta(hours=int(p[0]), minutes=int(p[1])) for p in (first.split(":"), last.split(":")))
        except ValueError as exc:
            raise ImproperlyConfigured(f"SERVICE_WORKING_HOURS: {text!r} is not HH:MM-HH:MM") from exc
        if not ZERO <= start < end <= DAY:
            raise ImproperlyConfigured(f"SERVICE_WORKING_HOURS: {text!r} does not run forward within one day")
        periods.append((start, end))
    periods.sort()
    if not periods:
        raise ImproperlyConfigured("SERVICE_WORKING_HOURS is empty: the SLA clocks need working hours")
    for (_s1, e1), (s2, _e2) in zip(periods, periods[1:], strict=False):
        if s2 < e1:
            raise ImproperlyConfigured("SERVICE_WORKING_HOURS: periods overlap")
    return periods


class SlaCalendar(WorkingCalendar):
    """The working-day calendar with the working periods of each day. Loads the exceptions (``CalendarDay``)
    lazily by calendar year — the year asked about and one on each side in one query — so a long span or a
    backwards walk is never outside what was loaded."""

    def __init__(self) -> None:  # no fixed window: years are loaded as they are reached
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.periods = working_periods()
        self.day_total = sum((end - start for start, end in self.periods), ZERO)
        self.holidays: set[date] = set()
        self.workdays: set[date] = set()
        self._years: set[int] = set()

    def _load(self, year: int) -> None:
        from backend.core.models import CalendarDay

        years = [y for y in (year - 1, year, year + 1) if y not in self._years and 1 <= y <= 9999]
        first, last = min(years), max(years)
        rows = CalendarDay.objects.filter(date__range=(date(first, 1, 1), date(last, 12, 31)))
        for day, kind in rows.values_list("date", "kind"):
            (self.holidays if kind == CalendarDay.Kind.HOLIDAY else self.workdays).add(day)
        self._years.update(range(first, last + 1))

    def is_working_day(self, day: date) -> bool:
        if day.year not in self._years:
            self._load(day.year)
        return super().is_working_day(day)

    # --- wall clock <-> (day, offset from midnight) -------------------------------------------------------
    def split(self, moment: datetime) -> tuple[date, timedelta]:
        if moment.tzinfo is None:
            raise ValueError("SLA arithmetic needs aware datetimes")
        local = moment.astimezone(self.tz)
        offset = timedelta(hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        return local.date(), offset

    def join(self, day: date, offset: timedelta) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.tz) + offset

    # --- arithmetic ----------------------------------------------------------------------------------------
    def forward(self, start: datetime, amount: timedelta) -> datetime:
        day, at = self.split(start)
        remaining = amount
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                if at == ZERO and remaining > self.day_total:
                    remaining -= self.day_total  # a whole working day at once
                else:
                    for period_start, period_end in self.periods:
                        if at >= period_end:
                            continue
                        begin = max(at, period_start)
                        if remaining <= period_end - begin:
                            return self.join(day, begin + remaining)
                        remaining -= period_end - begin
                        at = period_end
            day, at = day + DAY, ZERO
        raise ImproperlyConfigured(f"no working time within {MAX_DAYS} days of {start}: check the calendar")

    def backward(self, start: datetime, amount: timedelta) -> datetime:
        day, at = self.split(start)
        remaining = amount
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                if at == DAY and remaining > self.day_total:
                    remaining -= self.day_total
                else:
                    for period_start, period_end in reversed(self.periods):
                        if at <= period_start:
                            continue
                        end = min(at, period_end)
                        if remaining <= end - period_start:
                            return self.join(day, end - remaining)
                        remaining -= end - period_start
                        at = period_start
            day, at = day - DAY, DAY
        raise ImproperlyConfigured(f"no working time within {MAX_DAYS} days before {start}: check the calendar")

    def _within(self, day: date, low: timedelta, high: timedelta) -> timedelta:
        if not self.is_working_day(day):
            return ZERO
        if low == ZERO and high == DAY:
            return self.day_total
        total = ZERO
        for period_start, period_end in self.periods:
            overlap = min(period_end, high) - max(period_start, low)
            if overlap > ZERO:
                total += overlap
        return total

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (``end`` not before ``start``)."""
        first_day, first_at = self.split(start)
        last_day, last_at = self.split(end)
        if first_day == last_day:
            return self._within(first_day, first_at, last_at)
        total = self._within(first_day, first_at, DAY) + self._within(last_day, ZERO, last_at)
        day = first_day + DAY
        while day < last_day:
            if self.is_working_day(day):
                total += self.day_total
            day += DAY
        return total


def sla_calendar() -> SlaCalendar:
    """A calendar to share between many calls (exceptions loaded once per year reached)."""
    return SlaCalendar()


def add_working_minutes(start: datetime, minutes: int, *, calendar: SlaCalendar | None = None) -> datetime:
    cal = calendar or SlaCalendar()
    if minutes < 0:
        return cal.backward(start, timedelta(minutes=-minutes))
    return cal.forward(start, timedelta(minutes=minutes))


def working_minutes_between(start: datetime, end: datetime, *, calendar: SlaCalendar | None = None) -> int:
    cal = calendar or SlaCalendar()
    if end < start:
        return -working_minutes_between(end, start, calendar=cal)
    return int(cal.working_time(start, end) // timedelta(minutes=1))


# --- the clocks of a request -------------------------------------------------------------------------------
def _minutes(hours: Decimal | float | int) -> int:
    return int(round(Decimal(str(hours)) * 60))


def _policy(request: Any) -> Any:
    from backend.service.models import SlaPolicy

    policies = {
        p.tier: p for p in SlaPolicy.objects.filter(priority=request.priority, tier__in=[request.customer.tier, ""])
    }
    return policies.get(request.customer.tier) or policies.get("")


def _started(request: Any, now: datetime) -> datetime:
    return request.created_at or now  # before the first save, the request is created now


def _deadlines(request: Any, now: datetime, cal: SlaCalendar) -> None:
    policy = request.sla_policy
    if policy is None:
        request.response_due_at = request.resolution_due_at = None
        request.response_warn_at = request.resolution_warn_at = None
        return
    start = _started(request, now)
    percent = int(settings.SERVICE_SLA_WARN_PERCENT)
    for clock, hours in (("response", policy.response_hours), ("resolution", policy.resolution_hours)):
        if (request.first_response_at if clock == "response" else request.resolved_at) is not None:
            continue  # a stopped clock keeps its deadline: later pauses do not move it
        target = _minutes(hours)
        due = add_working_minutes(start, target + request.paused_minutes, calendar=cal)
        warn = add_working_minutes(start, target * percent // 100 + request.paused_minutes, calendar=cal)
        setattr(request, f"{clock}_due_at", due)
        setattr(request, f"{clock}_warn_at", warn)


def sla_start(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    request.sla_policy = _policy(request)
    _deadlines(request, now, calendar or SlaCalendar())


def sla_pause(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    if request.paused_at is None:
        request.paused_at = now


def sla_resume(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    if request.paused_at is None:
        return
    cal = calendar or SlaCalendar()
    request.paused_minutes += max(working_minutes_between(request.paused_at, now, calendar=cal), 0)
    request.paused_at = None
    _deadlines(request, now, cal)


def _ran(request: Any, now: datetime, cal: SlaCalendar) -> tuple[datetime, int]:
    """Where the clocks stand (``paused_at`` while they stand still, else ``now``) and the working minutes
    they ran until then."""
    stop = request.paused_at or now
    ran = working_minutes_between(_started(request, now), stop, calendar=cal) - request.paused_minutes
    return stop, max(ran, 0)


def sla_first_response(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    if request.first_response_at is not None:
        return
    stop, ran = _ran(request, now, calendar or SlaCalendar())
    request.first_response_at = now
    request.response_minutes = ran
    request.response_breached = request.response_breached or bool(
        request.response_due_at and stop > request.response_due_at
    )


def sla_resolve(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    cal = calendar or SlaCalendar()
    sla_resume(request, now, calendar=cal)
    sla_first_response(request, now, calendar=cal)
    _stop, ran = _ran(request, now, cal)
    request.resolved_at = now
    request.resolution_minutes = ran
    request.resolution_breached = request.resolution_breached or bool(
        request.resolution_due_at and now > request.resolution_due_at
    )
    request.paused_at = now


def sla_reopen(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> None:
    request.resolved_at = None
    sla_resume(request, now, calendar=calendar)


@dataclass(frozen=True)
class ClockView:
    due_at: datetime | None
    left_minutes: int | None
    state: str  # met, breached, at_risk, running, paused, none


@dataclass(frozen=True)
class SlaView:
    response: ClockView
    resolution: ClockView


def _clock(request: Any, clock: str, now: datetime, cal: SlaCalendar) -> ClockView:
    due = getattr(request, f"{clock}_due_at")
    stopped = request.first_response_at if clock == "response" else request.resolved_at
    if due is None:
        return ClockView(None, None, "none")
    if stopped is not None:
        return ClockView(due, None, "breached" if getattr(request, f"{clock}_breached") else "met")
    if request.paused_at is not None:
        return ClockView(due, working_minutes_between(request.paused_at, due, calendar=cal), "paused")
    left = working_minutes_between(now, due, calendar=cal)
    if now >= due:  # as the escalation scan sees it (deadline <= now)
        return ClockView(due, min(left, 0), "breached")
    warn = getattr(request, f"{clock}_warn_at")
    return ClockView(due, left, "at_risk" if warn is not None and now >= warn else "running")


def sla_status(request: Any, now: datetime, *, calendar: SlaCalendar | None = None) -> SlaView:
    cal = calendar or SlaCalendar()
    return SlaView(response=_clock(request, "response", now, cal), resolution=_clock(request, "resolution", now, cal))
