"""Pipeline changes between two dates: deals added, moved forward or back a stage, won, lost (lost, abandoned or
rejected), whose amount changed, whose expected close date slipped or was pulled in, whose probability or forecast
category changed; each with its old and new value. Stage positions come from the event log (the status a deal had
at each date); field changes from the change events the project services record.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db import connection
from django.db.models import (
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from backend.accounts.models import User
from backend.bids.choices import Outcome
from backend.projects.choices import FUNNEL_STAGES, PRESALES_OPEN, STATUS_EVENT_KINDS, ForecastCategory, Status
from backend.projects.models import Project, ProjectEvent
from reports.base import (
    INT,
    MONEY,
    TEXT,
    Column,
    Figure,
    Metric,
    Report,
    ReportResult,
    Table,
    rows_as_dicts,
    scope_where,
    sql_of,
    sql_time,
)
from reports.dimensions import DIMENSIONS
from reports.filters import ReportFilters

ROWS_SHOWN = 200
CLOSED_NOT_WON = [Status.LOST, Status.ABANDONED, Status.REJECTED]
# the columns of a change row ("old" and "new" are the annotations of ``changed``)
ROW_FIELDS = (
    "pk", "code", "name", "old", "new", "estimated_amount", "contract_amount", "owner__first_name",
    "owner__last_name", "owner__username",
)  # fmt: skip
ORDER = {state: position for position, state in enumerate(FUNNEL_STAGES)}
CHANGES = ("added", "forward", "back", "won", "lost", "amount", "slipped", "pulled_in", "probability", "category")
FIELD_OF = {
    "amount": "estimated_amount",
    "slipped": "expected_close_date",
    "pulled_in": "expected_close_date",
    "probability": "probability",
    "category": "forecast_category",
}


def _label(change: str) -> str:
    return str(
        {
            "added": _("Added"),
            "forward": _("Moved forward"),
            "back": _("Moved back"),
            "won": _("Won"),
            "lost": _("Lost, abandoned or rejected"),
            "amount": _("Amount changed"),
            "slipped": _("Close date slipped"),
            "pulled_in": _("Close date pulled in"),
            "probability": _("Probability changed"),
            "category": _("Forecast category changed"),
        }[change]
    )


def _status_at(moment: Any) -> Subquery:
    """The deal's status just before ``moment`` (the target of its last status change before it)."""
    return Subquery(
        ProjectEvent.objects.filter(project=OuterRef("pk"), kind__in=STATUS_EVENT_KINDS, created_at__lt=moment)
        .exclude(source=F("target"))
        .order_by("-created_at", "-pk")
        .values("target")[:1],
        output_field=CharField(),
    )


def _id_old_new(rows: QuerySet[Project]) -> tuple[str, tuple[Any, ...]]:
    """SQL rows ``(id, old, new)`` of a queryset annotated with ``c_old`` and ``c_new``."""
    sql, params = sql_of(rows.annotate(c_id=F("pk")).values("c_id", "c_old", "c_new").order_by())
    return f"SELECT c_id AS id, c_old AS old, c_new AS new FROM ({sql}) r", params


def _changes_in(filters: ReportFilters, field: str) -> QuerySet[ProjectEvent]:
    return ProjectEvent.objects.filter(
        project=OuterRef("pk"), kind="change", field=field, created_at__gte=filters.start, created_at__lt=filters.end
    )


class PipelineChangesReport(Report):
    name = "pipeline-changes"
    title = gettext_lazy("Pipeline changes")
    description = gettext_lazy(
        "What changed between two dates: deals added, moved forward or back, won or lost, and changes of amount, "
        "close date, probability and forecast category, with old and new values."
    )
    audience = frozenset({"exec", "director", "bid_manager"})

    def default_period(self, today: Any) -> tuple[Any, Any]:
        from datetime import timedelta

        return today - timedelta(days=6), today

    def changes_sql(self, deals: QuerySet[Project], filters: ReportFilters, change: str) -> tuple[str, tuple[Any, ...]]:
        """The deals of one kind of change as SQL rows ``(id, old, new)``, each value read once per deal; the
        figures and the drill-down both select from it."""
        start, end = filters.start, filters.end
        if change == "added":
            rows = deals.filter(created_at__gte=start, created_at__lt=end).annotate(
                c_old=Value("", output_field=CharField()), c_new=F("status")
            )
            return _id_old_new(rows)
        if change in ("won", "lost"):
            outcome = Q(outcome=Outcome.WON) if change == "won" else Q(status__in=CLOSED_NOT_WON)
            rows = deals.filter(outcome, closed_at__gte=start, closed_at__lt=end).annotate(
                c_old=_status_at(start), c_new=Value(change, output_field=CharField())
            )
            return _id_old_new(rows)
        if change in ("forward", "back"):
            # only a deal whose status changed in the period can stand elsewhere at its end than at its start
            changed = (
                ProjectEvent.objects.filter(kind__in=STATUS_EVENT_KINDS, created_at__gte=start, created_at__lt=end)
                .exclude(source=F("target"))
                .values("project_id")
            )
            candidates = (
                deals.filter(created_at__lt=start, pk__in=changed)
                .exclude(closed_at__gte=start, closed_at__lt=end)
                .annotate(c_old=_status_at(start), c_new=_status_at(end))
            )
            sql, params = _id_old_new(candidates)
            order = " ".join(f"WHEN '{state}' THEN {position}" for state, position in ORDER.items())
            open_states = ", ".join(f"'{state}'" for state in PRESALES_OPEN)
            compare = ">" if change == "forward" else "<"
            # the two states are read once per deal (materialised), then compared by their funnel position
            return (
                f"WITH m AS MATERIALIZED ({sql}) SELECT id, old, new FROM m WHERE m.old IN ({open_states}) "
                f"AND m.new IN ({open_states}) AND (CASE m.new {order} END) {compare} (CASE m.old {order} END)",
                params,
            )
        # a field change: its first old and last new value in the period, one pass over the period's events
        in_scope, params = scope_where(deals, "e.project_id")
        event = ProjectEvent._meta.db_table
        condition = {
            "slipped": "c.old <> '' AND c.new <> '' AND c.new > c.old",
            "pulled_in": "c.old <> '' AND c.new <> '' AND c.new < c.old",
        }.get(change, "c.old <> c.new")
        sql = f"""
            SELECT c.id, c.old, c.new FROM (
                SELECT e.project_id AS id,
                       FIRST_VALUE(e.old_value) OVER w AS old, LAST_VALUE(e.new_value) OVER w AS new,
                       ROW_NUMBER() OVER (PARTITION BY e.project_id ORDER BY e.created_at, e.id) AS rn
                FROM {event} e
                WHERE e.kind = 'change' AND e.field = %s AND e.created_at >= %s AND e.created_at < %s AND {in_scope}
                WINDOW w AS (PARTITION BY e.project_id ORDER BY e.created_at, e.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            ) c WHERE c.rn = 1 AND {condition}
        """
        return sql, (FIELD_OF[change], sql_time(start), sql_time(end), *params)

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "change":
            if value not in CHANGES:
                raise ValueError(value)
            sql, params = self.changes_sql(self.scope(user=user, filters=filters), filters, value)
            return Q(pk__in=RawSQL(f"SELECT id FROM ({sql}) x", params))
        return DIMENSIONS[key].q(value)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        project, user_table = Project._meta.db_table, User._meta.db_table
        number = "NUMERIC" if connection.vendor == "postgresql" else "REAL"
        for change in CHANGES:
            sql, params = self.changes_sql(deals, filters, change)
            delta = f"SUM(CAST(c.new AS {number}) - CAST(c.old AS {number})) OVER ()" if change == "amount" else "0"
            # the shown rows and the totals of all of them in one query: window aggregates are computed over
            # every matching deal before the LIMIT
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    WITH c AS MATERIALIZED ({sql})
                    SELECT p.id AS pk, p.code, p.name, c.old, c.new, p.estimated_amount, p.contract_amount,
                           u.first_name AS owner__first_name, u.last_name AS owner__last_name,
                           u.username AS owner__username, COUNT(*) OVER () AS w_deals, {delta} AS w_delta
                    FROM c JOIN {project} p ON p.id = c.id JOIN {user_table} u ON u.id = p.owner_id
                    ORDER BY p.id DESC LIMIT {ROWS_SHOWN}
                    """,
                    params,
                )
                found = rows_as_dicts(cursor)
            first = found[0] if found else {}
            totals = {"deals": first.get("w_deals", 0), "delta": first.get("w_delta") or 0}
            link = self.link(filters, change=change)
            result.metrics.append(Metric(change, _label(change), totals["deals"], INT, link))
            rows = [self._row(raw, change) for raw in found]
            columns = [
                Column("project", _("Project"), TEXT),
                Column("owner", _("Owner"), TEXT),
                Column("old", pgettext("change", "From"), TEXT),
                Column("new", pgettext("change", "To"), TEXT),
                Column("amount", _("Amount"), MONEY),
            ]
            note = ""
            if totals["deals"] > ROWS_SHOWN:
                note = _("%(shown)s of %(total)s deals shown; the link lists them all.") % {
                    "shown": ROWS_SHOWN,
                    "total": totals["deals"],
                }
            if change == "amount":
                net = Decimal(str(totals["delta"])).quantize(Decimal("0.01"))
                note = (note + " " + _("Net change: %(delta)s") % {"delta": f"{net:,.2f}"}).strip()
            result.tables.append(Table(key=change, title=_label(change), columns=columns, rows=rows, note=note))
        result.figures = [_changes_figure(result)]

    @staticmethod
    def _row(raw: dict[str, Any], change: str) -> dict[str, Any]:
        from backend.accounts.models import person_name

        return {
            "key": str(raw["pk"]),
            "id": raw["pk"],
            "project": f"{raw['code']} {raw['name']}",
            "owner": person_name(raw["owner__first_name"], raw["owner__last_name"], raw["owner__username"]),
            "old": _value_label(change, raw["old"]),
            "new": _value_label(change, raw["new"]),
            "amount": raw["contract_amount"] if raw["contract_amount"] is not None else raw["estimated_amount"],
        }


def _value_label(change: str, value: Any) -> str:
    if value in (None, ""):
        return _("stage default") if change == "category" else "—"
    if change == "won" and value == "won":
        return str(Status.WON.label)
    if change == "lost" and value == "lost":
        return _("Lost, abandoned or rejected")
    if change in ("added", "won", "lost", "forward", "back") and value in Status.values:
        return str(Status(value).label)
    if change == "category" and value in ForecastCategory.values:
        return str(ForecastCategory(value).label)
    if change == "probability":
        return f"{value}%"
    if change == "amount":
        try:
            return f"{float(value):,.2f}"
        except ValueError:
            return str(value)
    return str(value)


def _changes_figure(result: ReportResult) -> Figure:
    fig = go.Figure(
        go.Bar(x=[str(m.label) for m in result.metrics], y=[m.value for m in result.metrics], marker_color="#0d6efd")
    )
    fig.update_layout(yaxis={"title": _("Deals")})
    return Figure("changes", _("Changes in the period"), fig)
