"""Reads for tenders, bids and quotations. Quotation totals and margin are computed in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.bids.models import Bid, Quotation, QuotationLine, Tender, WinLossRecord
from backend.core.permissions import visible_to

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


def _line_sum(expression: ExpressionWrapper) -> Subquery:
    lines = (
        QuotationLine.objects.filter(quotation=OuterRef("pk"))
        .order_by()
        .values("quotation")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=MONEY), ZERO)


def with_totals(qs: QuerySet[Quotation]) -> QuerySet[Quotation]:
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
    row = with_totals(Quotation.objects.filter(pk=quotation_id)).values("net", "cost", "tax", "gross", "margin_pct")[0]
    return {k: (Decimal(v).quantize(Decimal("0.01")) if v is not None else None) for k, v in row.items()}


def quotation_list_visible(*, user: User) -> QuerySet[Quotation]:
    return with_totals(visible_to(user, Quotation.objects.select_related("project", "created_by")))


def quotation_lines_with_amounts(*, quotation: Quotation) -> QuerySet[QuotationLine]:
    return quotation.lines.annotate(net=LINE_NET, cost=LINE_COST, tax=LINE_TAX)


def bid_list_visible(*, user: User) -> QuerySet[Bid]:
    return visible_to(user, Bid.objects.select_related("project")).prefetch_related("opening__competitor")


def tender_list_visible(*, user: User) -> QuerySet[Tender]:
    return visible_to(user, Tender.objects.select_related("owner", "customer", "routing_rule"))


def win_loss_list_visible(*, user: User) -> QuerySet[WinLossRecord]:
    return visible_to(
        user, WinLossRecord.objects.select_related("project", "primary_reason", "winning_competitor", "recorded_by")
    ).prefetch_related("secondary_reasons")
