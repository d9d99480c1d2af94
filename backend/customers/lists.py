"""The customer list's columns for ``backend.core.lists``: what it sorts by, totals and exports. Blank
texts sort as empty (last either way)."""

from __future__ import annotations

from django.db.models import F, Sum, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _

from backend.core.lists import Column, ListSpec

CUSTOMERS = ListSpec(
    key="customers",
    url_name="customers:list",
    title=_("Customers"),
    filename="customers",
    default_order=("name", "pk"),
    columns=(
        Column("name", _("Name"), lambda c: c.name, order="name"),
        Column("industry", _("Industry"), lambda c: c.get_industry_display(), order="industry"),
        Column("region", _("Region"), lambda c: c.get_region_display(), order=NullIf(F("region"), Value(""))),
        Column("tier", _("Tier"), lambda c: c.tier, order=NullIf(F("tier"), Value(""))),
        Column("owner", _("Owner"), lambda c: str(c.owner), order="owner__last_name"),
        Column("contacts", _("Contacts"), lambda c: c.contact_count, order="contact_count", total=Sum("contact_count")),
    ),
)
