"""Delivery health: the milestones due in the period, on time (accepted by their planned end), late (accepted
after it), overdue (still open past it) or still on track, by department and project manager; how long the
acceptance gate (验收) took from the request to the approval; and project margin: contract revenue against the
budgeted and the actual cost of every project in delivery.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import Department, User, person_name
from backend.milestones.choices import MilestoneStatus
from backend.milestones.models import Milestone
from backend.projects.choices import DELIVERY, MemberRole, Status
from backend.projects.models import BudgetLine, Expense, Project, ProjectEvent, ProjectMember
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
    int_value,
    percentiles_by_group,
    rows_as_dicts,
    scope_where,
    share,
    sql_time,
    within,
)
from reports.dimensions import DIMENSIONS, NONE
from reports.filters import MONEY as MONEY_FIELD
from reports.filters import ReportFilters

CLASSES = ("on_time", "late", "overdue", "on_track")
IN_DELIVERY = [Status.WON, *DELIVERY]
ZERO = Value(Decimal(0), output_field=MONEY_FIELD)
WORST_SHOWN = 20


def money(value: Any) -> Decimal:
    """A sum as read straight from the database (a float on SQLite) to cents."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _class_label(name: str) -> str:
    return str({"on_time": _("On time"), "late": _("Late"), "overdue": _("Overdue"), "on_track": _("On track")}[name])


def milestone_class_q(name: str, today: Any, prefix: str = "") -> Q:
    """Milestones of one class: accepted on time or late, open and overdue, or open and on track."""
    p = prefix
    open_ = ~Q(**{f"{p}status__in": [MilestoneStatus.ACCEPTED, MilestoneStatus.CANCELLED]})
    if name == "on_time":
        return Q(**{f"{p}status": MilestoneStatus.ACCEPTED, f"{p}actual_end__lte": F(f"{p}planned_end")})
    if name == "late":
        return Q(**{f"{p}status": MilestoneStatus.ACCEPTED, f"{p}actual_end__gt": F(f"{p}planned_end")})
    if name == "overdue":
        return open_ & Q(**{f"{p}planned_end__lt": today})
    if name == "on_track":
        return open_ & Q(**{f"{p}planned_end__gte": today})
    raise ValueError(name)


class DeliveryHealthReport(Report):
    name = "delivery-health"
    title = gettext_lazy("Delivery health")
    description = gettext_lazy(
        "Milestones due in the period on time, late or overdue by department and project manager; how long "
        "acceptance takes; and the margin of every project in delivery."
    )
    audience = frozenset({"exec", "director", "pm"})

    def milestones(self, deals: QuerySet[Project], filters: ReportFilters) -> QuerySet[Milestone]:
        return within(
            Milestone.objects.filter(planned_end__gte=filters.date_from, planned_end__lte=filters.date_to),
            deals,
        ).exclude(status=MilestoneStatus.CANCELLED)

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        today = timezone.localdate()
        if key == "milestones":
            condition = Q() if value == "all" else milestone_class_q(value, today)
            return Q(
                Exists(
                    Milestone.objects.filter(
                        condition,
                        project=OuterRef("pk"),
                        planned_end__gte=filters.date_from,
                        planned_end__lte=filters.date_to,
                    ).exclude(status=MilestoneStatus.CANCELLED)
                )
            )
        if key == "pm":
            if value == NONE:
                return ~Q(Exists(ProjectMember.objects.filter(project=OuterRef("pk"), role=MemberRole.PM)))
            return Q(
                Exists(ProjectMember.objects.filter(project=OuterRef("pk"), role=MemberRole.PM, user=int_value(value)))
            )
        if key == "accepted":
            sql, params = self._acceptance_sql(self.scope(user=user, filters=filters), filters)
            from django.db.models.expressions import RawSQL

            return Q(pk__in=RawSQL(f"SELECT project_id FROM ({sql}) a", params))
        if key == "in_delivery":
            return Q(status__in=IN_DELIVERY)
        return DIMENSIONS[key].q(value)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        today = timezone.localdate()
        milestones = self.milestones(deals, filters)
        by_department = self._by_group(
            milestones,
            filters,
            today,
            ("project__department", "project__department__name"),
            "department",
            _("Department"),
        )
        # every milestone is in one department's row (or the "no department" row): the totals add them up
        totals = {key: sum(row[key] for row in by_department.rows) for key in ("all", *CLASSES)}
        result.metrics = [
            Metric(
                "milestones",
                _("Milestones due in the period"),
                totals["all"],
                INT,
                self.link(filters, milestones="all"),
                counts_deals=False,
            ),
            Metric(
                "on_time_rate",
                _("Accepted on time"),
                share(totals["on_time"], totals["on_time"] + totals["late"]),
                PERCENT,
                self.link(filters, milestones="on_time"),
            ),
            Metric(
                "overdue",
                _("Overdue milestones"),
                totals["overdue"],
                INT,
                self.link(filters, milestones="overdue"),
                counts_deals=False,
            ),
        ]
        by_pm = self._by_pm(deals, filters, today)
        acceptance = self._acceptance(deals, filters)
        margins, worst = self._margins(deals, filters)
        result.metrics.append(
            Metric(
                "acceptance_median",
                _("Median acceptance time (days)"),
                acceptance.rows[0]["median"] if acceptance.rows else None,
                DAYS,
                self.link(filters, accepted=1),
            )
        )
        result.tables = [by_department, by_pm, acceptance, margins, worst]
        result.figures = [_health_figure(by_department), _margin_figure(margins)]

    def _class_row(self, raw: dict[str, Any], filters: ReportFilters, cell: dict[str, Any]) -> dict[str, Any]:
        row = {name: raw[name] for name in ("all", *CLASSES)}
        row["projects"] = raw["projects"]
        row["on_time_rate"] = share(raw["on_time"], raw["on_time"] + raw["late"])
        row["links"] = {
            "projects": self.link(filters, milestones="all", **cell),
            "all": self.link(filters, milestones="all", **cell),
            **{name: self.link(filters, milestones=name, **cell) for name in CLASSES},
            "on_time_rate": self.link(filters, milestones="all", **cell),
        }
        return row

    @staticmethod
    def _class_columns(first: Column) -> list[Column]:
        return [
            first,
            Column("projects", _("Projects"), INT),
            Column("all", _("Milestones"), INT, counts_deals=False),
            *(Column(name, _class_label(name), INT, counts_deals=False) for name in CLASSES),
            Column("on_time_rate", _("Accepted on time"), PERCENT),
        ]

    def _aggregates(self, today: Any) -> dict[str, Any]:
        return {
            "all": Count("pk"),
            "projects": Count("project", distinct=True),
            **{name: Count("pk", filter=milestone_class_q(name, today)) for name in CLASSES},
        }

    def _by_group(
        self,
        milestones: QuerySet[Milestone],
        filters: ReportFilters,
        today: Any,
        fields: tuple[str, str],
        key: str,
        label: Any,
    ) -> Table:
        rows = []
        for raw in milestones.values(*fields).annotate(**self._aggregates(today)).order_by(fields[1]):
            value = str(raw[fields[0]]) if raw[fields[0]] else NONE
            rows.append(
                {"key": value, key: raw[fields[1]] or _("No department"), **self._class_row(raw, filters, {key: value})}
            )
        return Table(
            key=f"by_{key}",
            title=_("Milestones due in the period by %(group)s") % {"group": str(label).lower()},
            columns=self._class_columns(Column(key, label, TEXT)),
            rows=rows,
        )

    def _by_pm(self, deals: QuerySet[Project], filters: ReportFilters, today: Any) -> Table:
        """By the projects' managers (a project with two PMs counts for both; one without, under "no PM")."""
        milestones = self.milestones(deals, filters)
        with_pm = milestones.filter(project__members__role=MemberRole.PM).values(
            "project__members__user",
            "project__members__user__first_name",
            "project__members__user__last_name",
            "project__members__user__username",
        )
        rows = []
        for raw in map(dict, with_pm.annotate(**self._aggregates(today)).order_by("project__members__user__username")):
            pm = raw["project__members__user"]
            name = person_name(
                str(raw["project__members__user__first_name"]),
                str(raw["project__members__user__last_name"]),
                str(raw["project__members__user__username"]),
            )
            rows.append({"key": str(pm), "pm": name, **self._class_row(raw, filters, {"pm": pm})})
        without = milestones.exclude(
            Exists(ProjectMember.objects.filter(project=OuterRef("project"), role=MemberRole.PM))
        ).aggregate(**self._aggregates(today))
        if without["all"]:
            rows.append({"key": NONE, "pm": _("No project manager"), **self._class_row(without, filters, {"pm": NONE})})
        return Table(
            key="by_pm",
            title=_("Milestones due in the period by project manager"),
            columns=self._class_columns(Column("pm", _("Project manager"), TEXT)),
            rows=rows,
        )

    @staticmethod
    def _acceptance_sql(deals: QuerySet[Project], filters: ReportFilters) -> tuple[str, tuple[Any, ...]]:
        """One row per acceptance approved in the period: days from the latest request before it."""
        in_scope, params = scope_where(deals, "a.project_id")
        event = ProjectEvent._meta.db_table
        requested = (
            f"(SELECT MAX(r.created_at) FROM {event} r WHERE r.project_id = a.project_id "
            f"AND r.target = '{Status.ACCEPTANCE_REVIEW}' AND r.source <> r.target AND r.created_at <= a.created_at)"
        )
        days = days_between_sql(connection.vendor, "a.created_at", requested)
        sql = f"""
            SELECT a.project_id AS project_id, {days} AS days
            FROM {event} a
            WHERE a.source = '{Status.ACCEPTANCE_REVIEW}' AND a.target = '{Status.ACCEPTED}'
              AND a.created_at >= %s AND a.created_at < %s AND {in_scope}
        """
        return sql, (sql_time(filters.start), sql_time(filters.end), *params)

    def _acceptance(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        sql, params = self._acceptance_sql(deals, filters)
        with connection.cursor() as cursor:
            cursor.execute(
                percentiles_by_group(
                    f"SELECT 'all' AS grp, days FROM ({sql}) d WHERE days IS NOT NULL",
                    "days",
                    "grp",
                    [("median", 0.5), ("p80", 0.8)],
                    extra="MAX(days) AS longest",
                    total=False,
                ),
                params,
            )
            raw = (rows_as_dicts(cursor) or [{"n": 0}])[0]
        rows = []
        if raw["n"]:
            link = self.link(filters, accepted=1)
            rows.append(
                {
                    "key": "all",
                    "label": _("Acceptances approved in the period"),
                    "accepted": raw["n"],
                    "median": raw["median"],
                    "p80": raw["p80"],
                    "longest": raw["longest"],
                    "links": {k: link for k in ("accepted", "median", "p80", "longest")},
                }
            )
        return Table(
            key="acceptance",
            title=_("Acceptance (验收) cycle: days from the request to the approval"),
            columns=[
                Column("label", _("Acceptances"), TEXT),
                Column("accepted", _("Count"), INT),
                Column("median", _("Median (days)"), DAYS),
                Column("p80", _("80th percentile (days)"), DAYS),
                Column("longest", _("Longest (days)"), DAYS),
            ],
            rows=rows,
        )

    def _margins(self, deals: QuerySet[Project], filters: ReportFilters) -> tuple[Table, Table]:
        in_scope, params = scope_where(deals, "p.id")
        project_table, budget_table, expense_table = (m._meta.db_table for m in (Project, BudgetLine, Expense))
        states = ", ".join(f"'{state}'" for state in IN_DELIVERY)
        # each project's budget and cost summed once (grouped, then joined), not one sub-select per project
        per_project = f"""
            SELECT p.id AS id, p.code AS code, p.name AS name, p.department_id AS department_id,
                   COALESCE(p.contract_amount, p.estimated_amount) AS revenue,
                   COALESCE(b.t, 0) AS budget, COALESCE(x.t, 0) AS actual
            FROM {project_table} p
            LEFT JOIN (SELECT project_id, SUM(planned_amount) AS t FROM {budget_table} GROUP BY project_id) b
                   ON b.project_id = p.id
            LEFT JOIN (SELECT project_id, SUM(amount) AS t FROM {expense_table} GROUP BY project_id) x
                   ON x.project_id = p.id
            WHERE p.status IN ({states}) AND {in_scope}
        """
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.department_id AS department, d.name AS department__name, COUNT(*) AS projects, "
                f"SUM(revenue) AS revenue_sum, SUM(budget) AS budget_sum, SUM(actual) AS actual_sum "
                f"FROM ({per_project}) m LEFT JOIN {Department._meta.db_table} d ON d.id = m.department_id "
                f"GROUP BY m.department_id, d.name ORDER BY d.name",
                params,
            )
            departments = rows_as_dicts(cursor)
            cursor.execute(
                f"SELECT id AS pk, code, name, revenue, budget, actual FROM ({per_project}) m "
                f"WHERE actual > 0 ORDER BY revenue - actual, id LIMIT {WORST_SHOWN}",
                params,
            )
            lowest = rows_as_dicts(cursor)
        by_department = []
        for raw in departments:
            value = str(raw["department"]) if raw["department"] else NONE
            revenue, budget, actual = money(raw["revenue_sum"]), money(raw["budget_sum"]), money(raw["actual_sum"])
            link = self.link(filters, in_delivery=1, department=value)
            by_department.append(
                {
                    "key": value,
                    "department": raw["department__name"] or _("No department"),
                    "projects": raw["projects"],
                    "revenue": revenue,
                    "budget": budget,
                    "actual": actual,
                    "planned_margin": Decimal(revenue) - Decimal(budget),
                    "planned_rate": share(Decimal(revenue) - Decimal(budget), revenue),
                    "actual_margin": Decimal(revenue) - Decimal(actual),
                    "actual_rate": share(Decimal(revenue) - Decimal(actual), revenue),
                    "links": {"projects": link, "revenue": link, "budget": link, "actual": link},
                }
            )
        money_columns = [
            Column("revenue", _("Contract revenue"), MONEY),
            Column("budget", _("Budgeted cost"), MONEY),
            Column("actual", _("Actual cost"), MONEY),
            Column("planned_margin", _("Planned margin"), MONEY),
            Column("planned_rate", _("Planned margin rate"), PERCENT),
            Column("actual_margin", _("Margin so far"), MONEY),
            Column("actual_rate", _("Margin rate so far"), PERCENT),
        ]
        margins = Table(
            key="margin",
            title=_("Project margin by department (projects won or in delivery)"),
            columns=[
                Column("department", _("Department"), TEXT),
                Column("projects", _("Projects"), INT),
                *money_columns,
            ],
            rows=by_department,
        )
        worst_rows = []
        for raw in lowest:
            revenue, budget, actual = (money(raw[k]) for k in ("revenue", "budget", "actual"))
            worst_rows.append(
                {
                    "key": str(raw["pk"]),
                    "id": raw["pk"],
                    "project": f"{raw['code']} {raw['name']}",
                    "revenue": revenue,
                    "budget": budget,
                    "actual": actual,
                    "planned_margin": revenue - budget,
                    "planned_rate": share(revenue - budget, revenue),
                    "actual_margin": revenue - actual,
                    "actual_rate": share(revenue - actual, revenue),
                }
            )
        worst = Table(
            key="lowest_margin",
            title=_("Projects with the lowest margin so far"),
            columns=[Column("project", _("Project"), TEXT), *money_columns],
            rows=worst_rows,
        )
        return margins, worst


def _health_figure(table: Table) -> Figure:
    groups = [row["department"] for row in table.rows]
    colours = {"on_time": "#198754", "late": "#fd7e14", "overdue": "#dc3545", "on_track": "#0d6efd"}
    fig = go.Figure()
    for name in CLASSES:
        fig.add_bar(name=_class_label(name), x=groups, y=[row[name] for row in table.rows], marker_color=colours[name])
    fig.update_layout(barmode="stack", yaxis={"title": _("Milestones")})
    return Figure("delivery_health", _("Milestones by department"), fig)


def _margin_figure(table: Table) -> Figure:
    groups = [row["department"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Contract revenue"), x=groups, y=[float(row["revenue"]) for row in table.rows])
    fig.add_bar(name=_("Budgeted cost"), x=groups, y=[float(row["budget"]) for row in table.rows])
    fig.add_bar(name=_("Actual cost"), x=groups, y=[float(row["actual"]) for row in table.rows])
    fig.update_layout(barmode="group", yaxis={"title": _("Amount")})
    return Figure("margin", _("Revenue against cost"), fig)
