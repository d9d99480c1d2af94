"""The outcome and outcome date the analytics read are set by the transition that closes the deal."""

from __future__ import annotations

import pytest

from backend.projects import services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_abandoning_records_the_outcome_and_when(org):
    project = services.project_create(
        actor=org["bidmgr"], name="放弃的项目", customer=CustomerFactory(owner=org["bidmgr"]), estimated_amount=100
    )
    assert (project.outcome, project.closed_at) == ("", None)
    services.project_transition(
        project_id=project.pk,
        name="abandon",
        actor=org["bidmgr"],
        comment="预算取消",
        win_loss={"primary_reason": "timing", "lessons": "预算取消"},
    )
    project.refresh_from_db()
    assert project.outcome == "abandoned" and project.closed_at == project.status_changed_at
    assert project.closed_from == "tender"
    assert project.win_loss.outcome == "abandoned"
