"""Competitors: for each competitor, the deals closed in the period where we met them, won and lost, our win rate
against them quarter by quarter; the price gap (our price against theirs) from bid opening records, and from
win/loss records where no opening record has their price; and where they beat us (industry, region, size band).

Price gap = (our price − their price) ÷ their price × 100: above 0 we were dearer.
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
from backend.bids.choices import Outcome
from backend.bids.models import Bid, BidOpeningEntry, WinLossRecord
from backend.projects.choices import PRESALES_OPEN
from backend.projects.models import Competitor, Project, ProjectCompetitor
from reports.base import (
    INT,
    MONEY,
    PERCENT,
    TEXT,
    Column,
    Figure,
    Report,
    ReportResult,
    Table,
    int_value,
    percentiles_by_group,
    rows_as_dicts,
    share,
    sql_of,
)
from reports.dimensions import DIMENSIONS, INDUSTRY, QUARTER, REGION, SIZE_BAND
from reports.filters import ReportFilters, deal_amount, scoped_projects
from reports.selectors.win_loss import OUTCOME_Q

# Price-gap buckets in per cent: (code, lower bound inclusive, upper bound exclusive)
GAP_BUCKETS: list[tuple[str, float | None, float | None]] = [
    ("lt-20", None, -20),
    ("-20-10", -20, -10),
    ("-10-5", -10, -5),
    ("-5-0", -5, 0),
    ("0-5", 0, 5),
    ("5-10", 5, 10),
    ("10-20", 10, 20),
    ("ge20", 20, None),
]
TREND_COMPETITORS = 5


def _bucket_label(low: float | None, high: float | None) -> str:
    if low is None:
        return f"< {high:g}%"
    if high is None:
        return f"≥ {low:g}%"
    return f"{low:g}% – {high:g}%"


def _bucket_case(expression: str) -> str:
    whens = []
    for code, low, high in GAP_BUCKETS:
        parts = []
        if low is not None:
            parts.append(f"{expression} >= {low}")
        if high is not None:
            parts.append(f"{expression} < {high}")
        whens.append(f"WHEN {' AND '.join(parts)} THEN '{code}'")
    return f"CASE {' '.join(whens)} END"


class CompetitorsReport(Report):
    name = "competitors"
    title = gettext_lazy("Competitors")
    description = gettext_lazy(
        "Who we meet, how often we beat them, how our prices compare with theirs and where they beat us, over "
        "the deals closed in the period."
    )
    audience = frozenset({"exec", "director", "bid_manager", "presales"})

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
        if key == "beaten_by":
            return Q(outcome__in=[Outcome.LOST, Outcome.ABANDONED], win_loss__winning_competitor=int_value(value))
        if key == "gap":
            competitor, _sep, bucket = value.partition("/")
            if bucket not in {code for code, _l, _h in GAP_BUCKETS}:
                raise ValueError(value)
            sql, params = self._gap_sql(self.scope(user=user, filters=filters))
            return Q(
                pk__in=RawSQL(
                    f"SELECT project_id FROM ({sql}) g WHERE g.competitor_id = %s AND g.bucket = %s",
                    (*params, int_value(competitor), bucket),
                )
            )
        if key == "open":
            return Q()
        return DIMENSIONS[key].q(value)

    def drill_scope(self, *, user: User, filters: ReportFilters, keys: set[str]) -> QuerySet[Project]:
        if "open" in keys:  # open deals facing a competitor now: not closed, no period
            return scoped_projects(user=user, filters=filters).filter(status__in=PRESALES_OPEN)
        return self.scope(user=user, filters=filters)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        result.tables.append(self._head_to_head(user, deals, filters))
        trend = self._trend(deals, filters, result.tables[0])
        gaps = self._gaps(deals, filters)
        result.tables.extend([trend, gaps])
        beaten = [self._beaten_by(deals, filters, dimension) for dimension in (INDUSTRY, REGION, SIZE_BAND)]
        result.tables.extend(beaten)
        result.figures = [_trend_figure(trend), _gap_figure(gaps), _beaten_figure(beaten[0])]

    def _head_to_head(self, user: User, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        amount = deal_amount()
        met = list(
            deals.filter(competitors__isnull=False)
            .values("competitors__competitor", "competitors__competitor__name")
            .annotate(
                met=Count("pk"),
                won=Count("pk", filter=OUTCOME_Q["won"]),
                lost=Count("pk", filter=OUTCOME_Q["not_won"]),
                met_amount=Sum(amount),
            )
            .order_by("-met", "competitors__competitor__name")
        )
        they_won = dict(
            deals.filter(outcome__in=[Outcome.LOST, Outcome.ABANDONED], win_loss__winning_competitor__isnull=False)
            .values_list("win_loss__winning_competitor")
            .annotate(n=Count("pk"))
            .order_by()
        )
        open_deals = dict(
            ProjectCompetitor.objects.filter(
                project__in=scoped_projects(user=user, filters=filters).filter(status__in=PRESALES_OPEN).values("pk")
            )
            .values_list("competitor")
            .annotate(n=Count("project"))
            .order_by()
        )
        rows = []
        for raw in met:
            competitor = raw["competitors__competitor"]
            rows.append(
                {
                    "key": str(competitor),
                    "id": competitor,
                    "competitor": raw["competitors__competitor__name"],
                    "met": raw["met"],
                    "won": raw["won"],
                    "lost": raw["lost"],
                    "they_won": they_won.get(competitor, 0),
                    "win_rate": share(raw["won"], raw["met"]),
                    "met_amount": raw["met_amount"],
                    "open": open_deals.get(competitor, 0),
                    "links": {
                        "met": self.link(filters, competitor=competitor, outcome="closed"),
                        "won": self.link(filters, competitor=competitor, outcome="won"),
                        "lost": self.link(filters, competitor=competitor, outcome="not_won"),
                        "they_won": self.link(filters, beaten_by=competitor),
                        "win_rate": self.link(filters, competitor=competitor, outcome="closed"),
                        "met_amount": self.link(filters, competitor=competitor, outcome="closed"),
                        "open": self.link(filters, competitor=competitor, open=1),
                    },
                }
            )
        return Table(
            key="head_to_head",
            title=_("Head to head"),
            columns=[
                Column("competitor", _("Competitor"), TEXT),
                Column("met", _("Deals met"), INT),
                Column("won", _("We won"), INT),
                Column("lost", _("We lost or abandoned"), INT),
                Column("they_won", _("They won"), INT),
                Column("win_rate", _("Our win rate"), PERCENT),
                Column("met_amount", _("Amount contested"), MONEY),
                Column("open", _("Open deals facing them now"), INT),
            ],
            rows=rows,
        )

    def _trend(self, deals: QuerySet[Project], filters: ReportFilters, head_to_head: Table) -> Table:
        top = [row["id"] for row in head_to_head.rows[:TREND_COMPETITORS]]
        raw_rows = (
            QUARTER.grouped(deals.filter(competitors__competitor__in=top))
            .values("quarter", "competitors__competitor", "competitors__competitor__name")
            .annotate(met=Count("pk"), won=Count("pk", filter=OUTCOME_Q["won"]))
            .order_by()
        )
        rows = []
        for raw in raw_rows:
            quarter = QUARTER.value_of(raw)
            competitor = raw["competitors__competitor"]
            rows.append(
                {
                    "key": f"{quarter}/{competitor}",
                    "quarter": quarter,
                    "competitor": raw["competitors__competitor__name"],
                    "met": raw["met"],
                    "won": raw["won"],
                    "win_rate": share(raw["won"], raw["met"]),
                    "links": {
                        "met": self.link(filters, quarter=quarter, competitor=competitor, outcome="closed"),
                        "won": self.link(filters, quarter=quarter, competitor=competitor, outcome="won"),
                        "win_rate": self.link(filters, quarter=quarter, competitor=competitor, outcome="closed"),
                    },
                }
            )
        rows.sort(key=lambda r: (r["quarter"], r["competitor"]))
        return Table(
            key="trend",
            title=_("Win rate against the top competitors, quarter by quarter"),
            columns=[
                Column("quarter", _("Quarter"), TEXT),
                Column("competitor", _("Competitor"), TEXT),
                Column("met", _("Deals met"), INT),
                Column("won", _("We won"), INT),
                Column("win_rate", _("Our win rate"), PERCENT),
            ],
            rows=rows,
        )

    @staticmethod
    def _gap_sql(deals: QuerySet[Project]) -> tuple[str, tuple[Any, ...]]:
        """One row per (deal, competitor) with a known price pair: bid openings first, else the win/loss record
        of a deal they won (our price against the winning price)."""
        scope_sql, params = sql_of(deals.values("pk"))
        entry, bid, record = BidOpeningEntry._meta.db_table, Bid._meta.db_table, WinLossRecord._meta.db_table
        opening = f"""
            SELECT b.project_id AS project_id, them.competitor_id AS competitor_id,
                   (us.price - them.price) * 100.0 / them.price AS gap
            FROM {entry} them
            JOIN {bid} b ON b.id = them.bid_id
            JOIN {entry} us ON us.bid_id = them.bid_id AND us.is_us
            WHERE NOT them.is_us AND them.price > 0 AND b.project_id IN ({scope_sql})
        """
        from_records = f"""
            SELECT w.project_id AS project_id, w.winning_competitor_id AS competitor_id,
                   (w.our_price - w.winning_price) * 100.0 / w.winning_price AS gap
            FROM {record} w
            WHERE w.winning_competitor_id IS NOT NULL AND w.our_price IS NOT NULL AND w.winning_price > 0
              AND w.project_id IN ({scope_sql})
              AND NOT EXISTS (
                  SELECT 1 FROM {entry} o JOIN {bid} ob ON ob.id = o.bid_id
                  WHERE ob.project_id = w.project_id AND o.competitor_id = w.winning_competitor_id
              )
        """
        # A deal with several bid rounds keeps the last round's gap against each competitor.
        sql = f"""
            SELECT project_id, competitor_id, gap, {_bucket_case("gap")} AS bucket
            FROM (
                SELECT project_id, competitor_id, gap,
                       ROW_NUMBER() OVER (PARTITION BY project_id, competitor_id ORDER BY src DESC) AS pick
                FROM (SELECT project_id, competitor_id, gap, 1 AS src FROM ({opening}) o
                      UNION ALL SELECT project_id, competitor_id, gap, 0 AS src FROM ({from_records}) r) u
            ) ranked WHERE pick = 1
        """
        return sql, params + params

    def _gaps(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        gap_sql, params = self._gap_sql(deals)
        buckets = ", ".join(
            f"SUM(CASE WHEN bucket = '{code}' THEN 1 ELSE 0 END) AS b_{i}"
            for i, (code, _l, _h) in enumerate(GAP_BUCKETS)
        )
        sql = percentiles_by_group(gap_sql, "gap", "competitor_id", [("median", 0.5)], extra=buckets, total=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = rows_as_dicts(cursor)
        names = dict(Competitor.objects.filter(pk__in=[r["competitor_id"] for r in found]).values_list("pk", "name"))
        columns = [
            Column("competitor", _("Competitor"), TEXT),
            Column("pairs", _("Price pairs"), INT),
            Column("median", _("Median gap (%)"), PERCENT),
        ]
        columns += [Column(f"b_{i}", _bucket_label(low, high), INT) for i, (_c, low, high) in enumerate(GAP_BUCKETS)]
        rows = []
        for raw in sorted(found, key=lambda r: (-r["n"], names.get(r["competitor_id"], ""))):
            competitor = raw["competitor_id"]
            row: dict[str, Any] = {
                "key": str(competitor),
                "competitor": names.get(competitor, ""),
                "pairs": raw["n"],
                "median": raw["median"],
                "links": {},
            }
            for i, (code, _l, _h) in enumerate(GAP_BUCKETS):
                row[f"b_{i}"] = raw[f"b_{i}"]
                row["links"][f"b_{i}"] = self.link(filters, gap=f"{competitor}/{code}")
            rows.append(row)
        return Table(
            key="price_gap",
            title=_("Our price against theirs: how far above (+) or below (−) we were"),
            columns=columns,
            rows=rows,
            note=_(
                "From bid opening records; where none has their price, from the win/loss record of a deal they won."
            ),
        )

    def _beaten_by(self, deals: QuerySet[Project], filters: ReportFilters, dimension: Any) -> Table:
        lost = deals.filter(outcome__in=[Outcome.LOST, Outcome.ABANDONED], win_loss__winning_competitor__isnull=False)
        raw_rows = (
            dimension.grouped(lost)
            .values(*dimension.fields, "win_loss__winning_competitor", "win_loss__winning_competitor__name")
            .annotate(deals=Count("pk"), amount=Sum(deal_amount()))
            .order_by()
        )
        rows = []
        for raw in raw_rows:
            value = dimension.value_of(raw)
            competitor = raw["win_loss__winning_competitor"]
            rows.append(
                {
                    "key": f"{competitor}/{value}",
                    "competitor": raw["win_loss__winning_competitor__name"],
                    dimension.key: dimension.label_of(raw),
                    "deals": raw["deals"],
                    "amount": raw["amount"],
                    "links": {
                        "deals": self.link(filters, beaten_by=competitor, **{dimension.key: value}),
                        "amount": self.link(filters, beaten_by=competitor, **{dimension.key: value}),
                    },
                }
            )
        rows.sort(key=lambda r: (r["competitor"], -r["deals"], str(r[dimension.key])))
        return Table(
            key=f"beaten_by_{dimension.key}",
            title=_("Where they beat us, by %(dimension)s") % {"dimension": str(dimension.label).lower()},
            columns=[
                Column("competitor", _("Competitor"), TEXT),
                Column(dimension.key, dimension.label, TEXT),
                Column("deals", _("Deals they won from us"), INT),
                Column("amount", _("Amount"), MONEY),
            ],
            rows=rows,
        )


def _trend_figure(table: Table) -> Figure:
    fig = go.Figure()
    for competitor in sorted({row["competitor"] for row in table.rows}):
        rows = [row for row in table.rows if row["competitor"] == competitor]
        fig.add_scatter(
            name=competitor, x=[r["quarter"] for r in rows], y=[r["win_rate"] for r in rows], mode="lines+markers"
        )
    fig.update_layout(yaxis={"title": _("Our win rate") + " %", "range": [0, 100]}, xaxis={"type": "category"})
    return Figure("trend", _("Our win rate against the top competitors"), fig)


def _gap_figure(table: Table) -> Figure:
    labels = [_bucket_label(low, high) for _c, low, high in GAP_BUCKETS]
    fig = go.Figure()
    for row in table.rows[:TREND_COMPETITORS]:
        fig.add_bar(name=row["competitor"], x=labels, y=[row[f"b_{i}"] for i in range(len(GAP_BUCKETS))])
    fig.update_layout(
        barmode="group", yaxis={"title": _("Price pairs")}, xaxis={"title": _("Our price against theirs")}
    )
    return Figure("price_gap", _("Price gap distribution"), fig)


def _beaten_figure(table: Table) -> Figure:
    fig = go.Figure()
    for competitor in sorted({row["competitor"] for row in table.rows}):
        rows = [row for row in table.rows if row["competitor"] == competitor]
        fig.add_bar(name=competitor, x=[r["industry"] for r in rows], y=[r["deals"] for r in rows])
    fig.update_layout(barmode="stack", yaxis={"title": _("Deals they won from us")})
    return Figure("beaten_by_industry", _("Where they beat us, by industry"), fig)
