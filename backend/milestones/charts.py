"""Plotly figures of the delivery pages: the milestone Gantt chart (plan against actual), collections by
payment term, budget against actual cost, and receivables aging.

Built server-side with ``plotly.graph_objects`` from rows the views already loaded; this module runs no query
and decides nothing. ``figure_html`` (backend/core/charts.py) embeds a figure without an inline script.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from backend.core.charts import figure_html  # noqa: F401  (the views call charts.figure_html)
from backend.milestones.choices import MilestoneStatus

STATUS_COLOURS: dict[str, str] = {
    MilestoneStatus.PLANNED: "#6c757d",
    MilestoneStatus.IN_PROGRESS: "#0d6efd",
    MilestoneStatus.SUBMITTED: "#6f42c1",
    MilestoneStatus.RETURNED: "#fd7e14",
    MilestoneStatus.ACCEPTED: "#198754",
    MilestoneStatus.CANCELLED: "#adb5bd",
}
DAY_MS = 24 * 60 * 60 * 1000
RUNNING = (MilestoneStatus.IN_PROGRESS, MilestoneStatus.SUBMITTED, MilestoneStatus.RETURNED)


def _span(start: date, end: date) -> int:
    """Bar length in milliseconds; both days are included, so a one-day milestone is visible."""
    return ((end - start).days + 1) * DAY_MS


def actual_end(milestone: Any, today: date) -> date | None:
    """Where the actual bar ends: the actual end, or today while the milestone is still running."""
    if milestone.actual_start is None:
        return None
    if milestone.actual_end is not None:
        return milestone.actual_end
    if milestone.status in RUNNING:
        return max(today, milestone.actual_start)
    return None


def _row_labels(milestones: Sequence[Any]) -> list[str]:
    """One y category per milestone; a repeated name gets its position so the rows do not merge."""
    seen: dict[str, int] = {}
    labels = []
    for index, milestone in enumerate(milestones, start=1):
        label = milestone.name
        if label in seen:
            label = f"{label} ({index})"
        seen[label] = index
        labels.append(label)
    return labels


def milestone_gantt(milestones: Sequence[Any], *, today: date) -> go.Figure:
    """A timeline with two bars per milestone: the plan (hatched) and the actual (solid, to today while running),
    both coloured by the milestone's status, and a marker at today."""
    labels = _row_labels(milestones)
    statuses = [s for s in MilestoneStatus.values if any(m.status == s for m in milestones)]
    fig = go.Figure()
    plan_name, actual_name = _("Plan"), _("Actual")
    for status in statuses:
        colour = STATUS_COLOURS.get(status, "#6c757d")
        label = str(MilestoneStatus(status).label)
        rows = [(lbl, m) for lbl, m in zip(labels, milestones, strict=True) if m.status == status]
        fig.add_trace(
            go.Bar(
                name=label,
                legendgroup=status,
                offsetgroup="plan",
                orientation="h",
                y=[lbl for lbl, _m in rows],
                base=[m.planned_start.isoformat() for _l, m in rows],
                x=[_span(m.planned_start, m.planned_end) for _l, m in rows],
                marker={"color": colour, "opacity": 0.45, "pattern": {"shape": "/"}},
                customdata=[
                    [plan_name, label, m.planned_start.isoformat(), m.planned_end.isoformat()] for _l, m in rows
                ],
                hovertemplate="<b>%{y}</b><br>%{customdata[0]} · %{customdata[1]}<br>"
                "%{customdata[2]} → %{customdata[3]}<extra></extra>",
                meta={"kind": "plan"},
            )
        )
        actual = [(lbl, m, actual_end(m, today)) for lbl, m in rows]
        done = [(lbl, m, end) for lbl, m, end in actual if end is not None]
        fig.add_trace(
            go.Bar(
                name=label,
                legendgroup=status,
                offsetgroup="actual",
                orientation="h",
                showlegend=False,
                y=[lbl for lbl, _m, _e in done],
                base=[m.actual_start.isoformat() for _l, m, _e in done],
                x=[_span(m.actual_start, end) for _l, m, end in done],
                marker={"color": colour},
                customdata=[
                    [actual_name, label, m.actual_start.isoformat(), end.isoformat() if m.actual_end else _("today")]
                    for _l, m, end in done
                ],
                hovertemplate="<b>%{y}</b><br>%{customdata[0]} · %{customdata[1]}<br>"
                "%{customdata[2]} → %{customdata[3]}<extra></extra>",
                meta={"kind": "actual"},
            )
        )
    fig.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=today.isoformat(),
        x1=today.isoformat(),
        y0=0,
        y1=1,
        line={"color": "#dc3545", "width": 2, "dash": "dot"},
    )
    fig.add_annotation(
        x=today.isoformat(),
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=_("Today"),
        font={"color": "#dc3545"},
    )
    starts = [m.planned_start for m in milestones] + [m.actual_start for m in milestones if m.actual_start]
    ends = [m.planned_end for m in milestones] + [e for m in milestones if (e := actual_end(m, today))]
    low, high = min([*starts, today]), max([*ends, today])
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        height=140 + 46 * max(len(milestones), 1),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        legend={"orientation": "h", "y": -0.12},
        xaxis={
            "type": "date",
            "range": [(low - timedelta(days=3)).isoformat(), (high + timedelta(days=4)).isoformat()],
            # numbers, not plotly's English month names ("Aug 23"), read the same in every language
            "tickformat": "%Y-%m-%d",
        },
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed", "automargin": True},
    )
    return fig


def _money(values: Iterable[Decimal | int | float | None]) -> list[float]:
    return [float(v or 0) for v in values]


def collections_figure(terms: Sequence[Any]) -> go.Figure:
    """Per payment term: received, written off and outstanding, stacked to the term's amount."""
    names = [t.name for t in terms]
    fig = go.Figure()
    for label, values, colour in (
        (_("Received"), _money(t.received for t in terms), "#198754"),
        (_("Written off"), _money(t.written_off for t in terms), "#adb5bd"),
        (_("Outstanding"), _money(max(t.outstanding, 0) for t in terms), "#fd7e14"),
    ):
        fig.add_trace(
            go.Bar(
                name=label,
                x=names,
                y=values,
                marker={"color": colour},
                hovertemplate="%{x}<br>" + label + ": %{y:,.2f}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12},
        yaxis={"tickformat": ",.0f", "automargin": True},
        xaxis={"automargin": True},
    )
    return fig


def budget_figure(rows: Sequence[dict[str, Any]]) -> go.Figure:
    """Planned against actual cost by category (rows: ``label``, ``planned``, ``actual``)."""
    labels = [str(r["label"]) for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(name=_("Budget"), x=labels, y=_money(r["planned"] for r in rows), marker={"color": "#6c757d"}))
    fig.add_trace(go.Bar(name=_("Actual"), x=labels, y=_money(r["actual"] for r in rows), marker={"color": "#0d6efd"}))
    fig.update_layout(
        barmode="group",
        height=300,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.15},
        yaxis={"tickformat": ",.0f", "automargin": True},
    )
    return fig


def aging_figure(buckets: Sequence[dict[str, Any]]) -> go.Figure:
    """Outstanding receivables by days past due (buckets: ``label``, ``amount``)."""
    colours = ["#ffc107", "#fd7e14", "#dc3545", "#842029"]
    fig = go.Figure(
        go.Bar(
            x=[_("%(bucket)s days") % {"bucket": b["label"]} for b in buckets],
            y=_money(b["amount"] for b in buckets),
            marker={"color": colours[: len(buckets)]},
            hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"tickformat": ",.0f", "automargin": True, "title": {"text": _("Outstanding")}},
    )
    return fig
