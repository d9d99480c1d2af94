"""Delivery records follow their project's visibility; alarms are seen by the project's viewers."""

from __future__ import annotations

from backend.core.permissions import visibility_rule
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Task,
)
from backend.projects.visibility import project_q


def _follow(prefix: str):
    def rule(user):
        return project_q(user, prefix)

    return rule


for _model in (Milestone, Acceptance, Task, Alarm):
    visibility_rule(_model)(_follow("project__"))
visibility_rule(Deliverable)(_follow("milestone__project__"))
visibility_rule(DeliverableVersion)(_follow("deliverable__milestone__project__"))
