"""Alarm scan benchmark: one full scan (every kind, every escalation level) over all milestones of the
generated data set, timed; the goal is ≤ 5 s at size M on PostgreSQL. The scan is set-based SQL (one
query per kind and level), so its time grows with the alarms raised, not with a loop over milestones."""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone


def _milestones() -> int:
    """Milestones of the generated data set (``sicrm bench generate`` writes them for every delivered deal)."""
    from backend.projects.models import Project

    Milestone = Project._meta.get_field("milestones").related_model
    count = Milestone.objects.count()
    if not count:
        raise RuntimeError("No milestones: run `sicrm bench generate --size M` (or L) first.")
    return count


def run(*, reset: bool = True) -> list[tuple[str, str]]:
    from backend.milestones.alarms import alarms_raise
    from backend.milestones.models import Alarm, Milestone

    milestones = _milestones()
    if reset:
        Alarm.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh bulk-loaded data: let the planner see it, as autovacuum would
            cursor.execute("ANALYZE milestones_milestone; ANALYZE milestones_alarm; ANALYZE projects_project")
    begin = time.perf_counter()
    counts = alarms_raise()
    first = time.perf_counter() - begin
    begin = time.perf_counter()
    again = alarms_raise()
    second = time.perf_counter() - begin
    return [
        ("database", connection.vendor),
        ("milestones", str(milestones)),
        (
            "open overdue milestones",
            str(
                Milestone.objects.filter(
                    status__in=["planned", "in_progress"], planned_end__lt=timezone.localdate()
                ).count()
            ),
        ),
        ("alarms raised", str(sum(counts.values()))),
        ("first scan s (goal ≤ 5)", f"{first:.2f}"),
        ("repeat scan s (nothing new)", f"{second:.2f}"),
        ("raised on repeat", str(sum(again.values()))),
    ]
