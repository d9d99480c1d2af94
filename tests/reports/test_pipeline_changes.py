"""Pipeline changes in the week 6–12 July 2026, on deals whose every event is written out here."""

from __future__ import annotations

import pytest

from backend.projects.models import ProjectEvent
from tests.factories import DepartmentFactory, UserFactory
from tests.reports.conftest import at, make_deal, metric, table, walk
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db
WEEK = {"date_from": "2026-07-06", "date_to": "2026-07-12"}


@pytest.fixture
def week(db):
    owner = UserFactory(username="owner", first_name="明", last_name="王")
    department = DepartmentFactory(name="Sales")

    def deal(name, created, status, steps=(), **extra):
        project = make_deal(owner=owner, department=department, created=created, status=status, name=name, **extra)
        walk(project, list(steps))
        return project

    def change(project, field, old, new, day):
        ProjectEvent.objects.create(
            project=project,
            kind="change",
            field=field,
            old_value=old,
            new_value=new,
            source=project.status,
            target=project.status,
            actor=owner,
            created_at=at(day),
        )

    deal("A1", "2026-07-07", "tender")
    deal(
        "A2",
        "2026-06-01",
        "bidding",
        [("initiation_review", "2026-06-10"), ("pursuit", "2026-06-20"), ("bidding", "2026-07-08")],
    )
    deal("A3", "2026-05-01", "tender", [("initiation_review", "2026-07-01"), ("tender", "2026-07-09")])
    deal(
        "A4",
        "2026-03-01",
        "won",
        [("contract_review", "2026-06-30")],
        closed="2026-07-10",
        outcome="won",
        contract=2_000_000,
    )
    deal("A5", "2026-04-01", "lost", [("bidding", "2026-06-01")], closed="2026-07-11", outcome="lost")
    a6 = deal("A6", "2026-01-01", "pursuit", estimated=1_300_000)
    change(a6, "estimated_amount", "1000000.00", "1500000.00", "2026-07-07")
    change(a6, "estimated_amount", "1500000.00", "1300000.00", "2026-07-08")
    change(a6, "estimated_amount", "1300000.00", "9000000.00", "2026-07-20")  # after the week
    a7 = deal("A7", "2026-01-01", "pursuit")
    change(a7, "expected_close_date", "2026-07-31", "2026-09-30", "2026-07-09")
    a8 = deal("A8", "2026-01-01", "pursuit")
    change(a8, "expected_close_date", "2026-10-31", "2026-08-31", "2026-07-10")
    a9 = deal("A9", "2026-01-01", "pursuit")
    change(a9, "estimated_amount", "1000000.00", "1200000.00", "2026-07-07")
    change(a9, "estimated_amount", "1200000.00", "1000000.00", "2026-07-08")  # back where it was: no change
    a10 = deal("A10", "2026-01-01", "pursuit")
    change(a10, "probability", "30", "60", "2026-07-07")
    change(a10, "forecast_category", "", "commit", "2026-07-07")
    deal("A11", "2026-06-01", "pursuit", [("initiation_review", "2026-06-10"), ("pursuit", "2026-07-01")])
    return owner


def rows(body, key):
    return [(r["project"].split(" ", 1)[1], r["old"], r["new"]) for r in table(body, key).values()]


def test_changes_of_the_week(client_for, week, make_user):
    response = client_for(make_user("boss", "exec")).get("/api/v1/reports/pipeline-changes/", WEEK)
    body = response.json()
    assert {m["key"]: m["value"] for m in body["metrics"]} == {
        "added": 1,
        "forward": 1,
        "back": 1,
        "won": 1,
        "lost": 1,
        "amount": 1,
        "slipped": 1,
        "pulled_in": 1,
        "probability": 1,
        "category": 1,
    }
    assert rows(body, "added") == [("A1", "—", "Tender")]
    assert rows(body, "forward") == [("A2", "Pursuit", "Bidding")]
    assert rows(body, "back") == [("A3", "Initiation review", "Tender")]
    assert rows(body, "won") == [("A4", "Contract review", "Won")]
    assert rows(body, "lost") == [("A5", "Bidding", "Lost, abandoned or rejected")]
    assert rows(body, "amount") == [("A6", "1,000,000.00", "1,300,000.00")]
    assert "300,000.00" in next(t for t in body["tables"] if t["key"] == "amount")["note"]
    assert rows(body, "slipped") == [("A7", "2026-07-31", "2026-09-30")]
    assert rows(body, "pulled_in") == [("A8", "2026-10-31", "2026-08-31")]
    assert rows(body, "probability") == [("A10", "30%", "60%")]
    assert rows(body, "category") == [("A10", "stage default", "Commit")]
    assert metric(body, "won") == 1


def test_pipeline_change_links(client_for, week, make_user):
    assert assert_links_count_exactly(client_for, make_user("boss", "exec"), "pipeline-changes", **WEEK) == 10
