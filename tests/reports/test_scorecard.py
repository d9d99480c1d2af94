"""The initiation scorecard: shown to the approver when a project is submitted for 立项, and its calibration on
deals closed later. Forty closed deals differ only by industry (finance 15 of 20 won, government 5 of 20), so the
model's numbers can be worked out by hand:

- overall rate (20 + 1) / (40 + 2) = 0.5; every factor but industry has one value for all deals: no effect;
- leave-one-out log loss over the 40 deals is lowest with 10 pseudo-deals of shrinkage and weight 1.40, so
  finance's rate is (15 + 10 × 0.5) / (20 + 10) = 0.667 and a finance deal scores σ(1.40 × logit 0.667) = 0.7252,
  22.5 points above the overall rate (government: 0.2748).
"""

from __future__ import annotations

import pytest

from backend.projects import services as project_services
from reports.models import Scorecard
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory
from tests.reports.conftest import make_deal, metric, table

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db):
    owner, department = UserFactory(username="history_owner"), DepartmentFactory(name="History")
    for industry, won in (("finance", 15), ("government", 5)):
        for i in range(20):
            outcome = "won" if i < won else "lost"
            make_deal(
                owner=owner,
                department=department,
                created="2025-01-01",
                closed="2025-06-01",
                status=outcome,
                outcome=outcome,
                industry=industry,
                estimated=1_000_000,
            )
    return owner


def test_submitting_for_initiation_shows_the_score_and_its_factors(
    history, org, client, django_capture_on_commit_callbacks
):
    project = project_services.project_create(
        actor=org["bidmgr"],
        name="某银行数据中心",
        customer=CustomerFactory(owner=org["bidmgr"], industry="finance"),
        estimated_amount=1_000_000,
    )
    for item in project.checklist.filter(stage="tender", required=True):
        project_services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    with django_capture_on_commit_callbacks(execute=True):
        project_services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    scorecard = Scorecard.objects.get(project=project)
    assert round(scorecard.probability, 4) == 0.7252 and scorecard.baseline == 0.5
    assert scorecard.training_deals == 40
    first = scorecard.factors[0]
    assert (first["factor"], first["deals"], first["won"], first["win_rate"], first["effect_points"]) == (
        "industry",
        20,
        15,
        75.0,
        22.5,
    )
    assert all(factor["effect_points"] == 0.0 for factor in scorecard.factors[1:])
    client.force_login(org["head"])  # the approver
    page = client.get(f"/reviews/{scorecard.review_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="scorecard-probability">73%<' in html and "Finance" in html


def test_calibration_on_deals_closed_later(history, client_for, make_user):
    owner, department = UserFactory(username="later"), DepartmentFactory(name="Later")
    for industry, won in (("finance", 3), ("government", 1)):
        for i in range(4):
            outcome = "won" if i < won else "lost"
            make_deal(
                owner=owner,
                department=department,
                created="2026-01-10",
                closed="2026-03-01",
                status=outcome,
                outcome=outcome,
                industry=industry,
                estimated=1_000_000,
            )
    body = (
        client_for(make_user("boss", "exec"))
        .get("/api/v1/reports/scorecard/", {"date_from": "2026-01-01", "date_to": "2026-06-30"})
        .json()
    )
    assert (metric(body, "training_deals"), metric(body, "test_deals")) == (40, 8)
    # finance: 3 × (1 − 0.7252)² + 0.7252² = 0.7525; government the same: 1.505 / 8
    assert (metric(body, "brier"), metric(body, "baseline_brier")) == (0.1881, 0.25)
    reliability = table(body, "reliability")
    assert {k: (v["deals"], v["predicted"], v["observed"], v["won"]) for k, v in reliability.items()} == {
        "20–30%": (4, 27.5, 25.0, 1),
        "70–80%": (4, 72.5, 75.0, 3),
    }
    client = client_for(make_user("boss2", "exec"))
    from urllib.parse import parse_qs, urlsplit

    for row in next(t for t in body["tables"] if t["key"] == "reliability")["rows"]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(row["links"]["deals"]).query).items()}
        assert client.get("/api/v1/projects/", query).json()["count"] == row["deals"]
