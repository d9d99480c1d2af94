"""The team calendar: activities, my projects' milestones and my tenders' dates read from their own tables;
the department view for heads only; the API's range errors; constant query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.activities import services
from backend.activities.selectors import calendar_entries
from backend.milestones.models import Milestone
from backend.tenders.models import Tender
from tests.activities.conftest import at
from tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def december(team):
    alice, bob = team["alice"], team["bob"]
    services.activity_create(
        actor=alice,
        subject="拜访上海银行",
        kind="visit",
        starts_at=at(2026, 12, 2, 14),
        ends_at=at(2026, 12, 2, 15),
        customer=team["customer"],
    )
    Milestone.objects.create(
        project=team["project"],
        name="到货验收",
        order=1,
        planned_start=date(2026, 12, 1),
        planned_end=date(2026, 12, 10),
    )
    tender = Tender.objects.create(
        number="ZB-2026-001",
        title="核心网络改造",
        buyer="上海银行",
        owner=alice,
        registration_deadline=at(2026, 12, 3, 17),
        bid_deadline=at(2026, 12, 15, 9, 30),
        opening_date=at(2026, 12, 15, 10),
    )
    Tender.objects.create(
        number="ZB-2026-002", title="别人的标", buyer="某局", owner=bob, bid_deadline=at(2026, 12, 9, 9)
    )
    bobs = ProjectFactory(owner=bob, customer=CustomerFactory(owner=bob), code="P-2026-0300")
    Milestone.objects.create(
        project=bobs, name="Bob的里程碑", order=1, planned_start=date(2026, 12, 1), planned_end=date(2026, 12, 11)
    )
    services.activity_create(actor=bob, subject="Bob的电话", kind="call", starts_at=at(2026, 12, 4, 9))
    return {**team, "tender": tender}


def test_my_calendar_merges_activities_milestones_and_tender_dates(december):
    entries = calendar_entries(user=december["alice"], start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert [(e.type, e.title, e.start) for e in entries] == [
        ("activity", "拜访上海银行", at(2026, 12, 2, 14)),
        ("tender_registration", "ZB-2026-001 核心网络改造", at(2026, 12, 3, 17)),
        ("milestone", "P-2026-0100 到货验收", at(2026, 12, 10, 0)),
        ("tender_bid", "ZB-2026-001 核心网络改造", at(2026, 12, 15, 9, 30)),
        ("tender_opening", "ZB-2026-001 核心网络改造", at(2026, 12, 15, 10)),
    ]


def test_tender_dates_follow_the_tender(december):
    """Read from the tender, not copied: moving the opening moves the entry."""
    Tender.objects.filter(pk=december["tender"].pk).update(opening_date=at(2026, 12, 16, 10))
    entries = calendar_entries(user=december["alice"], start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert [e.start for e in entries if e.type == "tender_opening"] == [at(2026, 12, 16, 10)]


def test_department_view_for_the_head(december, client_for):
    head = december["head"]
    response = client_for(head).get("/api/v1/calendar/?start=2026-12-01&end=2026-12-31&view=department")
    assert response.status_code == 200
    assert [(e["type"], e["title"]) for e in response.json()] == [
        ("activity", "拜访上海银行"),
        ("milestone", "P-2026-0100 到货验收"),
    ]
    refused = client_for(december["alice"]).get("/api/v1/calendar/?start=2026-12-01&end=2026-12-31&view=department")
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_a_head"


def test_department_page_only_for_a_head(december, client):
    client.force_login(december["head"])
    html = client.get("/activities/?view=month&date=2026-12-01&scope=department").content.decode()
    assert "拜访上海银行" in html and "到货验收" in html and "Bob的电话" not in html
    client.force_login(december["alice"])
    html = client.get("/activities/?view=month&date=2026-12-01&scope=department").content.decode()
    assert 'id="department-view"' not in html
    assert "核心网络改造" in html  # her own calendar instead


@pytest.mark.parametrize("view", ["month", "week", "agenda"])
def test_calendar_pages_render(december, client, view):
    client.force_login(december["alice"])
    response = client.get(f"/activities/?view={view}&date=2026-12-02")
    assert response.status_code == 200
    html = response.content.decode()
    assert "拜访上海银行" in html
    assert "Bob的电话" not in html and "Bob的里程碑" not in html and "别人的标" not in html


def test_calendar_api_without_a_range_is_this_month(team, client_for, settings):
    from django.utils import timezone

    today = timezone.localdate()
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    services.activity_create(actor=team["alice"], subject="本月例会", starts_at=at(today.year, today.month, 1))
    services.activity_create(
        actor=team["alice"], subject="下月例会", starts_at=at(first_of_next.year, first_of_next.month, 1)
    )
    response = client_for(team["alice"]).get("/api/v1/calendar/")
    assert response.status_code == 200
    assert [e["title"] for e in response.json() if e["type"] == "activity"] == ["本月例会"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?start=2026-12-01", "range_missing"),
        ("?end=2026-12-31", "range_missing"),
        ("?start=2026-13-01&end=2026-12-31", "range_invalid"),
        ("?start=2026-12-31&end=2026-12-01", "range_invalid"),
        ("?start=2026-01-01&end=2026-12-31", "range_too_wide"),
        ("?start=9999-12-30&end=9999-12-31", "range_invalid"),
    ],
)
def test_calendar_api_range_errors(team, client_for, query, code):
    response = client_for(team["alice"]).get(f"/api/v1/calendar/{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def _fill(team, rows: int, batch: int) -> None:
    alice = team["alice"]
    for n in range(rows):
        project = ProjectFactory(owner=alice, customer=team["customer"])
        services.activity_create(
            actor=alice, subject=f"活动{n}", starts_at=at(2026, 12, 1 + n % 28, 9), project=project
        )
        Milestone.objects.create(
            project=project,
            name=f"里程碑{n}",
            order=1,
            planned_start=date(2026, 12, 1),
            planned_end=date(2026, 12, 1 + n % 28),
        )
        Tender.objects.create(
            number=f"ZB-{batch}-{n}", title="标", buyer="甲", owner=alice, bid_deadline=at(2026, 12, 1 + n % 28, 9)
        )


def test_calendar_and_activity_list_query_counts_do_not_grow(team, client_for, count_queries):
    client = client_for(team["alice"])
    counts = []
    for batch, rows in enumerate((5, 45)):
        _fill(team, rows, batch)
        calendar = count_queries(lambda: client.get("/api/v1/calendar/?start=2026-12-01&end=2026-12-31"))
        listing = count_queries(lambda: client.get("/api/v1/activities/"))
        counts.append((calendar, listing))
    assert counts[0] == counts[1]
