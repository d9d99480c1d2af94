"""Reads for bids and quotations. Quotation totals and margin are computed in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.bids.models import Bid, BidOpeningEntry, ContractTerms, Quotation, QuotationLine, WinLossRecord
from backend.core.errors import Conflict
from backend.core.permissions import visible_to
from backend.projects.models import Competitor, Project, ProjectCompetitor
from workflows.models import Gate, Review
from workflows.services import gate_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)

# Percentages are scaled by multiplying with 0.01 rather than dividing by 100: SQLite stores whole-number
# decimals as INTEGER and would otherwise divide integers (3 x 10.00 at 5 % off gave 28, not 28.50).
PERCENT = Value(Decimal("0.01"), output_field=MONEY)
LINE_NET = ExpressionWrapper(F("quantity") * F("unit_price") * (100 - F("discount")) * PERCENT, output_field=MONEY)
LINE_COST = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=MONEY)
LINE_TAX = ExpressionWrapper(
    F("quantity") * F("unit_price") * (100 - F("discount")) * PERCENT * F("tax_rate") * PERCENT, output_field=MONEY
)


def _line_sum(expression: ExpressionWrapper) -> Coalesce:
    lines = (
        QuotationLine.objects.filter(quotation=OuterRef("pk"))
        .order_by()
        .values("quotation")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=MONEY), ZERO)


class LineAmounts(TypedDict):
    """What ``quotation_lines_with_amounts`` annotates."""

    net: Decimal
    cost: Decimal
    tax: Decimal


class QuotationTotals(LineAmounts):
    """What ``with_totals`` annotates (``margin_pct`` is NULL when net is 0)."""

    gross: Decimal
    margin_pct: Decimal | None


def with_totals(qs: QuerySet[Quotation]) -> QuerySet[WithAnnotations[Quotation, QuotationTotals]]:
    """Annotate net, cost, tax, gross and margin_pct (NULL when net is 0), all in SQL."""
    qs = qs.annotate(net=_line_sum(LINE_NET), cost=_line_sum(LINE_COST), tax=_line_sum(LINE_TAX))
    return qs.annotate(
        gross=ExpressionWrapper(F("net") + F("tax"), output_field=MONEY),
        margin_pct=Case(
            When(net__gt=0, then=ExpressionWrapper((F("net") - F("cost")) / (F("net") * PERCENT), output_field=MONEY)),
            default=None,
            output_field=MONEY,
        ),
    )


def quotation_totals(*, quotation_id: int) -> dict[str, Any]:
    row: Mapping[str, Any] = with_totals(Quotation.objects.filter(pk=quotation_id)).values(
        "net", "cost", "tax", "gross", "margin_pct"
    )[0]
    return {k: (Decimal(v).quantize(Decimal("0.01")) if v is not None else None) for k, v in row.items()}


def quotation_list_visible(*, user: User) -> QuerySet[Quotation]:
    return with_totals(visible_to(user, Quotation.objects.select_related("project__customer", "created_by")))


def quotation_lines_with_amounts(*, quotation: Quotation) -> QuerySet[WithAnnotations[QuotationLine, LineAmounts]]:
    return quotation.lines.annotate(net=LINE_NET, cost=LINE_COST, tax=LINE_TAX)


def bid_list_visible(*, user: User) -> QuerySet[Bid]:
    return visible_to(user, Bid.objects.select_related("project")).prefetch_related("opening__competitor")


def win_loss_list_visible(*, user: User) -> QuerySet[WinLossRecord]:
    return visible_to(
        user, WinLossRecord.objects.select_related("project", "primary_reason", "winning_competitor", "recorded_by")
    ).prefetch_related("secondary_reasons")


DEFAULT_MARGIN_THRESHOLD = Decimal(15)  # when the quotation-margin gate names no ``margin_below``


def margin_threshold(gate: Gate) -> Decimal:
    """The margin (%) under which a quotation needs ``gate`` (the quotation-margin gate) to approve it."""
    return Decimal(str(gate.options.get("margin_below", DEFAULT_MARGIN_THRESHOLD)))


def margin_threshold_for(*, project: Project) -> Decimal:
    """The threshold ``quotation_submit`` applies to ``project`` (its default when no gate is configured)."""
    try:
        gate = gate_for(template=project.process_template, kind="quotation_margin")
    except Conflict:
        return DEFAULT_MARGIN_THRESHOLD
    return margin_threshold(gate)


def project_bids(*, project: Project) -> QuerySet[Bid]:
    """The project's rounds with ``bond_status`` (none / due / paid / refunded) and the opening ranked."""
    opening = BidOpeningEntry.objects.select_related("competitor").order_by(
        F("rank").asc(nulls_last=True), "price", "pk"
    )
    return (
        Bid.objects.filter(project=project)
        .annotate(
            bond_status=Case(
                When(bond_refunded_on__isnull=False, then=Value("refunded")),
                When(bond_paid_on__isnull=False, then=Value("paid")),
                When(bond_amount__gt=0, then=Value("due")),
                default=Value("none"),
                output_field=CharField(),
            )
        )
        .prefetch_related(Prefetch("opening", queryset=opening))
        .order_by("round")
    )


def project_quotations(*, project: Project, threshold: Decimal) -> QuerySet[Quotation]:
    """Versions, newest first, with totals and margin from SQL, ``margin_ok`` and their latest review."""
    latest_review = Review.objects.filter(quotation=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        with_totals(Quotation.objects.filter(project=project).select_related("created_by", "partner"))
        .annotate(
            margin_ok=Case(
                When(margin_pct__gte=Value(threshold), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            review_id=Subquery(latest_review.values("pk")[:1]),
            review_status=Subquery(latest_review.values("status")[:1]),
        )
        .order_by("-version")
    )


def project_bidders(*, project: Project) -> list[Competitor]:
    """Bidders that can be chosen: the project's competitors and any already in one of its opening records."""
    # Two id subqueries, not an OR across two joins: that joined every competitor with all its entries and
    # opening lines (seconds at 100,000 projects, issue 15), and needed a DISTINCT besides.
    entered = ProjectCompetitor.objects.filter(project=project).values("competitor_id")
    in_openings = BidOpeningEntry.objects.filter(bid__project=project, competitor__isnull=False).values("competitor_id")
    return list(Competitor.objects.filter(Q(pk__in=entered) | Q(pk__in=in_openings)).order_by("name"))


def project_contract_terms(*, project: Project) -> ContractTerms | None:
    return ContractTerms.objects.filter(project=project).first()


def project_win_loss(*, project: Project) -> WinLossRecord | None:
    return (
        WinLossRecord.objects.filter(project=project)
        .select_related("primary_reason", "winning_competitor", "recorded_by")
        .prefetch_related("secondary_reasons")
        .first()
    )


def customer_latest_quotations(
    *, user: User, customer_id: int
) -> QuerySet[WithAnnotations[Quotation, QuotationTotals]]:
    """The latest quotation version of each of the customer's projects ``user`` may see, with its totals
    (one query)."""
    newer = Quotation.objects.filter(project=OuterRef("project"), version__gt=OuterRef("version"))
    return (
        with_totals(visible_to(user, Quotation.objects.filter(project__customer_id=customer_id)))
        .filter(~Exists(newer))
        .select_related("project")
        .order_by("-updated_at", "-pk")
    )


def project_latest_quotation(*, project: Project) -> Quotation | None:
    return Quotation.objects.filter(project=project).order_by("-version").first()
