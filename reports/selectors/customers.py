"""Customer ABC tiers and the customers going cold.

Tiers rank customers by their trailing three-year won amount (Pareto: A = the customers making up the top 80 %
of revenue, B = the next 15 %, C = the rest, including customers with nothing won). The customer that crosses a
boundary takes the higher tier. ``customers_cold`` lists the visible customers whose last interaction is older
than their tier's contact frequency (customers without a tier expect what C expects).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User, person_name
from backend.accounts.selectors import department_subtree_ids
from backend.bids.choices import Outcome
from backend.core.permissions import visible_to
from backend.customers.choices import Tier
from backend.customers.models import Customer, Interaction
from backend.projects.models import Project
from reports.base import DATE, INT, PERCENT, TEXT, Column, Figure, Metric, Report, ReportResult, Table, share
from reports.filters import ReportFilters, deal_amount
from reports.models import TierPolicy

TIER_YEARS = 3
A_SHARE, B_SHARE = Decimal("0.80"), Decimal("0.95")
COLD_SHOWN = 200
DEFAULT_DAYS = {"A": 30, "B": 90, "C": 180}


def trailing_won_amounts() -> QuerySet[Any]:
    """Each customer's won amount over the last three years (customers with none are absent)."""
    since = timezone.now() - timedelta(days=365 * TIER_YEARS)
    return (
        Project.objects.filter(outcome=Outcome.WON, closed_at__gte=since)
        .values("customer")
        .annotate(won=Sum(deal_amount()))
        .filter(won__gt=0)
        .order_by("-won", "customer")
    )


def tiers_from_amounts(amounts: list[tuple[int, Decimal]]) -> dict[int, str]:
    """A or B for the customers in ``amounts`` (sorted by amount, largest first) by their cumulative share."""
    total = sum((amount for _pk, amount in amounts), Decimal(0))
    tiers: dict[int, str] = {}
    running = Decimal(0)
    for pk, amount in amounts:
        before = running / total if total else Decimal(1)
        if before < A_SHARE:
            tiers[pk] = Tier.A
        elif before < B_SHARE:
            tiers[pk] = Tier.B
        running += amount
    return tiers


def contact_days() -> dict[str, int]:
    found = dict(TierPolicy.objects.values_list("tier", "contact_days"))
    return {tier: found.get(tier, days) for tier, days in DEFAULT_DAYS.items()}


class CustomersColdReport(Report):
    name = "customers-cold"
    title = gettext_lazy("Customers going cold")
    description = gettext_lazy(
        "Customers whose last visit, call, meeting or e-mail is older than their tier expects (A monthly, B "
        "quarterly, C twice a year by default), and how many customers of each tier that is."
    )
    audience = frozenset({"exec", "director", "bid_manager"})

    def customers(self, *, user: User, filters: ReportFilters) -> QuerySet[Customer]:
        qs = visible_to(user, Customer.objects.all())
        if filters.industry:
            qs = qs.filter(industry=filters.industry)
        if filters.region:
            qs = qs.filter(region=filters.region)
        if filters.owner is not None:
            qs = qs.filter(owner=filters.owner)
        if filters.department is not None:
            qs = qs.filter(owner__department__in=department_subtree_ids(root_ids={filters.department.pk}))
        return qs

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        days = contact_days()
        now = timezone.now()
        last = Subquery(
            Interaction.objects.filter(customer=OuterRef("pk"))
            .order_by()
            .values("customer")
            .annotate(last=Max("occurred_at"))
            .values("last")
        )
        cold_q = Q()
        for tier, allowed in days.items():
            tier_q = Q(tier=tier) if tier != Tier.C else Q(tier__in=[Tier.C, ""])
            cold_q |= tier_q & (Q(last_contact__isnull=True) | Q(last_contact__lt=now - timedelta(days=allowed)))
        customers = self.customers(user=user, filters=filters).annotate(last_contact=last)
        per_tier = {
            row["tier"]: row
            for row in customers.values("tier").annotate(total=Count("pk"), cold=Count("pk", filter=cold_q)).order_by()
        }
        list_url = reverse("customers:list")
        summary_rows = []
        for tier in [Tier.A, Tier.B, Tier.C, ""]:
            row = per_tier.get(tier)
            if row is None:
                continue
            summary_rows.append(
                {
                    "key": tier or "none",
                    "tier": tier or _("No tier yet"),
                    "contact_days": days.get(tier or Tier.C),
                    "customers": row["total"],
                    "cold": row["cold"],
                    "cold_share": share(row["cold"], row["total"]),
                    "links": {"customers": f"{list_url}?tier={tier}"} if tier else {},
                }
            )
        cold = list(
            customers.filter(cold_q)
            .order_by(F("last_contact").asc(nulls_first=True), "name")
            .values("pk", "name", "tier", "last_contact", "owner__first_name", "owner__last_name", "owner__username")[
                :COLD_SHOWN
            ]
        )
        rows = []
        for raw in cold:
            allowed = days.get(raw["tier"] or Tier.C, DEFAULT_DAYS["C"])
            since = (now - raw["last_contact"]).days if raw["last_contact"] else None
            rows.append(
                {
                    "key": str(raw["pk"]),
                    "id": raw["pk"],
                    "customer": raw["name"],
                    "tier": raw["tier"] or "—",
                    "owner": person_name(raw["owner__first_name"], raw["owner__last_name"], raw["owner__username"]),
                    "last_contact": timezone.localtime(raw["last_contact"]).date() if raw["last_contact"] else None,
                    "days_since": since,
                    "contact_days": allowed,
                    "overdue_days": since - allowed if since is not None else None,
                    "links": {"customer": reverse("customers:detail", args=[raw["pk"]])},
                }
            )
        total_cold = sum(row["cold"] for row in summary_rows)
        result.metrics = [
            Metric("customers", _("Customers"), sum(row["customers"] for row in summary_rows), INT, counts_deals=False),
            Metric("cold", _("Going cold"), total_cold, INT, counts_deals=False),
        ]
        result.tables = [
            Table(
                key="tiers",
                title=_("Customers by tier"),
                columns=[
                    Column("tier", _("Tier"), TEXT),
                    Column("contact_days", _("Contact at least every (days)"), INT, counts_deals=False),
                    Column("customers", _("Customers"), INT, counts_deals=False),
                    Column("cold", _("Going cold"), INT, counts_deals=False),
                    Column("cold_share", _("Share going cold"), PERCENT),
                ],
                rows=summary_rows,
            ),
            Table(
                key="cold",
                title=_("Customers going cold (longest silence first)"),
                columns=[
                    Column("customer", _("Customer"), TEXT),
                    Column("tier", _("Tier"), TEXT),
                    Column("owner", _("Owner"), TEXT),
                    Column("last_contact", _("Last interaction"), DATE),
                    Column("days_since", _("Days since"), INT, counts_deals=False),
                    Column("contact_days", _("Expected every (days)"), INT, counts_deals=False),
                    Column("overdue_days", _("Overdue by (days)"), INT, counts_deals=False),
                ],
                rows=rows,
                note=_("Never contacted customers come first.") if any(r["last_contact"] is None for r in rows) else "",
            ),
        ]
        result.figures = [_tier_figure(summary_rows)]


def _tier_figure(rows: list[dict[str, Any]]) -> Figure:
    tiers = [str(row["tier"]) for row in rows]
    fig = go.Figure()
    fig.add_bar(name=_("In touch"), x=tiers, y=[row["customers"] - row["cold"] for row in rows], marker_color="#198754")
    fig.add_bar(name=_("Going cold"), x=tiers, y=[row["cold"] for row in rows], marker_color="#0dcaf0")
    fig.update_layout(barmode="stack", yaxis={"title": _("Customers")})
    return Figure("tiers", _("Customers in touch and going cold, by tier"), fig)
