"""Employee KPIs: for each person in view and the period, the computed metrics (won amount, win rate, active
projects, on-time milestones, approved deliverables, interactions logged; for the service desk: the share of the
service requests they resolved in the period that met the resolution SLA, among those with an SLA, and the
average score of the satisfaction surveys answered in the period on requests assigned to them) and the soft
scores managers entered
(创新性, 协作性 … per quarter, the latest score of each quarter counting), combined into a composite score by the
weights of the KPI dimensions. Rates count as they are (0–100); amounts and counts as a share of the best person
in view. Managers see their departments, executives everyone, everyone else themselves.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User, person_name
from backend.accounts.selectors import department_subtree_ids
from backend.bids.choices import Outcome
from backend.customers.models import Interaction
from backend.milestones.choices import DeliverableStatus, MilestoneStatus
from backend.milestones.models import Deliverable, Milestone
from backend.projects.choices import OUTCOME_STATES, Status
from backend.service.models import ServiceRequest, Survey
from reports.base import (
    INT,
    MONEY,
    PERCENT,
    SCORE,
    TEXT,
    Column,
    Figure,
    Metric,
    Report,
    ReportResult,
    Table,
    int_value,
    quarter_start,
    within,
)
from reports.choices import RATE_METRICS, KpiMetric
from reports.dimensions import DIMENSIONS
from reports.filters import ReportFilters, deal_amount
from reports.models import KpiDimension, KpiScore
from reports.visibility import people_q

MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
ACTIVE_EXCLUDED = [*OUTCOME_STATES, Status.CLOSED]


def _subquery(queryset: QuerySet[Any], column: str, aggregate: Any, output: Any) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values(column).annotate(v=aggregate).values("v"), output_field=output),
        Value(0, output_field=output),
    )


class KpiReport(Report):
    name = "kpis"
    title = gettext_lazy("Employee KPIs")
    description = gettext_lazy(
        "Each person's won amount, win rate, active projects, on-time milestones, approved deliverables and "
        "customer interactions, with the soft scores managers gave, combined by weight into one score."
    )
    audience = frozenset({"exec", "director"})

    def default_period(self, today: Any) -> tuple[Any, Any]:
        return quarter_start(today), today

    def people(self, *, user: User, filters: ReportFilters) -> QuerySet[User]:
        q = people_q(user)
        people = User.objects.filter(is_active=True)
        if q is not None:
            people = people.filter(q)
        if filters.department is not None:
            people = people.filter(department__in=department_subtree_ids(root_ids={filters.department.pk}))
        if filters.owner is not None:
            people = people.filter(pk=filters.owner.pk)
        return people

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "won_by":
            return Q(
                owner=int_value(value),
                outcome=Outcome.WON,
                closed_at__gte=filters.start,
                closed_at__lt=filters.end,
            )
        if key == "closed_by":
            return Q(owner=int_value(value), outcome__gt="", closed_at__gte=filters.start, closed_at__lt=filters.end)
        if key == "active_of":
            return Q(owner=int_value(value)) & ~Q(status__in=ACTIVE_EXCLUDED)
        if key == "milestones_of":
            return Q(Exists(self._accepted(filters).filter(project=OuterRef("pk"), owner=int_value(value))))
        if key == "deliverables_of":
            return Q(
                Exists(self._approved(filters).filter(milestone__project=OuterRef("pk"), created_by=int_value(value)))
            )
        return DIMENSIONS[key].q(value)

    @staticmethod
    def _accepted(filters: ReportFilters) -> QuerySet[Milestone]:
        return Milestone.objects.filter(
            status=MilestoneStatus.ACCEPTED, actual_end__gte=filters.date_from, actual_end__lte=filters.date_to
        )

    @staticmethod
    def _approved(filters: ReportFilters) -> QuerySet[Deliverable]:
        return Deliverable.objects.filter(
            status=DeliverableStatus.APPROVED, reviewed_at__gte=filters.start, reviewed_at__lt=filters.end
        )

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        people_qs = self.people(user=user, filters=filters)
        in_view = people_qs.values("pk")
        # seeing everyone, the grouped figures need no narrowing to the people (the rows pick them out below)
        everyone = people_q(user) is None and filters.department is None and filters.owner is None

        def of_people(queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
            return queryset if everyone else queryset.filter(**{f"{field}__in": in_view})

        people: list[dict[str, Any]] = list(
            map(
                dict,
                people_qs.values("pk", "first_name", "last_name", "username", "department__name").order_by(
                    "department__name", "last_name", "first_name", "username"
                ),
            )
        )
        # one grouped query per metric (each a single pass), joined to the people here by their ids
        closed = of_people(deals, "owner").filter(
            outcome__gt="", closed_at__gte=filters.start, closed_at__lt=filters.end
        )
        by_owner: dict[int, dict[str, Any]] = {
            row["owner"]: dict(row)
            for row in closed.values("owner")
            .annotate(
                closed_deals=Count("pk"),
                won_deals=Count("pk", filter=Q(outcome=Outcome.WON)),
                won_amount=Sum(deal_amount(), filter=Q(outcome=Outcome.WON)),
            )
            .order_by()
        }
        active = dict(
            of_people(deals, "owner")
            .exclude(status__in=ACTIVE_EXCLUDED)
            .values_list("owner")
            .annotate(n=Count("pk"))
            .order_by()
        )
        accepted: dict[int, dict[str, Any]] = {
            row["owner"]: dict(row)
            for row in of_people(within(self._accepted(filters), deals), "owner")
            .values("owner")
            .annotate(accepted=Count("pk"), on_time=Count("pk", filter=Q(actual_end__lte=F("planned_end"))))
            .order_by()
        }
        deliverables = dict(
            of_people(within(self._approved(filters), deals, "milestone__project"), "created_by")
            .values_list("created_by")
            .annotate(n=Count("pk"))
            .order_by()
        )
        interactions = dict(
            of_people(Interaction.objects.filter(occurred_at__gte=filters.start, occurred_at__lt=filters.end), "author")
            .values_list("author")
            .annotate(n=Count("pk"))
            .order_by()
        )
        # service figures of the people in view: all their requests, as with the interactions (a KPI counting only
        # the requests the viewer happens to see would misstate the person's work)
        service: dict[int, dict[str, Any]] = {
            row["assignee"]: dict(row)
            for row in of_people(
                ServiceRequest.objects.filter(resolved_at__gte=filters.start, resolved_at__lt=filters.end), "assignee"
            )
            .values("assignee")
            .annotate(
                resolved=Count("pk"),
                with_sla=Count("pk", filter=Q(sla_policy__isnull=False)),
                sla_met=Count("pk", filter=Q(sla_policy__isnull=False, resolution_breached=False)),
            )
            .order_by()
        }
        satisfaction: dict[int, dict[str, Any]] = {
            row["request__assignee"]: dict(row)
            for row in of_people(
                Survey.objects.filter(answered_at__gte=filters.start, answered_at__lt=filters.end),
                "request__assignee",
            )
            .values("request__assignee")
            .annotate(answers=Count("pk"), average=Avg("score"))
            .order_by()
        }
        for person in people:
            pk = person["pk"]
            served: dict[str, Any] = service.get(pk, {})
            rated: dict[str, Any] = satisfaction.get(pk, {})
            person.update(
                service_resolved=served.get("resolved", 0),
                service_with_sla=served.get("with_sla", 0),
                service_sla_met=served.get("sla_met", 0),
                csat_answers=rated.get("answers", 0),
                csat=float(rated["average"]) if rated.get("average") is not None else None,
            )
            won: dict[str, Any] = by_owner.get(pk, {})
            done: dict[str, Any] = accepted.get(pk, {})
            person.update(
                won_amount=won.get("won_amount") or Decimal("0.00"),
                won_deals=won.get("won_deals", 0),
                closed_deals=won.get("closed_deals", 0),
                active=active.get(pk, 0),
                accepted=done.get("accepted", 0),
                on_time=done.get("on_time", 0),
                deliverables=deliverables.get(pk, 0),
                interactions_logged=interactions.get(pk, 0),
            )
        dimensions = list(KpiDimension.objects.filter(is_active=True))
        soft = self._soft_scores([p["pk"] for p in people], filters)
        rows = [self._row(person, filters) for person in people]
        best = {
            metric: max((Decimal(row[metric] or 0) for row in rows), default=Decimal(0))
            for metric in ("won_amount", "active_projects", "approved_deliverables", "interactions")
        }
        for row in rows:
            weighted, weights = Decimal(0), Decimal(0)
            for dimension in dimensions:
                value = self._dimension_value(dimension, row, soft, best)
                if dimension.is_soft:
                    row[f"soft_{dimension.code}"] = value
                if value is not None and dimension.weight:
                    weighted += Decimal(str(value)) * dimension.weight
                    weights += dimension.weight
            row["composite"] = float(weighted / weights) if weights else None
        rows.sort(key=lambda r: (-(r["composite"] or -1), r["person"]))
        columns = [
            Column("person", _("Person"), TEXT),
            Column("department", _("Department"), TEXT),
            Column("won_amount", _("Won amount"), MONEY),
            Column("won_deals", _("Deals won"), INT),
            Column("closed_deals", _("Deals closed"), INT),
            Column("win_rate", _("Win rate"), PERCENT),
            Column("active_projects", _("Active projects"), INT),
            Column("accepted_milestones", _("Milestones accepted"), INT, counts_deals=False),
            Column("on_time_milestones", _("Accepted on time"), PERCENT),
            Column("approved_deliverables", _("Deliverables approved"), INT, counts_deals=False),
            Column("interactions", _("Customer interactions"), INT, counts_deals=False),
            Column("service_resolved", _("Service requests resolved"), INT, counts_deals=False),
            Column("service_sla", _("Resolved within SLA"), PERCENT, counts_deals=False),
            Column("csat", _("Average satisfaction (1–5)"), SCORE, counts_deals=False),
            *(Column(f"soft_{d.code}", d.name, SCORE) for d in dimensions if d.is_soft),
            Column("composite", _("Composite score"), SCORE),
        ]
        result.tables = [
            Table(
                key="people",
                title=_("KPIs per person"),
                columns=columns,
                rows=rows,
                note=_(
                    "Composite = weighted average of: %(weights)s. Amounts and counts score as a share of the "
                    "best person in view."
                )
                % {"weights": ", ".join(f"{d.name} {d.weight}" for d in dimensions)},
            )
        ]
        result.metrics = [
            Metric("people", _("People"), len(rows), INT, counts_deals=False),
            Metric("won_amount", _("Won amount"), sum((Decimal(r["won_amount"]) for r in rows), Decimal(0)), MONEY),
        ]
        result.figures = [_composite_figure(rows)]

    def _row(self, person: dict[str, Any], filters: ReportFilters) -> dict[str, Any]:
        pk = person["pk"]
        link = lambda **cell: self.link(filters, **cell)  # noqa: E731
        return {
            "key": str(pk),
            "id": pk,
            "person": person_name(person["first_name"], person["last_name"], person["username"]),
            "department": person["department__name"] or "",
            "won_amount": person["won_amount"],
            "won_deals": person["won_deals"],
            "closed_deals": person["closed_deals"],
            "win_rate": (person["won_deals"] * 100 / person["closed_deals"]) if person["closed_deals"] else None,
            "active_projects": person["active"],
            "accepted_milestones": person["accepted"],
            "on_time_milestones": (person["on_time"] * 100 / person["accepted"]) if person["accepted"] else None,
            "approved_deliverables": person["deliverables"],
            "interactions": person["interactions_logged"],
            "service_resolved": person["service_resolved"],
            "service_sla": (person["service_sla_met"] * 100 / person["service_with_sla"])
            if person["service_with_sla"]
            else None,
            "csat": person["csat"],
            # the 1–5 average as 20–100, for the composite score
            "csat_points": person["csat"] * 20 if person["csat"] is not None else None,
            "links": {
                "won_amount": link(won_by=pk),
                "won_deals": link(won_by=pk),
                "closed_deals": link(closed_by=pk),
                "win_rate": link(closed_by=pk),
                "active_projects": link(active_of=pk),
                "accepted_milestones": link(milestones_of=pk),
                "on_time_milestones": link(milestones_of=pk),
                "approved_deliverables": link(deliverables_of=pk),
            },
        }

    @staticmethod
    def _soft_scores(people: list[int], filters: ReportFilters) -> dict[tuple[int, int], float]:
        """Average over the quarters in the period of each quarter's latest score, per person and dimension."""
        newer = KpiScore.objects.filter(
            user=OuterRef("user"),
            dimension=OuterRef("dimension"),
            period_start=OuterRef("period_start"),
            scored_at__gt=OuterRef("scored_at"),
        )
        rows = (
            KpiScore.objects.filter(
                user__in=people, period_start__gte=quarter_start(filters.date_from), period_start__lte=filters.date_to
            )
            .exclude(Exists(newer))
            .values("user", "dimension")
            .annotate(avg=Avg("score"))
            .order_by()
        )
        return {(row["user"], row["dimension"]): float(row["avg"]) for row in rows}

    @staticmethod
    def _dimension_value(
        dimension: KpiDimension, row: dict[str, Any], soft: dict[tuple[int, int], float], best: dict[str, Decimal]
    ) -> float | None:
        if dimension.is_soft:
            return soft.get((row["id"], dimension.pk))
        metric = {
            KpiMetric.WON_AMOUNT: "won_amount",
            KpiMetric.WIN_RATE: "win_rate",
            KpiMetric.ACTIVE_PROJECTS: "active_projects",
            KpiMetric.ON_TIME_MILESTONES: "on_time_milestones",
            KpiMetric.APPROVED_DELIVERABLES: "approved_deliverables",
            KpiMetric.INTERACTIONS: "interactions",
            KpiMetric.SERVICE_SLA: "service_sla",
            KpiMetric.SERVICE_CSAT: "csat_points",
        }[KpiMetric(dimension.metric)]
        value = row[metric]
        if value is None:
            return None
        if dimension.metric in RATE_METRICS:
            return float(value)
        top = best.get(metric, Decimal(0))
        return float(Decimal(value) * 100 / top) if top else None


def _composite_figure(rows: list[dict[str, Any]]) -> Figure:
    shown = [row for row in rows if row["composite"] is not None][:20]
    fig = go.Figure(
        go.Bar(
            x=[row["composite"] for row in shown][::-1],
            y=[row["person"] for row in shown][::-1],
            orientation="h",
            marker_color="#0d6efd",
        )
    )
    fig.update_layout(xaxis={"title": _("Composite score"), "range": [0, 100]})
    return Figure("composite", _("Composite score per person"), fig)
