"""Forecast against targets, accuracy and adjustments, on a hand-built pipeline seen on 15 July 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from backend.projects import services as project_services
from backend.projects.models import ProjectEvent
from reports import services
from reports.models import ForecastSnapshot, SalesTarget
from tests.reports.conftest import at, make_deal, metric, table
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db
TODAY = "2026-07-15 12:00 +0800"


@pytest.fixture
def pipeline(world):
    w = world
    open_deal = dict(created="2026-03-01")
    deals = {
        "O1": make_deal(
            owner=w.alice,
            department=w.north,
            status="contract_review",
            estimated=1_000_000,
            probability=90,
            expected_close_date=date(2026, 7, 20),
            **open_deal,
        ),
        "O2": make_deal(
            owner=w.alice,
            department=w.north,
            status="bidding",
            estimated=2_000_000,
            probability=50,
            expected_close_date=date(2026, 8, 10),
            forecast_category="commit",
            **open_deal,
        ),
        "O3": make_deal(
            owner=w.bob,
            department=w.east,
            status="pursuit",
            estimated=3_000_000,
            probability=30,
            expected_close_date=date(2026, 8, 25),
            **open_deal,
        ),
        "O4": make_deal(
            owner=w.bob,
            department=w.east,
            status="negotiation",
            estimated=4_000_000,
            probability=70,
            expected_close_date=date(2026, 9, 5),
            **open_deal,
        ),
        "O5": make_deal(
            owner=w.alice,
            department=w.north,
            status="tender",
            estimated=5_000_000,
            probability=10,
            expected_close_date=date(2026, 7, 30),
            forecast_category="omitted",
            **open_deal,
        ),
        "O6": make_deal(
            owner=w.bob, department=w.east, status="bidding", estimated=600_000, probability=50, **open_deal
        ),
        "O7": make_deal(
            owner=w.alice,
            department=w.north,
            status="pursuit",
            estimated=700_000,
            probability=40,
            expected_close_date=date(2026, 11, 15),
            **open_deal,
        ),
        "W1": make_deal(
            owner=w.alice,
            department=w.north,
            created="2026-05-01",
            closed="2026-07-05",
            status="implementation",
            estimated=1_400_000,
            contract=1_500_000,
            outcome="won",
        ),
        "W2": make_deal(
            owner=w.bob,
            department=w.east,
            created="2026-02-01",
            closed="2026-04-10",
            status="won",
            estimated=800_000,
            contract=800_000,
            outcome="won",
        ),
        "W3": make_deal(
            owner=w.alice,
            department=w.north,
            created="2026-02-01",
            closed="2026-05-20",
            status="won",
            estimated=2_000_000,
            contract=2_000_000,
            outcome="won",
        ),
    }
    # the world's D7 is an open deal of alice's too (bidding, 4M, no close date): it counts as a deal with no date
    targets = [
        dict(department=w.sales, period="quarter", period_start=date(2026, 7, 1), amount=12_000_000),
        dict(department=w.north, period="quarter", period_start=date(2026, 7, 1), amount=6_000_000),
        dict(department=w.north, period="month", period_start=date(2026, 7, 1), amount=2_500_000),
        dict(user=w.bob, period="quarter", period_start=date(2026, 7, 1), amount=3_000_000),
    ]
    for target in targets:
        SalesTarget.objects.create(set_by=w.director, **target)
    snapshots = [  # the first snapshot of Q2 (6 April), a later one (ignored) and the first of Q3 (6 July)
        ("2026-04-06", "W2", "commit", 800_000, "2026-04-30"),
        ("2026-04-06", "W3", "best_case", 2_000_000, "2026-05-31"),
        ("2026-04-06", "O3", "commit", 1_200_000, "2026-06-15"),
        ("2026-04-13", "O3", "commit", 9_000_000, "2026-06-15"),
        ("2026-07-06", "O1", "commit", 1_000_000, "2026-07-20"),
        ("2026-07-06", "O2", "commit", 2_000_000, "2026-08-10"),
    ]
    for day, deal, category, amount, close in snapshots:
        ForecastSnapshot.objects.create(
            taken_on=date.fromisoformat(day),
            project=deals[deal],
            status="bidding",
            category=category,
            amount=amount,
            probability=50,
            expected_close_date=date.fromisoformat(close),
        )
    # the director moved O3 to pipeline (an adjustment); alice set O2 herself (not an adjustment)
    ProjectEvent.objects.create(
        project=deals["O3"],
        kind="change",
        field="forecast_category",
        old_value="",
        new_value="pipeline",
        actor=w.director,
        created_at=at("2026-07-10"),
    )
    ProjectEvent.objects.create(
        project=deals["O2"],
        kind="change",
        field="forecast_category",
        old_value="",
        new_value="commit",
        actor=w.alice,
        created_at=at("2026-07-11"),
    )
    return deals


def get(client_for, user, **params):
    with time_machine.travel(TODAY, tick=False):
        response = client_for(user).get("/api/v1/reports/forecast/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_forecast_by_month_against_the_company_target(client_for, world, pipeline):
    body = get(client_for, world.exec)
    assert body["filters"]["date_from"] == "2026-07-01" and body["filters"]["date_to"] == "2026-12-31"
    months = table(body, "by_month")
    assert {
        k: (v["deals"], v["commit"], v["best_case"], v["pipeline"], v["weighted"], v["won"], v["target"])
        for k, v in months.items()
    } == {
        "2026-07": (1, "1000000.00", "1000000.00", "1000000.00", "900000.00", "1500000.00", "4000000.00"),
        "2026-08": (2, "2000000.00", "2000000.00", "5000000.00", "1900000.00", "0.00", "4000000.00"),
        "2026-09": (1, "0.00", "4000000.00", "4000000.00", "2800000.00", "0.00", "4000000.00"),
        "2026-10": (0, "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"),
        "2026-11": (1, "0.00", "0.00", "700000.00", "280000.00", "0.00", "0.00"),
        "2026-12": (0, "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"),
    }
    assert metric(body, "target") == "12000000.00"  # the sales centre's target covers north's
    assert metric(body, "won") == "1500000.00"
    assert metric(body, "commit") == "3000000.00"
    assert metric(body, "best_case") == "7000000.00"
    assert metric(body, "weighted") == "5880000.00"
    assert metric(body, "attainment") == 37.5
    assert metric(body, "no_close_date") == 2  # O6 and the world's D7
    quarters = table(body, "by_quarter")
    assert quarters["2026-Q3"]["target"] == "12000000.00" and quarters["2026-Q4"]["pipeline"] == "700000.00"


def test_targets_follow_the_filter(client_for, world, pipeline):
    north = table(get(client_for, world.exec, department=world.north.pk), "by_month")
    assert [north[m]["target"] for m in ("2026-07", "2026-08", "2026-09")] == ["2500000.00", "2000000.00", "2000000.00"]
    east = table(get(client_for, world.exec, department=world.east.pk), "by_month")  # no department target: bob's
    assert [east[m]["target"] for m in ("2026-07", "2026-08", "2026-09")] == ["1000000.00"] * 3
    assert metric(get(client_for, world.exec, owner=world.alice.pk), "target") == "0.00"
    # a department head sees his department's forecast against its target
    head = get(client_for, world.north_head)
    assert metric(head, "target") == "6500000.00" and metric(head, "commit") == "3000000.00"


def test_forecast_accuracy_from_the_first_snapshot_of_each_quarter(client_for, world, pipeline):
    accuracy = table(get(client_for, world.exec), "accuracy")
    assert list(accuracy) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    q2, q3 = accuracy["2026-Q2"], accuracy["2026-Q3"]
    assert (q2["snapshot"], q2["committed_deals"], q2["committed"], q2["committed_won"], q2["best_case"]) == (
        "2026-04-06",
        2,
        "2000000.00",
        1,
        "4000000.00",
    )
    # won in Q2: W2 0.8M, W3 2M and the world's D3 5.5M
    assert (q2["won_deals"], q2["won"], q2["accuracy"]) == (3, "8300000.00", 415.0)
    assert (q3["committed"], q3["committed_won"], q3["won"], q3["accuracy"]) == ("3000000.00", 0, "1500000.00", 50.0)
    assert accuracy["2026-Q1"]["snapshot"] is None and accuracy["2026-Q1"]["accuracy"] is None


def test_manager_adjustments_are_listed(client_for, world, pipeline):
    rows = next(t for t in get(client_for, world.exec)["tables"] if t["key"] == "adjustments")["rows"]
    assert [(r["by"], r["from"], r["to"]) for r in rows] == [(str(world.director), "stage default", "Pipeline")]


def test_forecast_links(client_for, world, pipeline):
    with time_machine.travel(TODAY, tick=False):
        assert assert_links_count_exactly(client_for, world.exec, "forecast", date_from="", date_to="") >= 10


def test_snapshot_takes_every_open_deal_once(world, pipeline):
    with time_machine.travel(TODAY, tick=False):
        written = services.forecast_snapshot_take()
        assert services.forecast_snapshot_take() == 0
    rows = {s.project.name: (s.category, s.amount) for s in ForecastSnapshot.objects.filter(taken_on=date(2026, 7, 15))}
    assert written == 8  # O1–O7 and the world's D7
    assert rows[pipeline["O1"].name] == ("commit", Decimal("1000000.00"))
    assert rows[pipeline["O3"].name] == ("pipeline", Decimal("3000000.00"))
    assert rows[pipeline["O5"].name] == ("omitted", Decimal("5000000.00"))


def test_owner_sets_and_manager_adjusts_the_category(client_for, world, pipeline):
    o3 = pipeline["O3"]
    response = client_for(world.alice).post(f"/api/v1/projects/{o3.pk}/forecast/", {"forecast_category": "commit"})
    assert response.status_code == 404  # alice cannot see bob's deal
    response = client_for(world.east_head).post(
        f"/api/v1/projects/{o3.pk}/forecast/", {"forecast_category": "commit", "comment": "客户已确认预算"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["forecast_category"] == "commit"
    event = ProjectEvent.objects.get(project=o3, field="forecast_category", actor=world.east_head)
    assert (event.actor, event.old_value, event.new_value, event.comment) == (
        world.east_head,
        "",
        "commit",
        "客户已确认预算",
    )
    response = client_for(world.east_head).post(f"/api/v1/projects/{o3.pk}/forecast/", {"forecast_category": "maybe"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    won = pipeline["W2"]
    response = client_for(world.director).post(f"/api/v1/projects/{won.pk}/forecast/", {"forecast_category": "commit"})
    assert response.status_code == 409


def test_amount_and_close_date_changes_are_recorded(world, pipeline):
    o1 = pipeline["O1"]
    project_services.project_update(
        actor=world.alice,
        project=o1,
        data={"estimated_amount": Decimal("1200000"), "expected_close_date": date(2026, 8, 3)},
    )
    changes = {e.field: (e.old_value, e.new_value) for e in ProjectEvent.objects.filter(project=o1, kind="change")}
    assert changes == {
        "estimated_amount": ("1000000.00", "1200000"),
        "expected_close_date": ("2026-07-20", "2026-08-03"),
    }


def test_owner_sets_the_category_on_the_project_page(client, world, pipeline):
    o4 = pipeline["O4"]  # bob's, in negotiation: best case by default
    client.force_login(world.bob)
    html = client.get(f"/projects/{o4.pk}/").content.decode()
    assert 'id="forecast-select"' in html
    response = client.post(f"/projects/{o4.pk}/forecast/", {"forecast_category": "commit"})
    assert response.status_code == 302
    o4.refresh_from_db()
    assert o4.forecast_category == "commit"
    client.force_login(world.alice)  # cannot see bob's deal
    assert client.post(f"/projects/{o4.pk}/forecast/", {"forecast_category": ""}).status_code == 404
