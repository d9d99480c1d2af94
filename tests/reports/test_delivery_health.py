"""Delivery health on 22 June 2026: three delivery projects whose milestones, acceptance and costs are written
out here."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from backend.milestones.models import Milestone
from backend.projects.models import BudgetLine, Expense, ProjectMember
from tests.factories import DepartmentFactory, UserFactory
from tests.reports.conftest import PERIOD, make_deal, metric, table, walk
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db
TODAY = "2026-06-22 12:00 +0800"


@pytest.fixture
def delivery(db):
    north, east = DepartmentFactory(name="华北 North"), DepartmentFactory(name="华东 East")
    owner = UserFactory(username="owner")
    pm_a = UserFactory(username="pm_a", first_name="强", last_name="陈")
    pm_b = UserFactory(username="pm_b", first_name="Bo", last_name="Zhou")
    engineer = UserFactory(username="eng")

    def project(name, department, status, contract, pms=(), budget=(), expenses=()):
        p = make_deal(
            owner=owner,
            department=department,
            created="2025-10-01",
            closed="2025-12-01",
            status=status,
            outcome="won",
            contract=contract,
            name=name,
        )
        for user in pms:
            ProjectMember.objects.create(project=p, user=user, role="pm")
        for amount in budget:
            BudgetLine.objects.create(project=p, category="hardware", planned_amount=amount)
        for amount in expenses:
            Expense.objects.create(
                project=p, category="hardware", amount=amount, spent_on=date(2026, 3, 1), author=owner
            )
        return p

    def milestone(p, name, planned_end, status, actual_end=None):
        Milestone.objects.filter(
            pk=Milestone.objects.create(
                project=p, name=name, planned_start=date(2025, 12, 1), planned_end=date.fromisoformat(planned_end)
            ).pk
        ).update(status=status, actual_end=date.fromisoformat(actual_end) if actual_end else None)

    p1 = project(
        "P1", north, "implementation", 2_000_000, pms=(pm_a,), budget=(700_000, 500_000), expenses=(1_500_000,)
    )
    p2 = project("P2", east, "warranty", 1_000_000, pms=(pm_b,), budget=(600_000,), expenses=(600_000, 500_000))
    ProjectMember.objects.create(project=p2, user=engineer, role="engineer")
    p3 = project("P3", north, "closed", 500_000)
    milestone(p1, "M1", "2026-02-28", "accepted", "2026-02-20")  # on time
    milestone(p1, "M2", "2026-03-31", "accepted", "2026-04-10")  # late
    milestone(p1, "M3", "2026-06-30", "in_progress")  # on track
    milestone(p1, "M4", "2026-08-31", "planned")  # due after the period
    milestone(p1, "M5", "2026-05-01", "cancelled")  # not counted
    milestone(p1, "M9", "2026-06-10", "in_progress")  # overdue
    milestone(p2, "M6", "2026-06-20", "accepted", "2026-06-20")  # on time
    milestone(p2, "M7", "2026-06-25", "submitted")  # on track
    milestone(p3, "M10", "2026-01-31", "accepted", "2026-02-05")  # late
    walk(
        p1,
        [
            ("implementation", "2026-01-05"),
            ("acceptance_review", "2026-03-01"),
            ("accepted", "2026-03-11"),
            ("implementation", "2026-03-12"),
        ],
    )
    walk(
        p2,
        [
            ("implementation", "2026-01-05"),
            ("acceptance_review", "2026-04-01"),
            ("implementation", "2026-04-05"),
            ("acceptance_review", "2026-04-20"),
            ("accepted", "2026-04-25"),
            ("warranty", "2026-04-26"),
        ],
    )
    walk(p3, [("acceptance_review", "2025-11-20"), ("accepted", "2025-12-01")])
    return {"north": north, "east": east, "pm_a": pm_a, "pm_b": pm_b}


def get(client_for, user, **params):
    with time_machine.travel(TODAY, tick=False):
        response = client_for(user).get("/api/v1/reports/delivery-health/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_milestones_by_department_and_pm(client_for, delivery, make_user):
    body = get(client_for, make_user("boss", "exec"))
    assert (metric(body, "milestones"), metric(body, "on_time_rate"), metric(body, "overdue")) == (7, 50.0, 1)
    departments = table(body, "by_department")
    fields = ("projects", "all", "on_time", "late", "overdue", "on_track", "on_time_rate")
    assert {k: tuple(v[f] for f in fields) for k, v in departments.items()} == {
        "华北 North": (2, 5, 1, 2, 1, 1, 33.3),
        "华东 East": (1, 2, 1, 0, 0, 1, 100.0),
    }
    pms = table(body, "by_pm")
    assert {k: tuple(v[f] for f in fields) for k, v in pms.items()} == {
        "陈强": (1, 4, 1, 1, 1, 1, 50.0),
        "Bo Zhou": (1, 2, 1, 0, 0, 1, 100.0),
        "No project manager": (1, 1, 0, 1, 0, 0, 0.0),
    }


def test_acceptance_cycle_and_margins(client_for, delivery, make_user):
    body = get(client_for, make_user("boss", "exec"))
    acceptance = next(t for t in body["tables"] if t["key"] == "acceptance")["rows"]
    # P1: requested 1 March, approved 11 March (10 days); P2: returned once, requested again 20 April, approved 25th
    assert [(r["accepted"], r["median"], r["p80"]) for r in acceptance] == [(2, 5.0, 10.0)]
    margin = table(body, "margin")
    fields = (
        "projects",
        "revenue",
        "budget",
        "actual",
        "planned_margin",
        "planned_rate",
        "actual_margin",
        "actual_rate",
    )
    assert {k: tuple(v[f] for f in fields) for k, v in margin.items()} == {
        "华北 North": (2, "2500000.00", "1200000.00", "1500000.00", "1300000.00", 52.0, "1000000.00", 40.0),
        "华东 East": (1, "1000000.00", "600000.00", "1100000.00", "400000.00", 40.0, "-100000.00", -10.0),
    }
    worst = next(t for t in body["tables"] if t["key"] == "lowest_margin")["rows"]
    assert [(r["project"].split(" ", 1)[1], r["actual_margin"]) for r in worst] == [
        ("P2", "-100000.00"),
        ("P1", "500000.00"),
    ]


def test_delivery_links(client_for, delivery, make_user):
    with time_machine.travel(TODAY, tick=False):
        assert assert_links_count_exactly(client_for, make_user("boss", "exec"), "delivery-health") >= 8
