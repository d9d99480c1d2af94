"""Alarm scan benchmark: one full scan (every kind, every escalation level) over all milestones of the
generated data set, timed; the goal is ≤ 5 s at size M on PostgreSQL. The scan is set-based SQL (one
query per kind and level), so its time grows with the alarms raised, not with a loop over milestones."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone


def _ensure_milestones(per_project: int = 10, seed: int = 7) -> int:
    """Give every generated implementation project milestones spread around today (bulk, in SQL batches)."""
    from backend.milestones.models import Milestone
    from backend.projects.models import Project

    rng = random.Random(seed)
    # delivery starts for the won benchmark projects (codes BN…), so the scan has implementation to look at
    Project.objects.filter(code__startswith="BN", status="won").update(status="implementation")
    projects = list(
        Project.objects.filter(status="implementation").exclude(milestones__isnull=False).values_list("pk", "owner_id")
    )
    today = timezone.localdate()
    rows = []
    for pk, owner_id in projects:
        for order in range(1, per_project + 1):
            end = today + timedelta(days=rng.randint(-40, 20))
            rows.append(
                Milestone(
                    project_id=pk,
                    name=f"M{order}",
                    order=order,
                    owner_id=owner_id,
                    planned_start=end - timedelta(days=20),
                    planned_end=end,
                    status=rng.choice(["planned", "in_progress", "in_progress", "accepted"]),
                )
            )
    Milestone.objects.bulk_create(rows, batch_size=2000)
    return Milestone.objects.count()


def run(*, reset: bool = True) -> list[tuple[str, str]]:
    from backend.milestones.alarms import alarms_raise
    from backend.milestones.models import Alarm, Milestone

    milestones = _ensure_milestones()
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
