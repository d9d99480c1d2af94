"""Employee KPIs over the hand-built history, with milestones, deliverables, interactions and soft scores added;
every composite score is worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from backend.milestones.models import Deliverable, Milestone
from reports.models import KpiDimension, KpiScore
from tests.factories import InteractionFactory
from tests.reports.conftest import PERIOD, at, table
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world):
    w = world
    d1, d3 = w.deals["D1"], w.deals["D3"]

    def milestone(project, owner, planned, actual):
        m = Milestone.objects.create(
            project=project,
            name="M",
            owner=owner,
            planned_start=date(2026, 1, 1),
            planned_end=date.fromisoformat(planned),
        )
        Milestone.objects.filter(pk=m.pk).update(status="accepted", actual_end=date.fromisoformat(actual))
        return m

    milestone(d1, w.alice, "2026-03-10", "2026-03-01")  # on time
    milestone(d1, w.alice, "2026-04-20", "2026-05-01")  # late
    m3 = milestone(d3, None, "2026-02-10", "2026-02-10")
    Deliverable.objects.create(
        milestone=m3, doc_type="other", title="方案", status="approved", created_by=w.bob, reviewed_at=at("2026-02-01")
    )
    for day in ("2026-01-10", "2026-03-10", "2026-06-10", "2025-12-10"):  # the last one is before the period
        InteractionFactory(author=w.alice, customer=d1.customer, occurred_at=at(day))
    InteractionFactory(author=w.bob, customer=d3.customer, occurred_at=at("2026-02-02"))
    innovation = KpiDimension.objects.get(code="innovation")
    collaboration = KpiDimension.objects.get(code="collaboration")

    def score(person, dimension, quarter, value, by, when):
        s = KpiScore.objects.create(
            user=person, dimension=dimension, period_start=date.fromisoformat(quarter), score=value, scored_by=by
        )
        KpiScore.objects.filter(pk=s.pk).update(scored_at=timezone.make_aware(when))

    from datetime import datetime

    score(w.alice, innovation, "2026-01-01", 80, w.north_head, datetime(2026, 3, 1))
    score(w.alice, innovation, "2026-01-01", 90, w.north_head, datetime(2026, 3, 5))  # replaces the 80
    score(w.alice, innovation, "2026-04-01", 70, w.north_head, datetime(2026, 6, 1))
    score(w.alice, collaboration, "2026-01-01", 60, w.north_head, datetime(2026, 3, 1))
    score(w.bob, innovation, "2026-04-01", 50, w.east_head, datetime(2026, 6, 1))
    return world


def get(client_for, user, **params):
    response = client_for(user).get("/api/v1/reports/kpis/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_kpis_per_person_and_composite(client_for, activity):
    w = activity
    people = table(get(client_for, w.exec), "people")
    alice, bob = people["Alice Wang"], people["Bob Li"]
    assert (alice["won_amount"], alice["won_deals"], alice["closed_deals"], alice["win_rate"]) == (
        "2100000.00",
        1,
        3,
        33.3,
    )
    assert (alice["active_projects"], alice["accepted_milestones"], alice["on_time_milestones"]) == (2, 2, 50.0)
    assert (alice["approved_deliverables"], alice["interactions"]) == (0, 3)
    assert (alice["soft_innovation"], alice["soft_collaboration"]) == (80.0, 60.0)  # (90 + 70) / 2; 60
    # won amount 2.1M of the best 5.5M = 38.18; win rate 33.33; on time 50; deliverables 0; interactions 3 of
    # the best 3 = 100; innovation 80; collaboration 60 → (30×38.18 + 15×33.33 + 15×50 + 0 + 1000 + 800 + 600) / 100
    assert alice["composite"] == 48.0
    assert (bob["won_amount"], bob["win_rate"], bob["active_projects"], bob["approved_deliverables"]) == (
        "5500000.00",
        50.0,
        0,
        1,
    )
    # (30×100 + 15×50 + 10×100 + 10×33.33 + 10×50) / 75: no milestones and no collaboration score
    assert bob["composite"] == 74.4
    assert list(people)[:2] == ["Bob Li", "Alice Wang"]  # best first


def test_who_sees_whose_kpis(client_for, activity):
    w = activity
    assert set(table(get(client_for, w.north_head), "people")) == {"张伟", "Alice Wang"}
    assert set(table(get(client_for, w.east_head), "people")) == {"刘敏", "Bob Li", str(w.outsider)}
    assert set(table(get(client_for, w.alice), "people")) == {"Alice Wang"}


def test_managers_score_their_people_and_scores_are_kept(client_for, activity):
    w = activity
    innovation = KpiDimension.objects.get(code="innovation")
    body = {
        "user": w.alice.pk,
        "dimension": innovation.pk,
        "period_start": "2026-04-01",
        "score": "85",
        "comment": "提出了新的方案",
    }
    response = client_for(w.north_head).post("/api/v1/reports/kpi-scores/", body)
    assert response.status_code == 201, response.content
    assert KpiScore.objects.filter(user=w.alice, period_start=date(2026, 4, 1)).count() == 2  # both kept
    assert client_for(w.north_head).post("/api/v1/reports/kpi-scores/", {**body, "user": w.bob.pk}).status_code == 403
    assert client_for(w.alice).post("/api/v1/reports/kpi-scores/", body).status_code == 403
    bad = client_for(w.north_head).post("/api/v1/reports/kpi-scores/", {**body, "score": "101"})
    assert bad.status_code == 400 and "score" in bad.json()["errors"]
    computed = KpiDimension.objects.get(code="won_amount")
    bad = client_for(w.north_head).post("/api/v1/reports/kpi-scores/", {**body, "dimension": computed.pk})
    assert bad.status_code == 400 and "dimension" in bad.json()["errors"]
    bad = client_for(w.north_head).post("/api/v1/reports/kpi-scores/", {**body, "period_start": "2026-05-01"})
    assert bad.status_code == 400 and "period_start" in bad.json()["errors"]
    listed = client_for(w.east_head).get("/api/v1/reports/kpi-scores/").json()
    assert {row["user"] for row in listed["results"]} == {w.bob.pk}


def test_kpi_links(client_for, activity):
    assert assert_links_count_exactly(client_for, activity.exec, "kpis") >= 6


def test_directors_set_targets(client_for, world):
    body = {"department": world.north.pk, "period": "quarter", "period_start": "2026-07-01", "amount": "6000000"}
    r = client_for(world.alice).post("/api/v1/reports/targets/", body)
    assert r.status_code == 403, r.json()
    response = client_for(world.director).post("/api/v1/reports/targets/", body)
    assert response.status_code == 201, response.content
    again = client_for(world.director).post("/api/v1/reports/targets/", {**body, "amount": "6500000"})
    assert again.status_code == 201 and again.json()["id"] == response.json()["id"]
    assert again.json()["amount"] == "6500000.00"
    bad = client_for(world.director).post("/api/v1/reports/targets/", {**body, "period_start": "2026-08-01"})
    assert bad.status_code == 400 and "period_start" in bad.json()["errors"]
    both = client_for(world.director).post("/api/v1/reports/targets/", {**body, "user": world.alice.pk})
    assert both.status_code == 400
    assert client_for(world.director).delete(f"/api/v1/reports/targets/{response.json()['id']}/").status_code == 204
