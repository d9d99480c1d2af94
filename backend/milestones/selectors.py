"""Reads for delivery: milestones with their deliverables, payment terms with collected and outstanding
amounts, receivables aging, budget against actual and the cut-losses signal. Sums are computed in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.milestones.models import Deliverable, DeliverableVersion, Milestone, PaymentTerm, Receipt
from backend.projects.models import BudgetLine, Expense, Project

MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)


def _received_subquery() -> Coalesce:
    received = (
        Receipt.objects.filter(payment_term=OuterRef("pk"))
        .order_by()
        .values("payment_term")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(received, output_field=MONEY), ZERO)


def payment_terms_with_amounts(qs: QuerySet[PaymentTerm] | None = None) -> QuerySet[PaymentTerm]:
    """Terms annotated with ``received`` and ``outstanding`` (amount − received − written off)."""
    qs = PaymentTerm.objects.all() if qs is None else qs
    return qs.annotate(received=_received_subquery()).annotate(
        outstanding=ExpressionWrapper(F("amount") - F("received") - F("written_off"), output_field=MONEY)
    )


def term_outstanding(*, term_id: int) -> Decimal:
    return payment_terms_with_amounts(PaymentTerm.objects.filter(pk=term_id)).values_list("outstanding", flat=True)[0]


def project_outstanding(*, project: Project) -> Decimal:
    total = payment_terms_with_amounts(project.payment_terms.all()).aggregate(t=Sum("outstanding"))["t"]
    return Decimal(total or 0)


AGING_BUCKETS = [("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), (">180", 181, None)]


def receivables_aging(*, user: User, today: date | None = None) -> dict[str, Any]:
    """Outstanding amounts of due terms, by days past due, over the projects ``user`` sees (one query)."""
    today = today or timezone.localdate()
    qs = payment_terms_with_amounts(visible_to(user, PaymentTerm.objects.filter(due_date__isnull=False)))
    qs = qs.filter(outstanding__gt=0, due_date__lte=today)
    aggregates = {}  # buckets by due-date ranges (portable: no date arithmetic in SQL)
    for label, low, high in AGING_BUCKETS:
        condition = {"due_date__lte": today - timedelta(days=low)}
        if high is not None:
            condition["due_date__gt"] = today - timedelta(days=high + 1)
        aggregates[label] = Coalesce(
            Sum(Case(When(then=F("outstanding"), **condition), default=ZERO, output_field=MONEY)), ZERO
        )
    row = qs.aggregate(**aggregates, total=Coalesce(Sum("outstanding"), ZERO))
    return {
        "buckets": [{"label": label, "amount": row[label]} for label, _l, _h in AGING_BUCKETS],
        "total": row["total"],
    }


def milestones_for_project(*, project: Project) -> list[Milestone]:
    """Milestones with deliverables and their versions, and payment terms with amounts (constant queries)."""
    versions = DeliverableVersion.objects.select_related("uploaded_by").order_by("-version")
    deliverables = Deliverable.objects.select_related("created_by", "reviewed_by").prefetch_related(
        Prefetch("versions", queryset=versions)
    )
    return list(
        project.milestones.select_related("owner").prefetch_related(
            Prefetch("deliverables", queryset=deliverables),
            Prefetch("payment_terms", queryset=payment_terms_with_amounts()),
        )
    )


def project_financials(*, project: Project) -> dict[str, Any]:
    """Revenue, planned and actual cost by category, margin, and the presales cut-losses signal."""
    planned = {
        row["category"]: row["total"]
        for row in BudgetLine.objects.filter(project=project).values("category").annotate(total=Sum("planned_amount"))
    }
    actual = {
        row["category"]: row["total"]
        for row in Expense.objects.filter(project=project).values("category").annotate(total=Sum("amount"))
    }
    revenue = project.contract_amount if project.contract_amount is not None else project.estimated_amount
    actual_total = sum(actual.values(), Decimal(0))
    planned_total = sum(planned.values(), Decimal(0))
    margin = revenue - actual_total
    margin_pct = (margin * 100 / revenue).quantize(Decimal("0.1")) if revenue else None
    return {
        "revenue": revenue,
        "planned": planned,
        "actual": actual,
        "planned_total": planned_total,
        "actual_total": actual_total,
        "margin": margin,
        "margin_pct": margin_pct,
        "cut_losses": cut_losses_signal(project=project, presales_cost=actual.get("presales", Decimal(0))),
    }


def expected_margin_pct(project: Project) -> Decimal:
    """The margin of the latest quotation, else the default planning margin."""
    from backend.bids.selectors import with_totals

    latest = with_totals(project.quotations.order_by("-version")).values_list("margin_pct", flat=True).first()
    return Decimal(latest) if latest is not None else Decimal(settings.DEFAULT_MARGIN_PERCENT)


def cut_losses_signal(*, project: Project, presales_cost: Decimal) -> dict[str, Any]:
    """Presales cost above a share of the expected margin (amount × probability × margin %) says stop."""
    expected = (
        project.estimated_amount * Decimal(project.probability) / 100 * expected_margin_pct(project) / 100
    ).quantize(Decimal("0.01"))
    threshold = (expected * Decimal(settings.CUT_LOSSES_SHARE)).quantize(Decimal("0.01"))
    presales = project.status in ("tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review")
    return {
        "expected_margin": expected,
        "threshold": threshold,
        "presales_cost": presales_cost,
        "raised": presales and presales_cost > threshold,
    }


def cut_losses_projects(*, user: User) -> QuerySet[Project]:
    """Open presales projects whose presales cost is over the threshold share of their expected margin,
    computed in SQL with the default margin (the alarm scan and dashboards use it)."""
    presales_cost = Coalesce(
        Subquery(
            Expense.objects.filter(project=OuterRef("pk"), category="presales")
            .order_by()
            .values("project")
            .annotate(t=Sum("amount"))
            .values("t"),
            output_field=MONEY,
        ),
        ZERO,
    )
    expected = ExpressionWrapper(
        F("estimated_amount")
        * F("probability")
        * Value(Decimal(settings.DEFAULT_MARGIN_PERCENT))
        / Value(Decimal(10000)),
        output_field=MONEY,
    )
    return (
        visible_to(
            user,
            Project.objects.filter(
                status__in=["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review"]
            ),
        )
        .annotate(presales_cost=presales_cost, expected_margin=expected)
        .filter(presales_cost__gt=F("expected_margin") * Value(Decimal(str(settings.CUT_LOSSES_SHARE))))
    )


def milestone_progress(*, project: Project) -> dict[str, Any]:
    """Weighted share of accepted milestones (cancelled ones do not count)."""
    rows = project.milestones.exclude(status="cancelled").aggregate(
        total=Coalesce(Sum("weight"), 0),
        done=Coalesce(Sum(Case(When(status="accepted", then=F("weight")), default=0, output_field=IntegerField())), 0),
    )
    return {
        "total": rows["total"],
        "done": rows["done"],
        "percent": round(rows["done"] * 100 / rows["total"]) if rows["total"] else 0,
    }
