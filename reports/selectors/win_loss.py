"""Win/loss analysis: of the deals that reached an outcome (won, lost, abandoned) in the period, the win rate by
count and by amount along every dimension, the loss-reason Pareto, the state deals were lost or abandoned in,
the sales cycle (tender to outcome) and the lessons learned. Rejected initiations are not outcomes of a sale
and are left out. Win rate = won ÷ (won + lost + abandoned).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from backend.accounts.models import Department, User
from backend.bids.choices import Outcome
from backend.bids.models import WinLossRecord
from backend.core.localized import pick
from backend.projects.choices import Status
from backend.projects.models import Project
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
    grouped_column,
    grouping_sets,
    int_value,
    percentiles_by_group,
    rows_as_dicts,
    share,
    sql_of,
)
from reports.dimensions import COMPETITOR, DIMENSIONS, QUARTER, SIZE_BAND, Dimension
from reports.filters import ReportFilters, deal_amount

MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
LOST_OUTCOMES = (Outcome.LOST, Outcome.ABANDONED)
OUTCOME_Q = {
    "won": Q(outcome=Outcome.WON),
    "lost": Q(outcome=Outcome.LOST),
    "abandoned": Q(outcome=Outcome.ABANDONED),
    "not_won": Q(outcome__in=LOST_OUTCOMES),
    "closed": Q(),
}
LESSONS_SHOWN = 20
ZERO = Decimal("0.00")


def outcome_aggregates() -> dict[str, Any]:
    amount = deal_amount()
    zero = Value(0, output_field=MONEY_FIELD)
    return {
        "closed": Count("pk"),
        "won": Count("pk", filter=OUTCOME_Q["won"]),
        "lost": Count("pk", filter=OUTCOME_Q["lost"]),
        "abandoned": Count("pk", filter=OUTCOME_Q["abandoned"]),
        "closed_amount": Coalesce(Sum(amount), zero),
        "won_amount": Coalesce(Sum(amount, filter=OUTCOME_Q["won"]), zero),
    }


def rate_columns() -> list[Column]:
    return [
        Column("closed", _("Closed deals"), INT),
        Column("won", _("Won"), INT),
        Column("lost", pgettext("outcome", "Lost"), INT),
        Column("abandoned", _("Abandoned"), INT),
        Column("win_rate", _("Win rate (count)"), PERCENT),
        Column("won_amount", _("Won amount"), MONEY),
        Column("closed_amount", _("Closed amount"), MONEY),
        Column("amount_win_rate", _("Win rate (amount)"), PERCENT),
    ]


def rate_row(row: dict[str, Any]) -> dict[str, Any]:
    row["win_rate"] = share(row["won"], row["closed"])
    row["amount_win_rate"] = share(row["won_amount"], row["closed_amount"])
    return row


class WinLossReport(Report):
    name = "win-loss"
    title = gettext_lazy("Win/loss analysis")
    description = gettext_lazy(
        "Deals won, lost or abandoned in the period: win rates along every dimension, why deals were lost, "
        "where in the process, how long the sales cycle ran, and what the team learned."
    )
    audience = frozenset({"exec", "director", "bid_manager"})

    def scope(self, *, user: User, filters: ReportFilters) -> QuerySet[Project]:
        return (
            super()
            .scope(user=user, filters=filters)
            .filter(closed_at__gte=filters.start, closed_at__lt=filters.end)
            .exclude(outcome="")
        )

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "outcome":
            return OUTCOME_Q[value]
        if key == "reason":
            return Q(win_loss__primary_reason=int_value(value))
        if key == "secondary_reason":
            return Q(win_loss__secondary_reasons=int_value(value))
        if key == "lost_at":
            if value not in Status.values:
                raise ValueError(value)
            return Q(closed_from=value)
        return DIMENSIONS[key].q(value)

    # --- the figures -----------------------------------------------------------------------------------
    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        grouped, totals = self._grouped(deals)
        link = lambda **cell: self.link(filters, **cell)  # noqa: E731
        result.metrics = [
            Metric("closed", _("Closed deals"), totals["closed"], INT, link(outcome="closed")),
            Metric("won", _("Won"), totals["won"], INT, link(outcome="won")),
            Metric("win_rate", _("Win rate (count)"), totals["win_rate"], PERCENT, link(outcome="closed")),
            Metric("won_amount", _("Won amount"), totals["won_amount"], MONEY, link(outcome="won")),
            Metric(
                "amount_win_rate", _("Win rate (amount)"), totals["amount_win_rate"], PERCENT, link(outcome="closed")
            ),
        ]
        tables = {
            key: self._table(dimension, grouped[key] if key in grouped else self._competitor_rows(deals), filters)
            for key, dimension in DIMENSIONS.items()
        }
        result.tables.extend(tables.values())
        pareto, secondary = self._reasons(deals, filters)
        lost_at = self._lost_at(deals, filters, totals["lost"] + totals["abandoned"])
        cycle = self._cycle(deals, filters)
        median = next((row for row in cycle.rows if row["group"] == "all"), None)
        result.metrics.append(
            Metric(
                "median_cycle",
                _("Median sales cycle (days)"),
                median["median"] if median else None,
                DAYS,
                link(outcome="closed"),
            )
        )
        result.tables.extend([pareto, secondary, lost_at, cycle, self._lessons(deals, filters)])
        result.figures = [
            _quarter_figure(tables["quarter"]),
            _pareto_figure(pareto),
            _competitor_figure(tables["competitor"]),
            _lost_at_figure(lost_at),
        ]

    def _grouped(self, deals: QuerySet[Project]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
        """Every dimension but the competitor, and the totals, in one pass over the closed deals (GROUPING SETS
        on PostgreSQL): rows shaped as the dimension's ``label_of`` expects, with the outcome counts."""
        columns = ["industry", "region", "source", "owner", "department", "size_band", "quarter"]
        base = (
            deals.annotate(
                g_industry=F("industry"),
                g_region=F("region"),
                g_source=F("source"),
                g_owner=F("owner_id"),
                g_department=F("department_id"),
                g_size_band=SIZE_BAND.annotations()["size_band"],
                g_quarter=TruncQuarter("closed_at"),
                g_amount=deal_amount(),
                g_outcome=F("outcome"),
            )
            .values(*(f"g_{c}" for c in columns), "g_amount", "g_outcome")
            .order_by()
        )
        base_sql, params = sql_of(base)
        measures = (
            "COUNT(*), SUM(CASE WHEN g_outcome = 'won' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN g_outcome = 'lost' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN g_outcome = 'abandoned' THEN 1 ELSE 0 END), SUM(g_amount), "
            "SUM(CASE WHEN g_outcome = 'won' THEN g_amount ELSE 0 END)"
        )
        names = [f"g_{c}" for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(grouping_sets(base_sql, names, measures), params)
            found = cursor.fetchall()
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in columns}
        totals = {"closed": 0, "won": 0, "lost": 0, "abandoned": 0, "closed_amount": ZERO, "won_amount": ZERO}
        for row in found:
            column = grouped_column(row[0], names)
            closed, won, lost, abandoned, closed_amount, won_amount = row[len(names) + 1 :]
            counts = {
                "closed": closed,
                "won": won or 0,
                "lost": lost or 0,
                "abandoned": abandoned or 0,
                "closed_amount": money(closed_amount),
                "won_amount": money(won_amount),
            }
            if column is None:
                totals = counts
                continue
            key = column.removeprefix("g_")
            grouped[key].append({"value": row[1 + names.index(column)], **counts})
        _label_rows(grouped)
        return grouped, rate_row(dict(totals))

    def _competitor_rows(self, deals: QuerySet[Project]) -> list[dict[str, Any]]:
        rows = COMPETITOR.grouped(deals.filter(competitors__isnull=False)).annotate(**outcome_aggregates())
        return [dict(row) for row in rows]

    def _table(self, dimension: Dimension, raw_rows: list[dict[str, Any]], filters: ReportFilters) -> Table:
        rows = []
        for raw in raw_rows:
            value = dimension.value_of(raw)
            row = rate_row(
                {
                    "key": value,
                    dimension.key: dimension.label_of(raw),
                    **{k: raw[k] for k in ("closed", "won", "lost", "abandoned", "closed_amount", "won_amount")},
                }
            )
            cell = {dimension.key: value}
            row["links"] = {
                "closed": self.link(filters, **cell, outcome="closed"),
                "won": self.link(filters, **cell, outcome="won"),
                "lost": self.link(filters, **cell, outcome="lost"),
                "abandoned": self.link(filters, **cell, outcome="abandoned"),
                "won_amount": self.link(filters, **cell, outcome="won"),
                "closed_amount": self.link(filters, **cell, outcome="closed"),
                "win_rate": self.link(filters, **cell, outcome="closed"),
                "amount_win_rate": self.link(filters, **cell, outcome="closed"),
            }
            rows.append(row)
        if dimension is QUARTER:
            rows.sort(key=lambda r: r["key"])
        else:
            rows.sort(key=lambda r: (-r["closed"], str(r[dimension.key])))
        return Table(
            key=f"by_{dimension.key}",
            title=_("Win rate by %(dimension)s") % {"dimension": str(dimension.label).lower()},
            columns=[Column(dimension.key, dimension.label, TEXT), *rate_columns()],
            rows=rows,
            note=_("A deal with several competitors counts once for each.") if dimension is COMPETITOR else "",
        )

    def _reasons(self, deals: QuerySet[Project], filters: ReportFilters) -> tuple[Table, Table]:
        not_won = deals.filter(OUTCOME_Q["not_won"])
        amount = deal_amount()
        primary = list(
            not_won.values(
                "win_loss__primary_reason", "win_loss__primary_reason__name", "win_loss__primary_reason__name_en"
            )
            .annotate(deals=Count("pk"), deals_amount=Sum(amount))
            .order_by("-deals", "win_loss__primary_reason__name")
        )
        total = sum(row["deals"] for row in primary)
        rows, running = [], 0
        for raw in primary:
            running += raw["deals"]
            reason = raw["win_loss__primary_reason"]
            rows.append(
                {
                    "key": str(reason),
                    "reason": pick(raw["win_loss__primary_reason__name"], raw["win_loss__primary_reason__name_en"]),
                    "deals": raw["deals"],
                    "share": share(raw["deals"], total),
                    "cumulative": share(running, total),
                    "amount": raw["deals_amount"],
                    "links": {
                        "deals": self.link(filters, outcome="not_won", reason=reason),
                        "amount": self.link(filters, outcome="not_won", reason=reason),
                    },
                }
            )
        pareto = Table(
            key="loss_reasons",
            title=_("Why deals were lost or abandoned (primary reason)"),
            columns=[
                Column("reason", _("Reason"), TEXT),
                Column("deals", _("Deals"), INT),
                Column("share", _("Share"), PERCENT),
                Column("cumulative", _("Cumulative share"), PERCENT),
                Column("amount", _("Amount"), MONEY),
            ],
            rows=rows,
        )
        through = WinLossRecord.secondary_reasons.through
        secondary_rows = list(
            through.objects.filter(winlossrecord__project__in=not_won.values("pk"))
            .values("winlossreason", "winlossreason__name", "winlossreason__name_en")
            .annotate(deals=Count("winlossrecord"))
            .order_by("-deals", "winlossreason__name")
        )
        secondary = Table(
            key="secondary_reasons",
            title=_("Secondary reasons of lost and abandoned deals"),
            columns=[Column("reason", _("Reason"), TEXT), Column("deals", _("Deals"), INT)],
            rows=[
                {
                    "key": str(raw["winlossreason"]),
                    "reason": pick(raw["winlossreason__name"], raw["winlossreason__name_en"]),
                    "deals": raw["deals"],
                    "links": {"deals": self.link(filters, outcome="not_won", secondary_reason=raw["winlossreason"])},
                }
                for raw in secondary_rows
            ],
        )
        return pareto, secondary

    def _lost_at(self, deals: QuerySet[Project], filters: ReportFilters, total: int) -> Table:
        raw_rows = (
            deals.filter(OUTCOME_Q["not_won"])
            .exclude(closed_from="")
            .values("closed_from")
            .annotate(deals=Count("pk"))
            .order_by("-deals", "closed_from")
        )
        rows = [
            {
                "key": raw["closed_from"],
                "state": str(Status(raw["closed_from"]).label)
                if raw["closed_from"] in Status.values
                else raw["closed_from"],
                "deals": raw["deals"],
                "share": share(raw["deals"], total),
                "links": {"deals": self.link(filters, outcome="not_won", lost_at=raw["closed_from"])},
            }
            for raw in raw_rows
        ]
        return Table(
            key="lost_at",
            title=_("The state deals were lost or abandoned in"),
            columns=[
                Column("state", _("State"), TEXT),
                Column("deals", _("Deals"), INT),
                Column("share", _("Share"), PERCENT),
            ],
            rows=rows,
        )

    def _cycle(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        """Median and 80th percentile (nearest rank) of days from the tender's registration to the outcome."""
        closed_sql, params = sql_of(
            deals.annotate(
                c_grp=Case(When(outcome=Outcome.WON, then=Value("won")), default=Value("not_won")),
                c_created=F("created_at"),
                c_closed=F("closed_at"),
            )
            .values("c_grp", "c_created", "c_closed")
            .order_by()
        )
        days = days_between_sql(connection.vendor, "x.c_closed", "x.c_created")
        source = f"SELECT x.c_grp AS grp, {days} AS days FROM ({closed_sql}) x"
        with connection.cursor() as cursor:
            cursor.execute(percentiles_by_group(source, "days", "grp", [("median", 0.5), ("p80", 0.8)]), params)
            found = {row["grp"] or "all": row for row in rows_as_dicts(cursor)}
        labels = {"all": _("All closed deals"), "won": _("Won"), "not_won": _("Lost or abandoned")}
        outcome = {"all": "closed", "won": "won", "not_won": "not_won"}
        rows = [
            {
                "key": grp,
                "group": grp,
                "label": labels[grp],
                "deals": found[grp]["n"],
                "median": found[grp]["median"],
                "p80": found[grp]["p80"],
                "links": {name: self.link(filters, outcome=outcome[grp]) for name in ("deals", "median", "p80")},
            }
            for grp in ("all", "won", "not_won")
            if grp in found
        ]
        return Table(
            key="cycle",
            title=_("Sales cycle: days from the tender to the outcome"),
            columns=[
                Column("label", _("Deals"), TEXT),
                Column("deals", _("Count"), INT),
                Column("median", _("Median (days)"), DAYS),
                Column("p80", _("80th percentile (days)"), DAYS),
            ],
            rows=rows,
        )

    def _lessons(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        rows = [
            {
                "key": str(raw["pk"]),
                "id": raw["pk"],
                "project": f"{raw['code']} {raw['name']}",
                "outcome": str(Outcome(raw["outcome"]).label),
                "reason": pick(raw["win_loss__primary_reason__name"], raw["win_loss__primary_reason__name_en"]),
                "lessons": raw["win_loss__lessons"],
                "closed_on": raw["closed_at"].date() if raw["closed_at"] else None,
            }
            for raw in deals.exclude(win_loss__lessons="")
            .order_by("-closed_at", "-pk")
            .values(
                "pk",
                "code",
                "name",
                "closed_at",
                "outcome",
                "win_loss__primary_reason__name",
                "win_loss__primary_reason__name_en",
                "win_loss__lessons",
            )[:LESSONS_SHOWN]
        ]
        return Table(
            key="lessons",
            title=_("Lessons learned (latest %(n)s)") % {"n": LESSONS_SHOWN},
            columns=[
                Column("project", _("Project"), TEXT),
                Column("outcome", _("Outcome"), TEXT),
                Column("reason", _("Primary reason"), TEXT),
                Column("closed_on", _("Closed on"), "date"),
                Column("lessons", _("Lessons learned"), TEXT),
            ],
            rows=rows,
        )


def _label_rows(grouped: dict[str, list[dict[str, Any]]]) -> None:
    """Give the raw grouped rows the keys the dimensions' ``value_of`` and ``label_of`` read (names of owners
    and departments in one query each; quarters from the truncated timestamp, whatever its type)."""
    owners = {row["value"] for row in grouped["owner"]}
    people = {
        u["pk"]: u for u in User.objects.filter(pk__in=owners).values("pk", "first_name", "last_name", "username")
    }
    departments = dict(
        Department.objects.filter(pk__in={row["value"] for row in grouped["department"]}).values_list("pk", "name")
    )
    for row in grouped["owner"]:
        person = people.get(row["value"], {"first_name": "", "last_name": "", "username": str(row["value"])})
        row.update(
            owner=row["value"],
            owner__first_name=person["first_name"],
            owner__last_name=person["last_name"],
            owner__username=person["username"],
        )
    for row in grouped["department"]:
        row.update(department=row["value"], department__name=departments.get(row["value"]))
    for key in ("industry", "region", "source", "size_band"):
        for row in grouped[key]:
            row[key] = row["value"] or ""
    for row in grouped["quarter"]:
        moment = row["value"]
        row["quarter"] = moment if isinstance(moment, date | datetime) else date.fromisoformat(str(moment)[:10])


def money(value: Any) -> Decimal:
    """A sum as read straight from the database (a float on SQLite) to cents."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# --- figures ----------------------------------------------------------------------------------------------


def _quarter_figure(table: Table) -> Figure:
    quarters = [row["quarter"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Won"), x=quarters, y=[row["won"] for row in table.rows], marker_color="#198754")
    fig.add_bar(
        name=pgettext("outcome", "Lost"), x=quarters, y=[row["lost"] for row in table.rows], marker_color="#dc3545"
    )
    fig.add_bar(name=_("Abandoned"), x=quarters, y=[row["abandoned"] for row in table.rows], marker_color="#adb5bd")
    fig.add_scatter(
        name=_("Win rate (count)"),
        x=quarters,
        y=[row["win_rate"] for row in table.rows],
        yaxis="y2",
        mode="lines+markers",
        line_color="#0d6efd",
    )
    fig.update_layout(
        barmode="stack",
        yaxis={"title": _("Deals")},
        yaxis2={"title": "%", "overlaying": "y", "side": "right", "range": [0, 100]},
        xaxis={"type": "category"},
    )
    return Figure("win_rate_trend", _("Win rate by quarter"), fig)


def _pareto_figure(table: Table) -> Figure:
    reasons = [row["reason"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Deals"), x=reasons, y=[row["deals"] for row in table.rows], marker_color="#dc3545")
    fig.add_scatter(
        name=_("Cumulative share"),
        x=reasons,
        y=[row["cumulative"] for row in table.rows],
        yaxis="y2",
        mode="lines+markers",
        line_color="#212529",
    )
    fig.update_layout(
        yaxis={"title": _("Deals")}, yaxis2={"title": "%", "overlaying": "y", "side": "right", "range": [0, 105]}
    )
    return Figure("loss_pareto", _("Loss reasons (Pareto)"), fig)


def _competitor_figure(table: Table) -> Figure:
    rows = sorted(table.rows, key=lambda r: r["closed"])[-10:]
    fig = go.Figure(
        go.Bar(
            x=[row["win_rate"] or 0 for row in rows],
            y=[row["competitor"] for row in rows],
            orientation="h",
            text=[f"{row['won']}/{row['closed']}" for row in rows],
            marker_color="#0d6efd",
        )
    )
    fig.update_layout(xaxis={"title": _("Win rate (count)") + " %", "range": [0, 100]})
    return Figure("win_rate_competitor", _("Win rate against each competitor"), fig)


def _lost_at_figure(table: Table) -> Figure:
    fig = go.Figure(
        go.Bar(x=[row["state"] for row in table.rows], y=[row["deals"] for row in table.rows], marker_color="#fd7e14")
    )
    fig.update_layout(yaxis={"title": _("Deals")})
    return Figure("lost_at", _("Where deals were lost or abandoned"), fig)
