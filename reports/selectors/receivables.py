"""Receivables: what was planned to fall due against what was collected, month by month; what is overdue today by
age (0–30, 31–90, 91–180, over 180 days past due); the customers owing most; and days sales outstanding (DSO):
receivables past due ÷ the amount that fell due in the last 90 days × 90.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from backend.accounts.models import User
from backend.payments.models import PaymentTerm, Receipt
from backend.payments.selectors import AGING_BUCKETS, payment_terms_with_amounts
from backend.projects.models import Project
from reports.base import (
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
    int_value,
    month_key,
    parse_period_key,
    share,
    within,
)
from reports.dimensions import DIMENSIONS
from reports.filters import MONEY as MONEY_FIELD
from reports.filters import ReportFilters

ZERO = Value(Decimal(0), output_field=MONEY_FIELD)
DSO_DAYS = 90
TOP_CUSTOMERS = 10


def _bucket_bounds(label: str, today: date) -> Q:
    for name, low, high in AGING_BUCKETS:
        if name == label:
            condition = Q(due_date__lte=today - timedelta(days=low))
            if high is not None:
                condition &= Q(due_date__gt=today - timedelta(days=high + 1))
            return condition
    raise ValueError(label)


def _overdue_terms(today: date, condition: Q | None = None) -> QuerySet[PaymentTerm]:
    qs = PaymentTerm.objects.filter(due_date__isnull=False, due_date__lte=today)
    if condition is not None:
        qs = qs.filter(condition)
    return payment_terms_with_amounts(qs).filter(Q(outstanding__gt=0))


class ReceivablesReport(Report):
    name = "receivables"
    title = gettext_lazy("Receivables")
    description = gettext_lazy(
        "Planned against collected per month, what is overdue by age, the customers owing most, and days sales "
        "outstanding."
    )
    audience = frozenset({"exec", "director", "finance"})

    def default_period(self, today: date) -> tuple[date, date]:
        start = add_months(date(today.year, today.month, 1), -11)
        return start, add_months(date(today.year, today.month, 1), 4) - timedelta(days=1)

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        today = timezone.localdate()
        if key == "due_month":
            start, end = parse_period_key(value)
            return Q(Exists(PaymentTerm.objects.filter(project=OuterRef("pk"), due_date__gte=start, due_date__lt=end)))
        if key == "received_month":
            start, end = parse_period_key(value)
            return Q(
                Exists(Receipt.objects.filter(project=OuterRef("pk"), received_on__gte=start, received_on__lt=end))
            )
        if key == "aging":
            condition = None if value == "all" else _bucket_bounds(value, today)
            return Q(Exists(_overdue_terms(today, condition).filter(project=OuterRef("pk"))))
        if key == "overdue_customer":
            return Q(customer=int_value(value)) & Q(Exists(_overdue_terms(today).filter(project=OuterRef("pk"))))
        return DIMENSIONS[key].q(value)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        deals = self.scope(user=user, filters=filters)
        today = timezone.localdate()
        monthly = self._monthly(deals, filters)
        aging = self._aging(deals, filters, today)
        customers = self._customers(deals, filters, today)
        planned = sum((Decimal(row["planned"]) for row in monthly.rows), Decimal(0))
        collected = sum((Decimal(row["collected"]) for row in monthly.rows), Decimal(0))
        overdue = next(row for row in aging.rows if row["key"] == "all")
        fell_due = PaymentTerm.objects.filter(
            project__in=deals.values("pk"), due_date__gt=today - timedelta(days=DSO_DAYS), due_date__lte=today
        ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        dso = float(Decimal(overdue["amount"]) / fell_due * DSO_DAYS) if fell_due else None
        result.metrics = [
            Metric("planned", _("Planned to fall due in the period"), planned, MONEY),
            Metric("collected", _("Collected in the period"), collected, MONEY),
            Metric("collection_rate", _("Collected against planned"), share(collected, planned), PERCENT),
            Metric("overdue", _("Overdue today"), overdue["amount"], MONEY, self.link(filters, aging="all")),
            Metric("dso", _("Days sales outstanding"), dso, "days"),
        ]
        result.tables = [monthly, aging, customers]
        result.figures = [_monthly_figure(monthly), _aging_figure(aging)]

    def _monthly(self, deals: QuerySet[Project], filters: ReportFilters) -> Table:
        planned: dict[Any, dict[str, Any]] = {
            row["month"]: dict(row)
            for row in within(PaymentTerm.objects.all(), deals)
            .filter(due_date__gte=filters.date_from, due_date__lte=filters.date_to)
            .annotate(month=TruncMonth("due_date"))
            .values("month")
            .annotate(planned=Sum("amount"), projects=Count("project", distinct=True))
            .order_by()
        }
        collected: dict[Any, dict[str, Any]] = {
            row["month"]: dict(row)
            for row in within(Receipt.objects.all(), deals)
            .filter(received_on__gte=filters.date_from, received_on__lte=filters.date_to)
            .annotate(month=TruncMonth("received_on"))
            .values("month")
            .annotate(collected=Sum("amount"), projects=Count("project", distinct=True))
            .order_by()
        }
        rows = []
        month = date(filters.date_from.year, filters.date_from.month, 1)
        while month <= filters.date_to:
            key = month_key(month)
            due: dict[str, Any] = planned.get(month, {})
            got: dict[str, Any] = collected.get(month, {})
            rows.append(
                {
                    "key": key,
                    "month": key,
                    "due_projects": due.get("projects", 0),
                    "planned": due.get("planned") or Decimal(0),
                    "paying_projects": got.get("projects", 0),
                    "collected": got.get("collected") or Decimal(0),
                    "rate": share(got.get("collected") or 0, due.get("planned") or 0),
                    "links": {
                        "due_projects": self.link(filters, due_month=key),
                        "planned": self.link(filters, due_month=key),
                        "paying_projects": self.link(filters, received_month=key),
                        "collected": self.link(filters, received_month=key),
                    },
                }
            )
            month = add_months(month, 1)
        return Table(
            key="monthly",
            title=_("Planned against collected, month by month"),
            columns=[
                Column("month", _("Month"), TEXT),
                Column("due_projects", _("Projects with payments due"), INT),
                Column("planned", pgettext("amount", "Planned"), MONEY),
                Column("paying_projects", _("Projects that paid"), INT),
                Column("collected", _("Collected"), MONEY),
                Column("rate", _("Collected against planned"), PERCENT),
            ],
            rows=rows,
        )

    def _aging(self, deals: QuerySet[Project], filters: ReportFilters, today: date) -> Table:
        """Every bucket and the total in one pass over the overdue terms."""
        labels = [*(label for label, _low, _high in AGING_BUCKETS), "all"]
        aggregates: dict[str, Any] = {}
        for index, label in enumerate(labels):
            condition = Q() if label == "all" else _bucket_bounds(label, today)
            aggregates[f"amount_{index}"] = Coalesce(Sum("outstanding", filter=condition), ZERO)
            aggregates[f"projects_{index}"] = Count("project", distinct=True, filter=condition)
        found = within(_overdue_terms(today), deals).aggregate(**aggregates)
        rows = []
        for index, label in enumerate(labels):
            link = self.link(filters, aging=label)
            rows.append(
                {
                    "key": label,
                    "bucket": _("All overdue") if label == "all" else _("%(days)s days past due") % {"days": label},
                    "projects": found[f"projects_{index}"],
                    "amount": found[f"amount_{index}"],
                    "links": {"projects": link, "amount": link},
                }
            )
        return Table(
            key="aging",
            title=_("Overdue today by age"),
            columns=[
                Column("bucket", _("Age"), TEXT),
                Column("projects", _("Projects"), INT),
                Column("amount", _("Outstanding"), MONEY),
            ],
            rows=rows,
        )

    def _customers(self, deals: QuerySet[Project], filters: ReportFilters, today: date) -> Table:
        rows = []
        for raw in (
            within(_overdue_terms(today), deals)
            .values("project__customer", "project__customer__name")
            .annotate(amount=Sum("outstanding"), projects=Count("project", distinct=True))
            .order_by("-amount", "project__customer__name")[:TOP_CUSTOMERS]
        ):
            customer = raw["project__customer"]
            link = self.link(filters, overdue_customer=customer)
            rows.append(
                {
                    "key": str(customer),
                    "id": customer,
                    "customer": raw["project__customer__name"],
                    "projects": raw["projects"],
                    "amount": raw["amount"],
                    "links": {"projects": link, "amount": link},
                }
            )
        return Table(
            key="top_overdue_customers",
            title=_("Customers owing most (overdue today)"),
            columns=[
                Column("customer", _("Customer"), TEXT),
                Column("projects", _("Projects"), INT),
                Column("amount", _("Overdue"), MONEY),
            ],
            rows=rows,
        )


def _monthly_figure(table: Table) -> Figure:
    months = [row["month"] for row in table.rows]
    fig = go.Figure()
    fig.add_bar(
        name=pgettext("amount", "Planned"),
        x=months,
        y=[float(row["planned"]) for row in table.rows],
        marker_color="#adb5bd",
    )
    fig.add_bar(
        name=_("Collected"), x=months, y=[float(row["collected"]) for row in table.rows], marker_color="#198754"
    )
    fig.update_layout(barmode="group", xaxis={"type": "category"}, yaxis={"title": _("Amount")})
    return Figure("planned_collected", _("Planned against collected"), fig)


def _aging_figure(table: Table) -> Figure:
    rows = [row for row in table.rows if row["key"] != "all"]
    fig = go.Figure(
        go.Bar(
            x=[row["bucket"] for row in rows],
            y=[float(row["amount"]) for row in rows],
            marker_color=["#ffc107", "#fd7e14", "#dc3545", "#842029"][: len(rows)],
        )
    )
    fig.update_layout(yaxis={"title": _("Outstanding")})
    return Figure("aging", _("Receivables aging"), fig)
