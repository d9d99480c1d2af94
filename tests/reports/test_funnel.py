"""The funnel against five hand-built deal paths (every entry, stay and standard written out)."""

from __future__ import annotations

import pytest

from backend.projects.models import ProjectEvent
from tests.factories import DepartmentFactory, UserFactory
from tests.reports.conftest import PERIOD, make_deal, metric, table, walk
from tests.reports.test_win_loss import assert_links_count_exactly
from workflows.models import ProcessTemplate, StageTemplate

pytestmark = pytest.mark.django_db
STANDARD = {"tender": 10, "initiation_review": 5, "pursuit": 20, "bidding": 15, "negotiation": 10, "contract_review": 5}


@pytest.fixture
def paths(db):
    owner = UserFactory(username="owner")
    department = DepartmentFactory(name="Sales")
    template = ProcessTemplate.objects.create(code="t", name="T")
    for order, (stage, days) in enumerate(STANDARD.items()):
        StageTemplate.objects.create(template=template, stage=stage, order=order, standard_days=days)

    def deal(name, created, status, steps):
        project = make_deal(
            owner=owner, department=department, created=created, status=status, name=name, process_template=template
        )
        walk(project, steps)
        return project

    deals = {
        "F1": deal(
            "F1",
            "2026-01-05",
            "won",
            [
                ("initiation_review", "2026-01-10"),
                ("pursuit", "2026-01-20"),
                ("bidding", "2026-02-20"),
                ("negotiation", "2026-03-01"),
                ("contract_review", "2026-03-05"),
                ("won", "2026-03-10"),
            ],
        ),
        "F2": deal(
            "F2",
            "2026-02-01",
            "lost",
            [
                ("initiation_review", "2026-02-15"),
                ("pursuit", "2026-02-18"),
                ("bidding", "2026-03-30"),
                ("lost", "2026-04-10"),
            ],
        ),
        "F3": deal(
            "F3",
            "2026-03-01",
            "rejected",
            [
                ("initiation_review", "2026-03-04"),
                ("tender", "2026-03-06"),
                ("initiation_review", "2026-03-08"),
                ("rejected", "2026-03-10"),
            ],
        ),
        "F4": deal("F4", "2025-12-20", "pursuit", [("initiation_review", "2026-01-02"), ("pursuit", "2026-01-04")]),
        "F5": deal("F5", "2026-05-01", "tender", []),
    }
    # a decision on a review step that did not end the review leaves the state as it was: not a stage change
    ProjectEvent.objects.create(
        project=deals["F4"],
        kind="decision",
        source="pursuit",
        target="pursuit",
        actor=owner,
        created_at=deals["F4"].created_at.replace(year=2026, month=2),
    )
    return owner


def get(client_for, user, **params):
    response = client_for(user).get("/api/v1/reports/funnel/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_deals_per_state_now(client_for, paths, make_user):
    body = get(client_for, make_user("boss", "exec"))
    now = table(body, "now")
    assert {k: (v["deals"], v["amount"]) for k, v in now.items()} == {
        "Tender": (1, "1000000.00"),
        "Pursuit": (1, "1000000.00"),
        "Won": (1, "1000000.00"),
        "Lost": (1, "1000000.00"),
        "Rejected": (1, "1000000.00"),
    }
    assert metric(body, "open_deals") == 2


def test_stage_to_stage_conversion(client_for, paths, make_user):
    conversion = table(get(client_for, make_user("boss", "exec")), "conversion")
    assert {k: (v["entered"], v["reached"], v["won"]) for k, v in conversion.items()} == {
        "Tender": (4, 3, 1),  # F1, F2, F3, F5 registered (F4 before the period); F5 never went on
        "Initiation review": (4, 3, 1),  # F1, F2, F3, F4; F3 was rejected
        "Pursuit": (3, 2, 1),  # F1, F2, F4
        "Bidding": (2, 1, 1),  # F1 awarded, F2 lost
        "Negotiation": (1, 1, 1),
        "Contract review": (1, 1, 1),
    }
    assert conversion["Tender"]["reached_share"] == 75.0 and conversion["Tender"]["won_share"] == 25.0


def test_time_in_stage_against_the_standard(client_for, paths, make_user):
    stays = table(get(client_for, make_user("boss", "exec")), "time_in_stage")
    assert {k: (v["stays"], v["median"], v["p80"], v["standard"], v["over"]) for k, v in stays.items()} == {
        "Tender": (4, 3.0, 14.0, "10", 1),  # stays of 5, 14, 3 and 2 days (F3 was returned once)
        "Initiation review": (5, 2.0, 3.0, "5", 1),  # 10, 3, 2, 2, 2
        "Pursuit": (2, 31.0, 40.0, "20", 2),  # F4 is still in pursuit
        "Bidding": (2, 9.0, 11.0, "15", 0),
        "Negotiation": (1, 4.0, 4.0, "10", 0),
        "Contract review": (1, 5.0, 5.0, "5", 0),
    }


def test_funnel_links(client_for, paths, make_user):
    assert assert_links_count_exactly(client_for, make_user("boss", "exec"), "funnel") > 20


def test_period_boundaries_are_local_days(client_for, make_user):
    """A deal registered half an hour into 1 January (local time, still 31 December in UTC) enters the funnel of
    January, not of December."""
    owner = UserFactory(username="night_owl")
    project = make_deal(owner=owner, department=DepartmentFactory(), created="2026-01-01", status="tender", name="N")
    from backend.projects.models import ProjectEvent
    from tests.reports.conftest import at

    ProjectEvent.objects.filter(project=project).update(created_at=at("2026-01-01").replace(hour=0, minute=30))
    boss = make_user("boss", "exec")
    january = table(get(client_for, boss, date_from="2026-01-01", date_to="2026-01-31"), "conversion")
    december = table(get(client_for, boss, date_from="2025-12-01", date_to="2025-12-31"), "conversion")
    assert january["Tender"]["entered"] == 1 and "Tender" not in december
