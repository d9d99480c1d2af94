"""The service report (服务报表): over a date range, the service requests created, resolved and closed, SLA
attainment, first-response and resolution times in working hours (average and median) and the satisfaction
surveys (answers, average score, response rate), in total and by customer, category and engineer (assignee).
Read-only; every figure is an aggregate in SQL over the requests the user may see (``visible_to``), in a fixed
number of queries whatever the number of requests.

What counts in the period ``[from, to]``:
- volume: requests created, resolved (``resolved_at``), closed (``closed_at``) in it;
- SLA attainment (requests with an SLA policy only): a clock that stopped in the period met its target unless it
  was breached; a clock still running that is already breached counts as missed in the period its deadline fell
  in (so not answering does not hide a miss). Attainment = met / (met + missed);
- times: the working minutes each clock ran (``response_minutes``, ``resolution_minutes``) of the clocks that
  stopped in the period, shown in hours; the median is the nearest rank (the lower middle of an even count);
- satisfaction: the surveys sent in the period, less those superseded unanswered (a request closed again got a
  newer one); answered of them, their average score (1–5) and the response rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
from django.db import connection
from django.db.models import Avg, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from backend.accounts.models import User, person_name
from backend.accounts.selectors import department_subtree_ids
from backend.core.permissions import visible_to
from backend.service.choices import Category
from backend.service.models import ServiceRequest, Survey
from reports.base import (
    INT,
    PERCENT,
    SCORE,
    TEXT,
    Column,
    Figure,
    Metric,
    Report,
    ReportResult,
    Table,
    percentiles_by_group,
    rows_as_dicts,
    share,
    sql_of,
)
from reports.filters import ReportFilters

# the groupings: key → the request's column grouped by
GROUPS = {"customer": "customer_id", "category": "category", "engineer": "assignee_id"}
UNASSIGNED = "none"


def _in(field: str, filters: ReportFilters) -> Q:
    return Q(**{f"{field}__gte": filters.start, f"{field}__lt": filters.end})


def request_measures(filters: ReportFilters) -> dict[str, Any]:
    """The aggregates of one group of requests (see the module's docstring for what counts)."""
    sla = Q(sla_policy__isnull=False)
    responded, resolved = _in("first_response_at", filters), _in("resolved_at", filters)
    response_missed = (
        sla
        & Q(response_breached=True)
        & (responded | (Q(first_response_at__isnull=True) & _in("response_due_at", filters)))
    )
    resolution_missed = (
        sla
        & Q(resolution_breached=True)
        & (resolved | (Q(resolved_at__isnull=True) & _in("resolution_due_at", filters)))
    )
    return {
        "created": Count("pk", filter=_in("created_at", filters)),
        "resolved": Count("pk", filter=resolved),
        "closed": Count("pk", filter=_in("closed_at", filters)),
        "response_met": Count("pk", filter=sla & responded & Q(response_breached=False)),
        "response_missed": Count("pk", filter=response_missed),
        "resolution_met": Count("pk", filter=sla & resolved & Q(resolution_breached=False)),
        "resolution_missed": Count("pk", filter=resolution_missed),
        "response_avg": Avg("response_minutes", filter=responded),
        "resolution_avg": Avg("resolution_minutes", filter=resolved),
    }


def survey_measures() -> dict[str, Any]:
    answered = Q(answered_at__isnull=False)
    return {
        "surveys_sent": Count("pk"),
        "surveys_answered": Count("pk", filter=answered),
        "csat_avg": Avg("score", filter=answered),
    }


def _touching(filters: ReportFilters) -> Q:
    """Requests with anything in the period (the others add nothing to any figure)."""
    return (
        _in("created_at", filters)
        | _in("first_response_at", filters)
        | _in("resolved_at", filters)
        | _in("closed_at", filters)
        | (Q(first_response_at__isnull=True) & _in("response_due_at", filters))
        | (Q(resolved_at__isnull=True) & _in("resolution_due_at", filters))
    )


def surveys_counted(requests: QuerySet[ServiceRequest], filters: ReportFilters) -> QuerySet[Survey]:
    """The surveys of ``requests`` sent in the period, without those superseded unanswered."""
    newer = Survey.objects.filter(request=OuterRef("request"), pk__gt=OuterRef("pk"))
    return (
        Survey.objects.filter(_in("sent_at", filters), request__in=requests.order_by().values("pk"))
        .exclude(Q(answered_at__isnull=True) & Exists(newer))
        .order_by()
    )


def medians(requests: QuerySet[ServiceRequest], filters: ReportFilters, field: str, stopped: str) -> dict[Any, float]:
    """The nearest-rank median of ``field`` over the requests whose clock stopped (``stopped``) in the period,
    per ``(group, value)`` for each grouping and ``("total", "")``: one query."""
    base = requests.filter(_in(stopped, filters), **{f"{field}__isnull": False}).order_by()
    text = CharField()
    parts = [base.values(k=Value("total", output_field=text), g=Value("", output_field=text), v=F(field))]
    for key, column in GROUPS.items():
        parts.append(base.values(k=Value(key, output_field=text), g=Cast(column, output_field=text), v=F(field)))
    union = parts[0].union(*parts[1:], all=True)
    source_sql, params = sql_of(union)
    sql = percentiles_by_group(source_sql, "v", "k, g", [("median", 0.5)], total=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = rows_as_dicts(cursor)
    return {(row["k"], row["g"] or ""): float(row["median"]) for row in rows if row["median"] is not None}


def _hours(minutes: Any) -> float | None:
    return None if minutes is None else float(minutes) / 60


class ServiceReport(Report):
    name = "service"
    title = gettext_lazy("Service report")
    description = gettext_lazy(
        "Service requests created, resolved and closed; SLA attainment; first-response and resolution times in "
        "working hours (average and median); customer satisfaction from the surveys; by customer, category and "
        "engineer."
    )
    audience = frozenset({"exec", "director", "service"})

    def requests(self, *, user: User, filters: ReportFilters) -> QuerySet[ServiceRequest]:
        """The requests ``user`` may see, narrowed by the filters that apply to them: owner and department are
        the engineer's (the assignee), industry and region the customer's."""
        qs = visible_to(user, ServiceRequest.objects.all())
        if filters.owner is not None:
            qs = qs.filter(assignee=filters.owner)
        if filters.department is not None:
            qs = qs.filter(assignee__department__in=department_subtree_ids(root_ids={filters.department.pk}))
        if filters.industry:
            qs = qs.filter(customer__industry=filters.industry)
        if filters.region:
            qs = qs.filter(customer__region=filters.region)
        return qs.order_by()

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        requests = self.requests(user=user, filters=filters)
        touching = requests.filter(_touching(filters))
        measures = request_measures(filters)
        total: dict[str, Any] = dict(touching.aggregate(**measures))
        surveys = surveys_counted(requests, filters)
        total.update(surveys.aggregate(**survey_measures()))
        response_medians = medians(requests, filters, "response_minutes", "first_response_at")
        resolution_medians = medians(requests, filters, "resolution_minutes", "resolved_at")

        label_fields = {
            "customer": ("customer_id", "customer__name"),
            "category": ("category",),
            "engineer": ("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username"),
        }
        tables = []
        for key, column in GROUPS.items():
            fields = label_fields[key]
            grouped: dict[str, dict[str, Any]] = {}
            for row in touching.values(*fields).annotate(**measures).order_by():
                grouped[self._group(row, column)] = {**row, "label": self._label(key, row)}
            for row in surveys.values(*(f"request__{f}" for f in fields)).annotate(**survey_measures()).order_by():
                plain = {f: row[f"request__{f}"] for f in fields}
                group = self._group(plain, column)
                target = grouped.setdefault(group, {**plain, "label": self._label(key, plain)})
                target.update({k: row[k] for k in survey_measures()})
            rows = []
            for group, row in grouped.items():
                medians_key = (key, "" if group == UNASSIGNED else group)
                rows.append(
                    self._row(row, group, response_medians.get(medians_key), resolution_medians.get(medians_key))
                )
            rows.sort(key=lambda r: (-r["created"], -r["resolved"], str(r["group"])))
            tables.append(
                Table(
                    key=f"by_{key}",
                    title={
                        "customer": _("By customer"),
                        "category": _("By category"),
                        "engineer": _("By engineer"),
                    }[key],
                    columns=self.columns(key),
                    rows=rows,
                )
            )
        summary = self._row(
            {**total, "label": _("All requests")},
            "total",
            response_medians.get(("total", "")),
            resolution_medians.get(("total", "")),
        )
        result.metrics = [
            Metric("created", _("Requests created"), summary["created"], INT, counts_deals=False),
            Metric("resolved", _("Requests resolved"), summary["resolved"], INT, counts_deals=False),
            Metric("closed", _("Requests closed"), summary["closed"], INT, counts_deals=False),
            Metric(
                "response_sla", _("First response within SLA"), summary["response_sla"], PERCENT, counts_deals=False
            ),
            Metric("resolution_sla", _("Resolved within SLA"), summary["resolution_sla"], PERCENT, counts_deals=False),
            Metric("response_avg", _("Average first response (h)"), summary["response_avg"], SCORE, counts_deals=False),
            Metric(
                "response_median", _("Median first response (h)"), summary["response_median"], SCORE, counts_deals=False
            ),
            Metric("resolution_avg", _("Average resolution (h)"), summary["resolution_avg"], SCORE, counts_deals=False),
            Metric(
                "resolution_median",
                _("Median resolution (h)"),
                summary["resolution_median"],
                SCORE,
                counts_deals=False,
            ),
            Metric("csat_avg", _("Average satisfaction (1–5)"), summary["csat_avg"], SCORE, counts_deals=False),
            Metric("surveys_answered", _("Surveys answered"), summary["surveys_answered"], INT, counts_deals=False),
            Metric("survey_rate", _("Survey response rate"), summary["survey_rate"], PERCENT, counts_deals=False),
        ]
        result.tables = tables
        result.tables[0].note = _(
            "SLA attainment counts requests with an SLA: a clock that stopped in the period met its target unless "
            "breached; a breached clock still running counts as missed in the period of its deadline. Times are "
            "working hours; the median is the middle value (the lower one of an even count)."
        )
        result.figures = [_sla_figure(tables[2].rows)]

    @staticmethod
    def _group(row: Mapping[str, Any], column: str) -> str:
        value = row[column]
        return UNASSIGNED if value is None else str(value)

    @staticmethod
    def _label(key: str, row: Mapping[str, Any]) -> str:
        if key == "customer":
            return row["customer__name"]
        if key == "category":
            value = row["category"]
            return str(Category(value).label) if value in Category.values else str(value)
        if row["assignee_id"] is None:
            return _("Unassigned")
        return person_name(row["assignee__first_name"], row["assignee__last_name"], row["assignee__username"])

    @staticmethod
    def _row(row: Mapping[str, Any], group: str, response_median: Any, resolution_median: Any) -> dict[str, Any]:
        sent, answered = row.get("surveys_sent") or 0, row.get("surveys_answered") or 0
        response_met, response_missed = row.get("response_met") or 0, row.get("response_missed") or 0
        resolution_met, resolution_missed = row.get("resolution_met") or 0, row.get("resolution_missed") or 0
        return {
            "key": group,
            "group": row["label"],
            "created": row.get("created") or 0,
            "resolved": row.get("resolved") or 0,
            "closed": row.get("closed") or 0,
            "response_sla": share(response_met, response_met + response_missed),
            "resolution_sla": share(resolution_met, resolution_met + resolution_missed),
            "response_avg": _hours(row.get("response_avg")),
            "response_median": _hours(response_median),
            "resolution_avg": _hours(row.get("resolution_avg")),
            "resolution_median": _hours(resolution_median),
            "surveys_answered": answered,
            "csat_avg": float(row["csat_avg"]) if row.get("csat_avg") is not None else None,
            "survey_rate": share(answered, sent),
        }

    @staticmethod
    def columns(key: str) -> list[Column]:
        first = {"customer": _("Customer"), "category": _("Category"), "engineer": _("Engineer")}[key]
        return [
            Column("group", first, TEXT),
            Column("created", _("Created"), INT, counts_deals=False),
            Column("resolved", pgettext("service report", "Resolved"), INT, counts_deals=False),
            Column("closed", pgettext("service report", "Closed"), INT, counts_deals=False),
            Column("response_sla", _("First response within SLA"), PERCENT, counts_deals=False),
            Column("resolution_sla", _("Resolved within SLA"), PERCENT, counts_deals=False),
            Column("response_avg", _("Average first response (h)"), SCORE, counts_deals=False),
            Column("response_median", _("Median first response (h)"), SCORE, counts_deals=False),
            Column("resolution_avg", _("Average resolution (h)"), SCORE, counts_deals=False),
            Column("resolution_median", _("Median resolution (h)"), SCORE, counts_deals=False),
            Column("surveys_answered", _("Surveys answered"), INT, counts_deals=False),
            Column("csat_avg", _("Average satisfaction (1–5)"), SCORE, counts_deals=False),
            Column("survey_rate", _("Survey response rate"), PERCENT, counts_deals=False),
        ]


def _sla_figure(rows: list[dict[str, Any]]) -> Figure:
    shown = rows[:20]
    fig = go.Figure()
    names = [str(row["group"]) for row in shown]
    fig.add_bar(name=_("First response within SLA"), x=names, y=[row["response_sla"] for row in shown])
    fig.add_bar(name=_("Resolved within SLA"), x=names, y=[row["resolution_sla"] for row in shown])
    fig.update_layout(barmode="group", yaxis={"title": "%", "range": [0, 100]})
    return Figure("sla_by_engineer", _("SLA attainment by engineer"), fig)
