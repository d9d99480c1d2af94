"""Funnel: how many deals (and how much) stand in each state now; of the deals that entered each presales stage
in the period, the share that went on to the next stage and the share that was eventually won; and how long
deals stayed in each stage against the process template's standard duration. Stage entries and stays come
from the project event log (``ProjectEvent``), counting only events that changed the status.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User
from backend.projects.choices import BOARD_COLUMNS, FUNNEL_STAGES, STATUS_EVENT_KINDS, Status
from backend.projects.models import Project, ProjectEvent
from reports.base import (
    DAYS,
    INT,
    MONEY,
    PERCENT,
    TEXT,
    Column,
    Figure,
    Metric,
    Report,
    ReportResult,
    Table,
    days_between_sql,
    percentiles_by_group,
    rows_as_dicts,
    scope_where,
    share,
    sql_time,
)
from reports.dimensions import DIMENSIONS
from reports.filters import ReportFilters, deal_amount
from workflows.models import StageTemplate

NEXT_STAGE = dict(zip(FUNNEL_STAGES[:-1], FUNNEL_STAGES[1:], strict=True))
KINDS_SQL = ", ".join(f"'{kind}'" for kind in STATUS_EVENT_KINDS)
EVENT = ProjectEvent._meta.db_table
# An event that moved the status (a decision on a step that did not end its review keeps source = target).
STATUS_CHANGE = f"e.kind IN ({KINDS_SQL}) AND e.source <> e.target"


def _label(state: str) -> str:
    return str(Status(state).label) if state in Status.values else state


def _in_list(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class FunnelReport(Report):
    name = "funnel"
    title = gettext_lazy("Sales funnel")
    description = gettext_lazy(
        "Deals in each state now; of the deals that entered each stage in the period, how many reached the next "
        "stage and how many were won; and how long deals stay in each stage against the standard."
    )
    audience = frozenset({"exec", "director", "bid_manager"})

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "state":
            if value not in Status.values:
                raise ValueError(value)
            return Q(status=value)
        if key in ("entered", "reached", "won"):
            if value not in NEXT_STAGE:
                raise ValueError(value)
            sql, params = self._entries_sql(self.scope(user=user, filters=filters), filters)
            column = {"entered": "1", "reached": "reached", "won": "won"}[key]
            return Q(
                pk__in=RawSQL(f"SELECT project_id FROM ({sql}) x WHERE stage = %s AND {column} = 1", (*params, value))
            )
        if key in ("stay", "over"):
            if value not in NEXT_STAGE:
                raise ValueError(value)
            sql, params = self._stays_sql(self.scope(user=user, filters=filters), filters)
            extra = " AND standard > 0 AND days > standard" if key == "over" else ""
            return Q(pk__in=RawSQL(f"SELECT project_id FROM ({sql}) x WHERE stage = %s{extra}", (*params, value)))
        return DIMENSIONS[key].q(value)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        now = self._now(deals, filters)
        conversion = self._conversion(deals, filters)
        stays = self._time_in_stage(deals, filters)
        open_rows = [row for row in now.rows if row["key"] in FUNNEL_STAGES[:-1]]
        result.metrics = [
            Metric("open_deals", _("Open deals"), sum(r["deals"] for r in open_rows), INT),
            Metric("open_amount", _("Open pipeline"), sum((r["amount"] for r in open_rows), 0), MONEY),
        ]
        first = next((row for row in conversion.rows if row["key"] == Status.TENDER), None)
        if first:
            result.metrics.append(
                Metric(
                    "tender_to_won",
                    _("Won of the deals registered in the period"),
                    first["won_share"],
                    PERCENT,
                    self.link(filters, won=Status.TENDER),
                )
            )
        result.tables = [now, conversion, stays]
        result.figures = [_funnel_figure(now), _conversion_figure(conversion), _stay_figure(stays)]

    def _now(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        found = {
            row["status"]: row
            for row in deals.values("status").annotate(deals=Count("pk"), deals_amount=Sum(deal_amount())).order_by()
        }
        rows = [
            {
                "key": state,
                "state": _label(state),
                "deals": found[state]["deals"],
                "amount": found[state]["deals_amount"],
                "links": {"deals": self.link(filters, state=state), "amount": self.link(filters, state=state)},
            }
            for state in BOARD_COLUMNS
            if state in found
        ]
        return Table(
            key="now",
            title=_("Deals in each state now"),
            columns=[
                Column("state", _("State"), TEXT),
                Column("deals", _("Deals"), INT),
                Column("amount", _("Amount"), MONEY),
            ],
            rows=rows,
        )

    @staticmethod
    def _entries_sql(deals: QuerySet[Project], filters: ReportFilters) -> tuple[str, tuple[Any, ...]]:
        """One row per (deal, stage entered in the period): did it reach the next stage after, was it won."""
        in_scope, params = scope_where(deals, "e.project_id")
        next_case = " ".join(f"WHEN '{stage}' THEN '{following}'" for stage, following in NEXT_STAGE.items())
        later = (
            f"SELECT 1 FROM {EVENT} n WHERE n.project_id = ent.project_id AND n.kind IN ({KINDS_SQL}) "
            "AND n.source <> n.target AND n.created_at >= ent.entered"
        )
        sql = f"""
            SELECT ent.project_id AS project_id, ent.stage AS stage,
                   CASE WHEN EXISTS ({later} AND n.target = CASE ent.stage {next_case} END) THEN 1 ELSE 0 END
                       AS reached,
                   CASE WHEN EXISTS ({later} AND n.target = 'won') THEN 1 ELSE 0 END AS won
            FROM (
                SELECT e.project_id AS project_id, e.target AS stage, MIN(e.created_at) AS entered
                FROM {EVENT} e
                WHERE {STATUS_CHANGE} AND e.created_at >= %s AND e.created_at < %s
                  AND e.target IN ({_in_list(list(NEXT_STAGE))}) AND {in_scope}
                GROUP BY e.project_id, e.target
            ) ent
        """
        return sql, (sql_time(filters.start), sql_time(filters.end), *params)

    def _conversion(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        entries, params = self._entries_sql(deals, filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT stage, COUNT(*) AS entered, SUM(reached) AS reached, SUM(won) AS won "
                f"FROM ({entries}) x GROUP BY stage",
                params,
            )
            found = {row["stage"]: row for row in rows_as_dicts(cursor)}
        rows = []
        for stage, following in NEXT_STAGE.items():
            if stage not in found:
                continue
            raw = found[stage]
            rows.append(
                {
                    "key": stage,
                    "stage": _label(stage),
                    "next": _label(following),
                    "entered": raw["entered"],
                    "reached": int(raw["reached"] or 0),
                    "reached_share": share(raw["reached"], raw["entered"]),
                    "won": int(raw["won"] or 0),
                    "won_share": share(raw["won"], raw["entered"]),
                    "links": {
                        "entered": self.link(filters, entered=stage),
                        "reached": self.link(filters, reached=stage),
                        "reached_share": self.link(filters, entered=stage),
                        "won": self.link(filters, won=stage),
                        "won_share": self.link(filters, entered=stage),
                    },
                }
            )
        return Table(
            key="conversion",
            title=_("Stage-to-stage conversion of the deals that entered each stage in the period"),
            columns=[
                Column("stage", _("Stage"), TEXT),
                Column("entered", _("Entered"), INT),
                Column("next", _("Next stage"), TEXT),
                Column("reached", _("Reached it"), INT),
                Column("reached_share", _("Conversion"), PERCENT),
                Column("won", _("Won in the end"), INT),
                Column("won_share", _("Won share"), PERCENT),
            ],
            rows=rows,
        )

    @staticmethod
    def _stays_sql(deals: QuerySet[Project], filters: ReportFilters) -> tuple[str, tuple[Any, ...]]:
        """One row per finished stay in a presales stage that began in the period: days and the standard."""
        in_scope, params = scope_where(deals, "e.project_id")
        days = days_between_sql(connection.vendor, "s.left_at", "s.entered")
        sql = f"""
            SELECT s.project_id AS project_id, s.stage AS stage, {days} AS days, st.standard_days AS standard
            FROM (
                SELECT e.project_id AS project_id, e.target AS stage, e.created_at AS entered,
                       LEAD(e.created_at) OVER (PARTITION BY e.project_id ORDER BY e.created_at, e.id) AS left_at
                FROM {EVENT} e
                WHERE {STATUS_CHANGE} AND e.created_at >= %s AND {in_scope}
            ) s
            JOIN {Project._meta.db_table} p ON p.id = s.project_id
            LEFT JOIN {StageTemplate._meta.db_table} st
                   ON st.template_id = p.process_template_id AND st.stage = s.stage
            WHERE s.left_at IS NOT NULL AND s.entered >= %s AND s.entered < %s
              AND s.stage IN ({_in_list(list(NEXT_STAGE))})
        """
        # a stay that began in the period ends at a later event, so earlier events need not be read
        return sql, (sql_time(filters.start), *params, sql_time(filters.start), sql_time(filters.end))

    def _time_in_stage(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        stays, params = self._stays_sql(deals, filters)
        sql = percentiles_by_group(
            stays,
            "days",
            "stage",
            [("median", 0.5), ("p80", 0.8)],
            extra="MIN(standard) AS standard_min, MAX(standard) AS standard_max, COUNT(DISTINCT project_id) AS deals, "
            "SUM(CASE WHEN standard > 0 AND days > standard THEN 1 ELSE 0 END) AS over",
            total=False,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {row["stage"]: row for row in rows_as_dicts(cursor)}
        rows = []
        for stage in NEXT_STAGE:
            if stage not in found:
                continue
            raw = found[stage]
            low, high = raw["standard_min"], raw["standard_max"]
            rows.append(
                {
                    "key": stage,
                    "stage": _label(stage),
                    "stays": raw["n"],
                    "deals": raw["deals"],
                    "median": raw["median"],
                    "p80": raw["p80"],
                    "standard": "" if low is None else (str(low) if low == high else f"{low}–{high}"),
                    "over": int(raw["over"] or 0),
                    "over_share": share(raw["over"], raw["n"]),
                    "links": {
                        "stays": self.link(filters, stay=stage),
                        "deals": self.link(filters, stay=stage),
                        "median": self.link(filters, stay=stage),
                        "p80": self.link(filters, stay=stage),
                        "over": self.link(filters, over=stage),
                        "over_share": self.link(filters, stay=stage),
                    },
                }
            )
        return Table(
            key="time_in_stage",
            title=_("Time in stage against the template's standard (stays that began in the period)"),
            columns=[
                Column("stage", _("Stage"), TEXT),
                Column("stays", _("Stays"), INT, counts_deals=False),
                Column("deals", _("Deals"), INT),
                Column("median", _("Median (days)"), DAYS),
                Column("p80", _("80th percentile (days)"), DAYS),
                Column("standard", _("Standard (days)"), TEXT),
                Column("over", _("Over the standard"), INT, counts_deals=False),
                Column("over_share", _("Share over the standard"), PERCENT),
            ],
            rows=rows,
        )


def _funnel_figure(table: Table) -> Figure:
    rows = [row for row in table.rows if row["key"] in FUNNEL_STAGES[:-1]]  # the open stages
    fig = go.Figure(
        go.Funnel(
            y=[row["state"] for row in rows],
            x=[row["deals"] for row in rows],
            textinfo="value",
            marker={"color": "#0d6efd"},
        )
    )
    return Figure("pipeline_by_stage", _("Pipeline by stage"), fig)


def _conversion_figure(table: Table) -> Figure:
    stages = [row["stage"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Conversion"), x=stages, y=[row["reached_share"] for row in table.rows], marker_color="#0d6efd")
    fig.add_bar(name=_("Won share"), x=stages, y=[row["won_share"] for row in table.rows], marker_color="#198754")
    fig.update_layout(barmode="group", yaxis={"title": "%", "range": [0, 100]})
    return Figure("conversion", _("Stage-to-stage conversion"), fig)


def _stay_figure(table: Table) -> Figure:
    stages = [row["stage"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Median (days)"), x=stages, y=[row["median"] for row in table.rows], marker_color="#0d6efd")
    fig.add_bar(
        name=_("80th percentile (days)"), x=stages, y=[row["p80"] for row in table.rows], marker_color="#6f42c1"
    )
    fig.update_layout(barmode="group", yaxis={"title": _("Days")})
    return Figure("time_in_stage", _("Time in stage"), fig)
