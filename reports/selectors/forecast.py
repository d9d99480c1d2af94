"""Forecast against targets: the open deals expected to close in each month of the period, by forecast category
(pipeline, best case, commit, omitted: set by the owner, else the stage's default), their weighted amount,
what was won in the month, and the target of the people or departments in view. Forecast accuracy compares
what was committed in the first snapshot of each of the last four quarters with what was won in it; manager
adjustments of forecast categories are listed with who, when, from and to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import Department, User, person_name
from backend.accounts.selectors import department_subtree_ids, headed_department_ids
from backend.bids.choices import Outcome
from backend.projects.choices import (
    PRESALES_OPEN,
    ForecastCategory,
    default_forecast_category,
)
from backend.projects.models import Project, ProjectEvent
from reports.base import (
    DATE,
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
    add_months,
    local_midnight,
    month_key,
    parse_period_key,
    quarter_key,
    quarter_start,
    share,
    within,
)
from reports.choices import TargetPeriod
from reports.dimensions import DIMENSIONS
from reports.filters import MONEY as MONEY_FIELD
from reports.filters import ReportFilters, deal_amount
from reports.models import ForecastSnapshot, SalesTarget

ZERO = Value(Decimal(0), output_field=MONEY_FIELD)
CATEGORIES = [ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE, ForecastCategory.OMITTED]
ACCURACY_QUARTERS = 4
SNAPSHOT_WINDOW_DAYS = 14  # the "start of quarter" snapshot is the first one taken in its first two weeks


def effective_category() -> Case:
    """The owner's forecast category, else the default of the deal's stage (closed deals: closed)."""
    return Case(
        When(~Q(forecast_category=""), then=F("forecast_category")),
        *(When(status=state, then=Value(default_forecast_category(state))) for state in PRESALES_OPEN),
        default=Value(ForecastCategory.CLOSED),
        output_field=CharField(),
    )


# Multiply by 0.01 rather than divide by 100: SQLite keeps whole-number amounts as INTEGER and would divide
# integers (see backend.bids.selectors).
HUNDREDTH = Value(Decimal("0.01"), output_field=MONEY_FIELD)


def weighted_amount(amount: str = "estimated_amount") -> ExpressionWrapper:
    return ExpressionWrapper(F(amount) * F("probability") * HUNDREDTH, output_field=MONEY_FIELD)


def _category_q(value: str) -> Q:
    if value not in CATEGORIES:
        raise ValueError(value)
    return Q(forecast_category=value) | Q(
        forecast_category="", status__in=[s for s in PRESALES_OPEN if default_forecast_category(s) == value]
    )


def _month_q(field: str, value: str) -> Q:
    start, end = parse_period_key(value)
    if "-Q" in value:
        raise ValueError(value)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


class ForecastReport(Report):
    name = "forecast"
    title = gettext_lazy("Forecast against targets")
    description = gettext_lazy(
        "Open deals by expected close month and forecast category, weighted pipeline, what was won and the "
        "target; how accurate past commits were; and the forecast adjustments managers made."
    )
    audience = frozenset({"exec", "director", "bid_manager"})

    def default_period(self, today: date) -> tuple[date, date]:
        start = quarter_start(today)
        return start, add_months(start, 6) - timedelta(days=1)

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "open":
            return Q(
                status__in=PRESALES_OPEN,
                expected_close_date__gte=filters.date_from,
                expected_close_date__lte=filters.date_to,
            ) & ~_category_q(ForecastCategory.OMITTED)
        if key == "no_close_date":
            return Q(status__in=PRESALES_OPEN, expected_close_date__isnull=True)
        if key == "month":
            return _month_q("expected_close_date", value)
        if key == "category":
            return _category_q(value)
        if key == "won_in":
            return Q(outcome=Outcome.WON) & _closed_in_q(value)
        if key == "committed_in":
            day, _sep, quarter = value.partition("/")
            start, end = parse_period_key(quarter)
            return Q(
                pk__in=ForecastSnapshot.objects.filter(
                    taken_on=date.fromisoformat(day),
                    category=ForecastCategory.COMMIT,
                    expected_close_date__gte=start,
                    expected_close_date__lt=end,
                ).values("project_id")
            )
        if key == "adjusted":
            return Q(pk__in=self._adjustments(filters).values("project_id"))
        return DIMENSIONS[key].q(value)

    # --- figures --------------------------------------------------------------------------------------
    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        months = _months(filters.date_from, filters.date_to)
        targets = target_amounts(user=user, filters=filters, months=months)
        by_month = self._by_month(deals, filters, months, targets)
        result.tables.append(by_month)
        result.tables.append(self._by_quarter(by_month, filters))
        result.tables.append(self._accuracy(deals, filters))
        result.tables.append(self._adjustment_table(deals, filters))
        totals = {
            key: sum((Decimal(row[key] or 0) for row in by_month.rows), Decimal(0))
            for key in ("commit", "best_case", "pipeline", "weighted", "won", "target")
        }
        no_date = deals.filter(status__in=PRESALES_OPEN, expected_close_date__isnull=True).count()
        result.metrics = [
            Metric("target", _("Target"), totals["target"], MONEY),
            Metric("won", _("Won"), totals["won"], MONEY, self.link(filters, won_in=_span_key(months))),
            Metric(
                "commit",
                pgettext("forecast", "Commit"),
                totals["commit"],
                MONEY,
                self.link(filters, open=1, category=ForecastCategory.COMMIT),
            ),
            Metric(
                "best_case", pgettext("forecast", "Best case"), totals["best_case"], MONEY, self.link(filters, open=1)
            ),
            Metric("weighted", _("Weighted pipeline"), totals["weighted"], MONEY, self.link(filters, open=1)),
            Metric(
                "attainment",
                _("Won and committed against target"),
                share(totals["won"] + totals["commit"], totals["target"]),
                PERCENT,
            ),
            Metric(
                "no_close_date", _("Open deals without a close date"), no_date, INT, self.link(filters, no_close_date=1)
            ),
        ]
        result.figures = [_forecast_figure(by_month), _accuracy_figure(result.tables[2])]

    def _by_month(
        self, deals: QuerySet[Project], filters: ReportFilters, months: list[date], targets: dict[date, Decimal]
    ) -> Table:
        amount = F("estimated_amount")
        category = effective_category()
        open_rows: dict[Any, dict[str, Any]] = {
            row["month"]: dict(row)
            for row in deals.filter(
                status__in=PRESALES_OPEN,
                expected_close_date__gte=filters.date_from,
                expected_close_date__lte=filters.date_to,
            )
            .annotate(category=category, month=TruncMonth("expected_close_date"))
            .exclude(category=ForecastCategory.OMITTED)
            .values("month")
            .annotate(
                deals=Count("pk"),
                commit=Coalesce(Sum(amount, filter=Q(category=ForecastCategory.COMMIT)), ZERO),
                best=Coalesce(Sum(amount, filter=Q(category=ForecastCategory.BEST_CASE)), ZERO),
                pipeline=Coalesce(Sum(amount), ZERO),
                weighted=Coalesce(Sum(weighted_amount()), ZERO),
            )
            .order_by()
        }
        won_rows = {
            timezone.localtime(row["month"]).date() if hasattr(row["month"], "tzinfo") else row["month"]: row["won"]
            for row in deals.filter(
                outcome=Outcome.WON,
                closed_at__gte=local_midnight(months[0]),
                closed_at__lt=local_midnight(add_months(months[-1], 1)),
            )
            .annotate(month=TruncMonth("closed_at"))
            .values("month")
            .annotate(won=Sum(deal_amount()))
            .order_by()
        }
        rows = []
        for month in months:
            key = month_key(month)
            raw: dict[str, Any] = open_rows.get(month, {})
            commit = raw.get("commit", Decimal(0))
            best = commit + raw.get("best", Decimal(0))
            won = won_rows.get(month, Decimal(0))
            target = targets.get(month, Decimal(0))
            rows.append(
                {
                    "key": key,
                    "month": key,
                    "deals": raw.get("deals", 0),
                    "commit": commit,
                    "best_case": best,
                    "pipeline": raw.get("pipeline", Decimal(0)),
                    "weighted": raw.get("weighted", Decimal(0)),
                    "won": won,
                    "target": target,
                    "attainment": share(won + commit, target),
                    "links": {
                        "deals": self.link(filters, open=1, month=key),
                        "commit": self.link(filters, open=1, month=key, category=ForecastCategory.COMMIT),
                        "best_case": self.link(filters, open=1, month=key),
                        "pipeline": self.link(filters, open=1, month=key),
                        "weighted": self.link(filters, open=1, month=key),
                        "won": self.link(filters, won_in=key),
                    },
                }
            )
        return Table(
            key="by_month",
            title=_("Forecast by expected close month"),
            columns=[
                Column("month", _("Month"), TEXT),
                Column("deals", _("Open deals"), INT),
                Column("commit", pgettext("forecast", "Commit"), MONEY),
                Column("best_case", _("Best case (incl. commit)"), MONEY),
                Column("pipeline", _("Pipeline (all open)"), MONEY),
                Column("weighted", _("Weighted"), MONEY),
                Column("won", _("Won"), MONEY),
                Column("target", _("Target"), MONEY),
                Column("attainment", _("Won + commit / target"), PERCENT),
            ],
            rows=rows,
            note=_("Deals marked omitted are left out. Best case includes commit; pipeline includes both."),
        )

    def _by_quarter(self, by_month: Table, filters: ReportFilters) -> Table:
        grouped: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in by_month.rows:
            quarter = quarter_key(date.fromisoformat(row["month"] + "-01"))
            for key in ("commit", "best_case", "pipeline", "weighted", "won", "target"):
                grouped[quarter][key] += Decimal(row[key] or 0)
        rows = [
            {
                "key": quarter,
                "quarter": quarter,
                **values,
                "attainment": share(values["won"] + values["commit"], values["target"]),
                "links": {"won": self.link(filters, won_in=quarter)},
            }
            for quarter, values in sorted(grouped.items())
        ]
        return Table(
            key="by_quarter",
            title=_("Forecast by quarter"),
            columns=[
                Column("quarter", _("Quarter"), TEXT),
                Column("commit", pgettext("forecast", "Commit"), MONEY),
                Column("best_case", _("Best case (incl. commit)"), MONEY),
                Column("pipeline", _("Pipeline (all open)"), MONEY),
                Column("weighted", _("Weighted"), MONEY),
                Column("won", _("Won"), MONEY),
                Column("target", _("Target"), MONEY),
                Column("attainment", _("Won + commit / target"), PERCENT),
            ],
            rows=rows,
        )

    def _accuracy(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        current = quarter_start(timezone.localdate())
        quarters = [add_months(current, -3 * i) for i in reversed(range(ACCURACY_QUARTERS))]
        windows = [(q, q + timedelta(days=SNAPSHOT_WINDOW_DAYS)) for q in quarters]
        in_window = Q()
        for low, high in windows:
            in_window |= Q(taken_on__gte=low, taken_on__lt=high)
        first_snapshots = {
            row["q"]: row["day"]
            for row in ForecastSnapshot.objects.filter(in_window)
            .annotate(q=Case(*(When(taken_on__gte=low, taken_on__lt=high, then=Value(low)) for low, high in windows)))
            .values("q")
            .annotate(day=Min("taken_on"))
            .order_by()
        }
        rows = []
        for start in quarters:
            end = add_months(start, 3)
            key = quarter_key(start)
            day = first_snapshots.get(start)
            snap: dict[str, Any] = {}
            if day is not None:
                won_in_quarter = deals.filter(
                    outcome=Outcome.WON,
                    closed_at__gte=local_midnight(start),
                    closed_at__lt=local_midnight(end),
                ).values("pk")
                snap = (
                    within(ForecastSnapshot.objects.all(), deals)
                    .filter(
                        taken_on=day,
                        expected_close_date__gte=start,
                        expected_close_date__lt=end,
                    )
                    .aggregate(
                        committed=Coalesce(Sum("amount", filter=Q(category=ForecastCategory.COMMIT)), ZERO),
                        committed_deals=Count("pk", filter=Q(category=ForecastCategory.COMMIT)),
                        best=Coalesce(
                            Sum("amount", filter=Q(category__in=[ForecastCategory.COMMIT, ForecastCategory.BEST_CASE])),
                            ZERO,
                        ),
                        weighted=Coalesce(Sum(weighted_amount("amount")), ZERO),
                        committed_won=Count(
                            "pk", filter=Q(category=ForecastCategory.COMMIT, project__in=won_in_quarter)
                        ),
                    )
                )
            won = deals.filter(
                outcome=Outcome.WON, closed_at__gte=local_midnight(start), closed_at__lt=local_midnight(end)
            ).aggregate(won=Coalesce(Sum(deal_amount()), ZERO), deals=Count("pk"))
            committed = snap.get("committed")
            rows.append(
                {
                    "key": key,
                    "quarter": key,
                    "snapshot": day,
                    "committed": committed,
                    "committed_deals": snap.get("committed_deals"),
                    "committed_won": snap.get("committed_won"),
                    "best_case": snap.get("best"),
                    "weighted": snap.get("weighted"),
                    "won": won["won"],
                    "won_deals": won["deals"],
                    "accuracy": share(won["won"], committed) if committed else None,
                    "links": {
                        "won": self.link(filters, won_in=key),
                        "won_deals": self.link(filters, won_in=key),
                        **(
                            {
                                "committed": self.link(filters, committed_in=f"{day.isoformat()}/{key}"),
                                "committed_deals": self.link(filters, committed_in=f"{day.isoformat()}/{key}"),
                                "committed_won": self.link(
                                    filters, committed_in=f"{day.isoformat()}/{key}", won_in=key
                                ),
                            }
                            if day is not None
                            else {}
                        ),
                    },
                }
            )
        return Table(
            key="accuracy",
            title=_("Forecast accuracy: committed at the start of the quarter against what was won"),
            columns=[
                Column("quarter", _("Quarter"), TEXT),
                Column("snapshot", _("Snapshot of"), DATE),
                Column("committed_deals", _("Deals committed"), INT),
                Column("committed", _("Committed"), MONEY),
                Column("committed_won", _("Committed deals won"), INT),
                Column("best_case", _("Best case (incl. commit)"), MONEY),
                Column("weighted", _("Weighted"), MONEY),
                Column("won_deals", _("Deals won"), INT),
                Column("won", _("Won"), MONEY),
                Column("accuracy", _("Won against committed"), PERCENT),
            ],
            rows=rows,
            note=_("The snapshot is the first weekly snapshot taken in the quarter's first two weeks."),
        )

    @staticmethod
    def _adjustments(filters: ReportFilters) -> QuerySet[ProjectEvent]:
        return ProjectEvent.objects.filter(
            kind="change",
            field="forecast_category",
            created_at__gte=filters.start,
            created_at__lt=filters.end,
        ).exclude(actor=F("project__owner"))

    def _adjustment_table(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        labels = dict(ForecastCategory.choices)
        events = (
            within(self._adjustments(filters), deals)
            .order_by("-created_at", "-pk")
            .values(
                "pk",
                "project",
                "project__code",
                "project__name",
                "actor__first_name",
                "actor__last_name",
                "actor__username",
                "created_at",
                "old_value",
                "new_value",
            )[:100]
        )
        default = _("stage default")
        rows = [
            {
                "key": str(raw["pk"]),
                "id": raw["project"],
                "project": f"{raw['project__code']} {raw['project__name']}",
                "by": person_name(raw["actor__first_name"], raw["actor__last_name"], raw["actor__username"]),
                "at": timezone.localtime(raw["created_at"]).strftime("%Y-%m-%d %H:%M"),
                "from": str(labels.get(raw["old_value"], default)),
                "to": str(labels.get(raw["new_value"], default)),
            }
            for raw in events
        ]
        return Table(
            key="adjustments",
            title=_("Forecast adjustments by managers in the period"),
            columns=[
                Column("project", _("Project"), TEXT),
                Column("by", _("Adjusted by"), TEXT),
                Column("at", _("When"), TEXT),
                Column("from", pgettext("change", "From"), TEXT),
                Column("to", pgettext("change", "To"), TEXT),
            ],
            rows=rows,
        )


def _closed_in_q(value: str) -> Q:
    """Closed in the month (``2026-07``) or quarter (``2026-Q3``) ``value`` names."""
    start, end = parse_period_key(value)
    return Q(closed_at__gte=local_midnight(start), closed_at__lt=local_midnight(end))


def _span_key(months: list[date]) -> str:
    """A period key covering ``months`` exactly when they make one quarter; else the first month."""
    if len(months) == 3 and months[0] == quarter_start(months[0]):
        return quarter_key(months[0])
    return month_key(months[0])


def _months(start: date, end: date) -> list[date]:
    months, month = [], date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


# --- targets ----------------------------------------------------------------------------------------------


def _target_scope(*, user: User, filters: ReportFilters) -> tuple[set[int] | None, set[int]]:
    """(departments whose targets count, people whose targets count when no department has one)."""
    if filters.owner is not None:
        return set(), {filters.owner.pk}
    if filters.department is not None:
        departments = department_subtree_ids(root_ids={filters.department.pk})
    elif user.is_superuser or user.has_role(*SEE_ALL_ROLES):
        departments = set(Department.objects.values_list("pk", flat=True))
    else:
        departments = headed_department_ids(user)
    if not departments:
        return set(), {user.pk}
    people = set(User.objects.filter(department__in=departments).values_list("pk", flat=True))
    return departments, people


def target_amounts(*, user: User, filters: ReportFilters, months: list[date]) -> dict[date, Decimal]:
    """The target of each month for the people or departments in view: department targets of the top-most
    departments that have one (a department's target covers everyone below it), else the sum of personal
    targets. A month without a monthly target takes a third of its quarter's target."""
    departments, people = _target_scope(user=user, filters=filters)
    first, last = quarter_start(months[0]), months[-1]
    rows = list(
        SalesTarget.objects.filter(period_start__gte=first, period_start__lte=last)
        .filter(Q(department__in=departments) | Q(user__in=people) if departments else Q(user__in=people))
        .values("user", "department", "period", "period_start", "amount")
    )
    department_rows = [row for row in rows if row["department"]]
    if department_rows:
        parents = dict(Department.objects.filter(pk__in=departments or set()).values_list("pk", "parent"))
        targeted = {row["department"] for row in department_rows}

        def covered(pk: int) -> bool:
            parent, seen = parents.get(pk), set()
            while parent is not None and parent not in seen:
                if parent in targeted:
                    return True
                seen.add(parent)
                parent = parents.get(parent)
            return False

        rows = [row for row in department_rows if not covered(row["department"])]
    else:
        rows = [row for row in rows if row["user"]]
    by_entity: dict[tuple[str, int], dict[tuple[str, date], Decimal]] = defaultdict(dict)
    for row in rows:
        entity = ("d", row["department"]) if row["department"] else ("u", row["user"])
        by_entity[entity][(row["period"], row["period_start"])] = row["amount"]
    amounts: dict[date, Decimal] = {}
    for month in months:
        total = Decimal(0)
        for targets in by_entity.values():
            if (TargetPeriod.MONTH, month) in targets:
                total += targets[(TargetPeriod.MONTH, month)]
            elif (TargetPeriod.QUARTER, quarter_start(month)) in targets:
                total += (targets[(TargetPeriod.QUARTER, quarter_start(month))] / 3).quantize(Decimal("0.01"))
        amounts[month] = total
    return amounts


# --- figures ----------------------------------------------------------------------------------------------


def _forecast_figure(table: Table) -> Figure:
    months = [row["month"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(name=_("Won"), x=months, y=[float(row["won"]) for row in table.rows], marker_color="#198754")
    fig.add_bar(
        name=pgettext("forecast", "Commit"),
        x=months,
        y=[float(row["commit"]) for row in table.rows],
        marker_color="#0d6efd",
    )
    fig.add_bar(
        name=pgettext("forecast", "Best case"),
        x=months,
        y=[float(Decimal(row["best_case"]) - Decimal(row["commit"])) for row in table.rows],
        marker_color="#6ea8fe",
    )
    fig.add_scatter(
        name=_("Weighted"),
        x=months,
        y=[float(row["weighted"]) for row in table.rows],
        mode="lines+markers",
        line_color="#6f42c1",
    )
    fig.add_scatter(
        name=_("Target"),
        x=months,
        y=[float(row["target"]) for row in table.rows],
        mode="lines",
        line={"color": "#dc3545", "dash": "dash"},
    )
    fig.update_layout(barmode="stack", xaxis={"type": "category"}, yaxis={"title": _("Amount")})
    return Figure("forecast_vs_target", _("Forecast against target"), fig)


def _accuracy_figure(table: Table) -> Figure:
    quarters = [row["quarter"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(
        name=_("Committed"), x=quarters, y=[float(row["committed"] or 0) for row in table.rows], marker_color="#0d6efd"
    )
    fig.add_bar(name=_("Won"), x=quarters, y=[float(row["won"] or 0) for row in table.rows], marker_color="#198754")
    fig.update_layout(barmode="group", xaxis={"type": "category"}, yaxis={"title": _("Amount")})
    return Figure("accuracy", _("Committed against won"), fig)
