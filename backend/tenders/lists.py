"""The tender list's columns for ``backend.core.lists``: what it sorts by, totals and exports."""

from __future__ import annotations

from django.db.models import F, Sum, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _

from backend.core.lists import Column, ListSpec

TENDERS = ListSpec(
    key="tenders",
    url_name="tenders:list",
    title=_("Tenders"),
    filename="tenders",
    default_order=(F("publish_date").desc(nulls_last=True), "-pk"),
    columns=(
        Column("number", _("Tender number"), lambda t: t.number, order="number"),
        Column("title", _("Title"), lambda t: t.title, order="title"),
        Column("buyer", _("Buyer"), lambda t: t.buyer, order="buyer"),
        Column("budget", _("Budget"), lambda t: t.budget, order="budget", total=Sum("budget"), money=True),
        Column("currency", _("Currency"), lambda t: t.currency),
        Column("industry", _("Industry"), lambda t: t.get_industry_display(), order="industry"),
        Column("region", _("Region"), lambda t: t.get_region_display(), order=NullIf(F("region"), Value(""))),
        Column("published", _("Published"), lambda t: t.publish_date, order="publish_date"),
        Column("deadline", _("Bid deadline"), lambda t: t.bid_deadline, order="bid_deadline"),
        Column("owner", _("Owner"), lambda t: str(t.owner), order="owner__last_name"),
        Column("projects", _("Projects"), lambda t: t.project_count, order="project_count"),
    ),
)
