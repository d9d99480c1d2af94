"""The per-user iCalendar feed: no login, parses with icalendar, the right events at the right times in the
user's time zone (Asia/Shanghai), UIDs stable, and a revoked or replaced token answers 404."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from backend.activities import services
from backend.activities.models import CalendarFeed
from backend.milestones.models import Milestone
from backend.tenders.models import Tender
from tests.activities.conftest import TZ, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(team):
    alice = team["alice"]
    services.activity_create(
        actor=alice,
        subject="拜访上海银行",
        kind="visit",
        starts_at=at(2026, 12, 2, 14),
        ends_at=at(2026, 12, 2, 15, 30),
        customer=team["customer"],
    )
    services.activity_create(actor=alice, subject="全天培训", starts_at=at(2026, 12, 5), all_day=True)
    Milestone.objects.create(
        project=team["project"],
        name="到货验收",
        order=1,
        planned_start=date(2026, 12, 1),
        planned_end=date(2026, 12, 10),
    )
    Tender.objects.create(
        number="ZB-9", title="核心网络改造", buyer="上海银行", owner=alice, opening_date=at(2026, 12, 15, 10)
    )
    services.activity_create(actor=team["bob"], subject="Bob的电话", starts_at=at(2026, 12, 2, 9))
    return services.calendar_feed_regenerate(user=alice)


def events(client, token: str) -> dict[str, object]:
    with time_machine.travel(at(2026, 11, 30, 12), tick=False):
        response = client.get(f"/activities/ical/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}, cal


def test_feed_parses_and_holds_the_right_events_in_shanghai_time(feed, client):
    found, cal = events(client, feed.token)
    assert set(found) == {"拜访上海银行", "全天培训", "里程碑: P-2026-0100 到货验收", "开标: ZB-9 核心网络改造"}
    visit = found["拜访上海银行"]
    start = visit.decoded("DTSTART")
    assert start == datetime(2026, 12, 2, 14, 0, tzinfo=TZ)
    assert start.tzinfo.key == "Asia/Shanghai"
    assert visit["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert visit.decoded("DTEND") == datetime(2026, 12, 2, 15, 30, tzinfo=TZ)
    assert found["全天培训"].decoded("DTSTART") == date(2026, 12, 5)
    assert found["全天培训"].decoded("DTEND") == date(2026, 12, 6)
    assert found["里程碑: P-2026-0100 到货验收"].decoded("DTSTART") == date(2026, 12, 10)
    assert found["开标: ZB-9 核心网络改造"].decoded("DTSTART") == datetime(
        2026, 12, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_uids_are_stable_across_downloads(feed, client):
    first, _ = events(client, feed.token)
    second, _ = events(client, feed.token)
    assert {k: str(v["UID"]) for k, v in first.items()} == {k: str(v["UID"]) for k, v in second.items()}
    assert len({str(v["UID"]) for v in first.values()}) == 4


def test_revoked_or_replaced_token_is_a_404(feed, client, team):
    old = feed.token
    fresh = services.calendar_feed_regenerate(user=team["alice"])
    assert client.get(f"/activities/ical/{old}.ics").status_code == 404
    assert client.get(f"/activities/ical/{fresh.token}.ics").status_code == 200
    services.calendar_feed_revoke(user=team["alice"])
    assert client.get(f"/activities/ical/{fresh.token}.ics").status_code == 404
    assert client.get("/activities/ical/not-a-token.ics").status_code == 404


def test_feed_page_shows_regenerates_and_revokes(team, client):
    client.force_login(team["alice"])
    assert 'id="feed-none"' in client.get("/activities/feed/").content.decode()
    client.post("/activities/feed/", {"action": "regenerate"})
    token = CalendarFeed.objects.get(user=team["alice"]).token
    assert len(token) >= 40
    assert f"/activities/ical/{token}.ics" in client.get("/activities/feed/").content.decode()
    client.post("/activities/feed/", {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=team["alice"]).exists()
