"""``sicrm bench reports``: every report timed against hand-written SQL computing the same figures, in one run.

For each report the benchmark runs the report's selector (``Report.run``: every table of the report, as the
API computes it, without rendering the Plotly figures) and, separately, the statements a person would write
by hand against the tables (no ORM, one pass per table where SQL allows: GROUPING-free ``UNION ALL`` of the
dimensions, window functions for percentiles, ``percentile_disc`` on PostgreSQL). Both see every project (an
executive's view) over the report's default period. A key figure of each is compared, so the two compute the
same thing. Each is timed ``rounds`` times; the table shows medians and the ratio report ÷ hand-written.

Asserts nothing; never point it at production data (it adds one executive user, ``bench_exec``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection

from bench.reports.hand import HAND, Hand
from reports.base import analytics_session
from reports.registry import REPORTS

P, W, E, PC = "projects_project", "bids_winlossrecord", "projects_projectevent", "projects_projectcompetitor"
KEYS = {
    "win-loss": ("metrics", "closed", None),
    "competitors": ("head_to_head", None, "met"),
    "funnel": ("now", None, "deals"),
    "forecast": ("by_month", None, "deals"),
    "pipeline-changes": ("metrics", "added", None),
    "delivery-health": ("metrics", "milestones", None),
    "receivables": ("metrics", "planned", None),
    "kpis": ("metrics", "people", None),
    "customers-cold": ("metrics", "cold", None),
    "scorecard": ("metrics", "test_deals", None),
}


def _report_key(name: str, body: dict[str, Any]) -> Any:
    table, key, column = KEYS[name]
    if table == "metrics":
        return next(m["value"] for m in body["metrics"] if m["key"] == key)
    rows = next(t for t in body["tables"] if t["key"] == table)["rows"]
    return sum(row[column] for row in rows)


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a or 0)).quantize(Decimal("0.01")) == Decimal(str(b or 0)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return str(a) == str(b)


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), value


def bench_user() -> Any:
    from backend.accounts.models import User
    from backend.accounts.services import user_set_roles

    user, created = User.objects.get_or_create(username="bench_exec", defaults={"first_name": "Bench"})
    if created or not user.has_role("exec"):
        user_set_roles(user=user, roles=["exec"])
        user = User.objects.get(pk=user.pk)
    return user


def run(
    *, rounds: int = 3, names: list[str] | None = None, log: Callable[[str], None] = print
) -> list[tuple[str, ...]]:
    user = bench_user()
    projects = _count("projects_project")
    rows: list[tuple[str, ...]] = [
        ("report", "projects", "report ms", "figures ms", "hand SQL ms", "ratio", "same figure", "goal")
    ]
    for name in names or list(REPORTS):
        report = REPORTS[name]
        log(f"{name} …")
        report_s, result = _timed(partial(report.run, user=user, params={}), rounds)
        render_s, body = _timed(result.as_dict, 1)
        with analytics_session(), connection.cursor() as cursor:  # the same memory and JIT settings
            hand_s, key = _timed(partial(HAND[name], Hand(cursor)), rounds)
        ratio = report_s / hand_s if hand_s else float("inf")
        goal = "≤ 1.3×" + (" and ≤ 1 s" if name == "win-loss" else "")
        met = ratio <= 1.3 and (name != "win-loss" or report_s <= 1.0)
        rows.append(
            (
                name,
                f"{projects:,}",
                f"{report_s * 1000:,.0f}",
                f"{render_s * 1000:,.0f}",
                f"{hand_s * 1000:,.0f}",
                f"{ratio:.2f}",
                "yes" if _same(_report_key(name, body), key) else f"no ({_report_key(name, body)} / {key})",
                f"{goal} {'met' if met else 'missed'}",
            )
        )
    return rows


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])
