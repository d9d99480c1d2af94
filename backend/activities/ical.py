"""The per-user iCalendar feed (RFC 5545, written with the ``icalendar`` package): the same entries as the
user's own calendar page — activities they own or attend, their projects' milestones, their tenders'
registration and bid deadlines and bid openings — from 90 days back to a year ahead.

Times are written in the user's time zone with its TZID and a VTIMEZONE (sicrm keeps one time zone for the
whole site, ``settings.TIME_ZONE``; users have none of their own), all-day entries as DATE values. Each
entry's UID is its object reference (``activity:12@sicrm``), stable across downloads, so a subscribed
calendar updates an event instead of adding a copy."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from backend.accounts.models import User
from backend.activities.selectors import Entry, calendar_entries

PAST_DAYS = 90
FUTURE_DAYS = 366


def user_time_zone(user: User) -> ZoneInfo:
    """The zone the user's calendar is written in: the site's (no per-user zone is stored)."""
    return ZoneInfo(settings.TIME_ZONE)


def _prefix(entry: Entry) -> str:
    labels = {
        "milestone": _("Milestone"),
        "tender_registration": _("Registration deadline"),
        "tender_bid": _("Bid deadline"),
        "tender_opening": _("Bid opening"),
    }
    return labels.get(entry.type, "")


def _event(entry: Entry, zone: ZoneInfo, stamp: datetime, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"{entry.ref}@sicrm")
    event.add("dtstamp", stamp)
    prefix = _prefix(entry)
    event.add("summary", f"{prefix}: {entry.title}" if prefix else entry.title)
    start = entry.start.astimezone(zone)
    if entry.all_day:
        event.add("dtstart", start.date())
        end = (entry.end or entry.start + timedelta(days=1)).astimezone(zone).date()
        event.add("dtend", end if end > start.date() else start.date() + timedelta(days=1))
    else:
        event.add("dtstart", start)
        event.add("dtend", (entry.end or entry.start).astimezone(zone))
    if entry.status == "done":
        event.add("status", "CONFIRMED")
    if base_url and entry.url:
        event.add("url", base_url.rstrip("/") + entry.url)
    event.add("categories", [entry.type])
    return event


def feed_calendar(*, user: User, now: datetime | None = None) -> Calendar:
    now = now or timezone.now()
    zone = user_time_zone(user)
    today = timezone.localdate(now, zone)
    with override(user.language or "zh-hans"):  # 简体中文 unless the user chose otherwise
        entries = calendar_entries(
            user=user, start=today - timedelta(days=PAST_DAYS), end=today + timedelta(days=FUTURE_DAYS)
        )
        cal = Calendar()
        cal.add("prodid", "-//sicrm//activities//ZH")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", _("sicrm calendar of %(name)s") % {"name": user})
        cal.add("x-wr-timezone", str(zone))
        base_url = getattr(settings, "SICRM_BASE_URL", "")
        for entry in entries:
            cal.add_component(_event(entry, zone, now, base_url))
    cal.add_missing_timezones()
    return cal


def feed_bytes(*, user: User) -> bytes:
    return feed_calendar(user=user).to_ical()
