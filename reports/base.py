"""What every report is made of: tables of typed columns whose figures link to the deals behind them, headline
metrics, Plotly figures, and the ``Report`` base class (filters → result, cell → the exact projects).

A figure's link is ``/projects/?report=<name>&cell=<cell>&<filters>``; ``cell`` is a list of ``key:value``
conditions (``competitor:5;outcome:won``) that the report turns into a ``Q`` with ``cell_q``. The project list
resolves it through the same ``scope`` the figure was aggregated from, so the list holds exactly the deals the
figure counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import ValidationFailed
from backend.projects.models import Project
from reports.filters import ReportFilters, parse_filters, scoped_projects

# Column kinds: how a value is written in JSON, CSV and XLSX and shown on the page.
TEXT, INT, MONEY, PERCENT, DAYS, DATE, SCORE = "text", "int", "money", "percent", "days", "date", "score"
RATIO = "ratio"  # a plain number to four decimals (the Brier score)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    # False for a count of something other than deals (stays, price pairs …): its link lists the deals behind it.
    counts_deals: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": str(self.label), "kind": self.kind, "counts_deals": self.counts_deals}


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "note": str(self.note),
            "columns": [c.as_dict() for c in self.columns],
            "rows": [
                {**{c.key: to_json(row.get(c.key), c.kind) for c in self.columns}, **_extras(row)} for row in self.rows
            ],
        }


def _extras(row: Mapping[str, Any]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if row.get("links"):
        extras["links"] = dict(row["links"])
    if row.get("id") is not None and "id" not in extras:
        extras["id"] = row["id"]
    return extras


@dataclass
class Metric:
    key: str
    label: str
    value: Any
    kind: str = INT
    link: str = ""
    counts_deals: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "value": to_json(self.value, self.kind),
            "kind": self.kind,
            "link": self.link,
            "counts_deals": self.counts_deals,
        }


@dataclass
class Figure:
    key: str
    title: str
    figure: Any  # a plotly.graph_objects.Figure

    def as_dict(self) -> dict[str, Any]:
        self.figure.update_layout(
            template="none",
            font={"family": "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", "size": 12},
            margin={"l": 50, "r": 50, "t": 30, "b": 50},
            legend={"orientation": "h", "y": -0.25},
        )
        # long category names (competitors, departments) and the right-hand percent axis get the room they need
        self.figure.update_xaxes(automargin=True)
        self.figure.update_yaxes(automargin=True)
        if "yaxis2" in self.figure.layout and self.figure.layout.yaxis2.overlaying:
            self.figure.update_layout(yaxis2={"automargin": True, "tickvals": [0, 25, 50, 75, 100]})
        return {"key": self.key, "title": str(self.title), "figure": json.loads(self.figure.to_json())}


@dataclass
class ReportResult:
    name: str
    title: str
    description: str
    filters: ReportFilters
    metrics: list[Metric] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "title": str(self.title),
            "description": str(self.description),
            "filters": self.filters.describe(),
            "metrics": [m.as_dict() for m in self.metrics],
            "tables": [t.as_dict() for t in self.tables],
            "figures": [f.as_dict() for f in self.figures],
        }


def to_json(value: Any, kind: str) -> Any:
    """Money as a string with two decimals (exact), shares and days as numbers with one decimal."""
    if value is None:
        return None
    if kind == MONEY:
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    if kind in (PERCENT, DAYS, SCORE):
        return round(float(value), 1)
    if kind == RATIO:
        return round(float(value), 4)
    if kind == INT:
        return int(value)
    if kind == DATE:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    return str(value)


def share(part: Any, whole: Any) -> float | None:
    """``part`` as a percentage of ``whole`` (None when there is no whole)."""
    if not whole:
        return None
    return float(Decimal(part or 0) * 100 / Decimal(whole))


# --- periods ----------------------------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_period_key(value: str) -> tuple[date, date]:
    """``2026-Q3`` or ``2026-07`` → (first day, first day of the next period)."""
    try:
        if "-Q" in value:
            year, quarter = value.split("-Q")
            start = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
            return start, add_months(start, 3)
        year, month = value.split("-")
        start = date(int(year), int(month), 1)
        return start, add_months(start, 1)
    except (ValueError, TypeError):
        raise ValueError(value) from None


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def trailing_year(today: date) -> tuple[date, date]:
    """The default period: the twelve months up to today."""
    return add_months(date(today.year, today.month, 1), -11), today


# --- the report base class --------------------------------------------------------------------------------


@contextmanager
def analytics_session() -> Iterator[None]:
    """Run a report's queries in one transaction with the settings analytics need on PostgreSQL: memory to
    aggregate and sort hundreds of thousands of rows without spilling to disk (``REPORT_WORK_MEM``), and no
    JIT compilation (it costs more than it saves on queries of a second). Local to the transaction."""
    from django.conf import settings
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                    [settings.REPORT_WORK_MEM],
                )
        yield


class Report:
    """One analysis. Subclasses set the names and implement ``compute`` (and ``cell_q`` for drill-downs)."""

    name: str = ""
    title: Any = ""
    description: Any = ""
    # Roles that find the report in the navigation (everyone may open it, and sees only their own deals).
    audience: frozenset[str] = frozenset({"exec", "director"})

    def default_period(self, today: date) -> tuple[date, date]:
        return trailing_year(today)

    def filters(self, params: Mapping[str, Any]) -> ReportFilters:
        return parse_filters(params, default_period=self.default_period(timezone.localdate()))

    def scope(self, *, user: User, filters: ReportFilters) -> QuerySet[Project]:
        """The projects the report's figures are computed over (visible and filtered)."""
        return scoped_projects(user=user, filters=filters)

    def run(self, *, user: User, params: Mapping[str, Any]) -> ReportResult:
        filters = self.filters(params)
        result = ReportResult(name=self.name, title=self.title, description=self.description, filters=filters)
        with analytics_session():
            self.compute(user=user, filters=filters, result=result)
        return result

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        raise NotImplementedError

    # --- drill-downs ---------------------------------------------------------------------------------------
    def link(self, filters: ReportFilters, **cell: Any) -> str:
        """The project list holding exactly the deals of the figure ``cell`` describes (a report makes hundreds:
        the list's address and the filters are encoded once per run)."""
        prefix = filters.__dict__.get("_link_prefix")
        if prefix is None:
            prefix = f"{reverse('projects:list')}?{urlencode({'report': self.name})}"
            filters.__dict__["_link_prefix"] = prefix
            filters.__dict__["_link_query"] = urlencode(filters.as_params())
        return f"{prefix}&cell={quote(encode_cell(cell), safe='')}&{filters.__dict__['_link_query']}"

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        """The condition of one ``key:value`` of a cell; unknown keys are refused."""
        raise KeyError(key)

    def drill_scope(self, *, user: User, filters: ReportFilters, keys: set[str]) -> QuerySet[Project]:
        """The projects a figure with cell ``keys`` was computed over (the report's scope, unless a figure
        counts from another set, such as open deals)."""
        return self.scope(user=user, filters=filters)

    def drill(self, *, user: User, params: Mapping[str, Any]) -> QuerySet[Project]:
        filters = self.filters(params)
        conditions = decode_cell(str(params.get("cell", "")))
        qs = self.drill_scope(user=user, filters=filters, keys={key for key, _value in conditions})
        for key, value in conditions:
            try:
                qs = qs.filter(self.cell_q(user=user, filters=filters, key=key, value=value))
            except (KeyError, ValueError, LookupError):
                raise ValidationFailed(
                    _("The report figure '%(cell)s' does not exist in %(report)s.")
                    % {"cell": f"{key}:{value}", "report": self.title},
                    fields={"cell": [_("unknown figure")]},
                    code="unknown_cell",
                ) from None
        return qs

    def drill_label(self, params: Mapping[str, Any]) -> str:
        from reports.labels import cell_text

        conditions = decode_cell(str(params.get("cell", "")))
        filters = self.filters(params)
        period = f"{filters.date_from.isoformat()} – {filters.date_to.isoformat()}"
        narrowed = [(k, v) for k, v in filters.as_params().items() if k not in ("date_from", "date_to")]
        return " · ".join([str(self.title), *(cell_text(k, v) for k, v in [*conditions, *narrowed]), period])


def encode_cell(cell: Mapping[str, Any]) -> str:
    return ";".join(f"{key}:{getattr(value, 'pk', value)}" for key, value in cell.items() if value is not None)


def decode_cell(cell: str) -> list[tuple[str, str]]:
    pairs = []
    for part in filter(None, cell.split(";")):
        key, sep, value = part.partition(":")
        if not sep or not key:
            raise ValidationFailed(
                _("The report figure '%(cell)s' is not written as key:value.") % {"cell": part},
                fields={"cell": [_("malformed")]},
                code="unknown_cell",
            )
        pairs.append((key, value))
    return pairs


def int_value(value: str) -> int:
    number = int(value)
    if not 0 < number < 2**63:
        raise ValueError(value)
    return number


# --- SQL helpers ------------------------------------------------------------------------------------------


def unrestricted(deals: QuerySet[Any]) -> bool:
    """The scope is every project (an executive's view without filters): other tables need not be narrowed to it."""
    return not deals.query.where


def within(queryset: QuerySet[Any], deals: QuerySet[Any], path: str = "project") -> QuerySet[Any]:
    """``queryset`` (milestones, terms …) narrowed to the projects of ``deals`` through ``path``."""
    return queryset if unrestricted(deals) else queryset.filter(**{f"{path}__in": deals.values("pk")})


def scope_where(deals: QuerySet[Any], column: str) -> tuple[str, tuple[Any, ...]]:
    """A condition for hand-written SQL: ``column`` is one of the projects of ``deals``."""
    if unrestricted(deals):
        return "1 = 1", ()
    sql, params = sql_of(deals.values("pk"))
    return f"{column} IN ({sql})", params


def sql_of(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of ``queryset`` (to use as a sub-select inside hand-written SQL)."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def rank_columns(value: str, partition: str = "") -> str:
    """``rn`` (rank of ``value`` within its partition) and ``n`` (the partition's size), for percentiles."""
    over = f"PARTITION BY {partition}" if partition else ""
    return f"ROW_NUMBER() OVER ({over} ORDER BY {value}) AS rn, COUNT(*) OVER ({over}) AS n"


def percentile_aggregates(value: str, points: Sequence[tuple[str, float]]) -> str:
    """``MIN(value)`` over the rows at or past each nearest-rank point (the p-th percentile), plus the count."""
    parts = [f"MIN(CASE WHEN rn >= {p} * n THEN {value} END) AS {name}" for name, p in points]
    return ", ".join([*parts, "MAX(n) AS n"])


def percentiles_by_group(
    source_sql: str,
    value: str,
    group: str,
    points: Sequence[tuple[str, float]],
    *,
    extra: str = "",
    total: bool = True,
) -> str:
    """Nearest-rank percentiles of ``value`` per ``group`` (and over everything, ``group`` NULL, with
    ``total``) from the sub-select ``source_sql``, plus ``extra`` aggregates: ordered-set aggregates in one pass
    on PostgreSQL (``percentile_disc`` is the nearest rank), window functions on SQLite. Columns: group, each
    point's name, n, then the extra ones."""
    from django.db import connection

    more = f", {extra}" if extra else ""
    if connection.vendor == "postgresql":
        aggregates = ", ".join(f"percentile_disc({p}) WITHIN GROUP (ORDER BY {value}) AS {name}" for name, p in points)
        grouping = f"GROUPING SETS (({group}), ())" if total else group
        return f"SELECT {group}, {aggregates}, COUNT(*) AS n{more} FROM ({source_sql}) s GROUP BY {grouping}"
    per_group = (
        f"SELECT {group}, {percentile_aggregates(value, points)}{more} FROM "
        f"(SELECT s.*, {rank_columns(value, group)} FROM s) r GROUP BY {group}"
    )
    overall = (
        f" UNION ALL SELECT NULL, {percentile_aggregates(value, points)}{more} FROM "
        f"(SELECT s.*, {rank_columns(value)} FROM s) r"
    )
    return f"WITH s AS MATERIALIZED ({source_sql}) {per_group}{overall if total else ''}"


def days_between_sql(vendor: str, end: str, start: str) -> str:
    """Days (with fractions) from ``start`` to ``end``, two timestamp expressions, on SQLite or PostgreSQL."""
    if vendor == "sqlite":
        return f"(julianday({end}) - julianday({start}))"
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


def sql_time(moment: datetime) -> Any:
    """``moment`` as the database stores it, for parameters of hand-written SQL (SQLite keeps naive UTC text;
    the ORM converts its own parameters, raw SQL must do it here)."""
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(moment)


def grouping_sets(base_sql: str, columns: Sequence[str], measures: str) -> str:
    """One pass over ``base_sql`` (a sub-select with ``columns``) grouped by each column on its own and by
    nothing (the totals): ``GROUPING SETS`` on PostgreSQL, a materialised ``UNION ALL`` on SQLite. Each result
    row starts with ``mask`` (the ``GROUPING()`` bits: the grouped column's bit is 0, all 1 for the totals),
    then the columns (NULL where not grouped), then ``measures``."""
    from django.db import connection

    n = len(columns)
    everything = (1 << n) - 1
    if connection.vendor == "postgresql":
        sets = ", ".join([*(f"({c})" for c in columns), "()"])
        return (
            f"SELECT GROUPING({', '.join(columns)}) AS mask, {', '.join(columns)}, {measures} "
            f"FROM ({base_sql}) c GROUP BY GROUPING SETS ({sets})"
        )
    parts = []
    for i, column in enumerate(columns):
        cells = ", ".join(column if j == i else "NULL" for j in range(n))
        parts.append(f"SELECT {everything - (1 << (n - 1 - i))} AS mask, {cells}, {measures} FROM c GROUP BY {column}")
    parts.append(f"SELECT {everything} AS mask, {', '.join('NULL' for _ in columns)}, {measures} FROM c")
    return f"WITH c AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)


def grouped_column(mask: int, columns: Sequence[str]) -> str | None:
    """The column a ``grouping_sets`` row is grouped by (None for the totals)."""
    n = len(columns)
    for i, column in enumerate(columns):
        if mask == ((1 << n) - 1) - (1 << (n - 1 - i)):
            return column
    return None


def rows_as_dicts(cursor: Any) -> list[dict[str, Any]]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def by_key(rows: Iterable[Mapping[str, Any]], key: str) -> dict[Any, Mapping[str, Any]]:
    return {row[key]: row for row in rows}
