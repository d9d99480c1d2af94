"""Working-day arithmetic: Monday to Friday, less public holidays, plus worked weekend days
(``CalendarDay``). Used for milestone dates computed from a kickoff date."""

from __future__ import annotations

from datetime import date, timedelta


def _exceptions(start: date, end: date) -> tuple[set[date], set[date]]:
    from backend.core.models import CalendarDay

    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    return holidays, workdays


class WorkingCalendar:
    """Loads the exceptions for a window once, then answers any number of questions about it."""

    def __init__(self, start: date, years: int = 3):
        self.start = start - timedelta(days=30)
        self.end = start + timedelta(days=366 * years)
        self.holidays, self.workdays = _exceptions(self.start, self.end)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def first_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, working_days: int) -> date:
        """The working day ``working_days`` after ``day`` (``day`` itself rolled forward if it is off)."""
        day = self.first_working_day(day)
        remaining = working_days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days from ``start`` (exclusive) to ``end`` (inclusive); negative when end < start."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
