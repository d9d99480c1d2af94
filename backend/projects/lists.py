"""The project list's columns for ``backend.core.lists``: what it sorts by, totals and exports."""

from __future__ import annotations

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backend.core.lists import Column, ListSpec

# the amount that matters now (``Project.amount``) in SQL: the contract amount once known, else the estimate
AMOUNT = Coalesce("contract_amount", "estimated_amount", output_field=DecimalField(max_digits=16, decimal_places=2))

PROJECTS = ListSpec(
    key="projects",
    url_name="projects:list",
    title=_("Projects"),
    filename="projects",
    default_order=("-created_at", "-pk"),
    columns=(
        Column("code", _("Code"), lambda p: p.code, order="code"),
        Column("name", _("Name"), lambda p: p.name, order="name"),
        Column("customer", _("Customer"), lambda p: p.customer.name, order="customer__name"),
        Column("status", _("Status"), lambda p: p.get_status_display(), order="status"),
        Column("amount", _("Amount"), lambda p: p.amount, order=AMOUNT, total=Sum(AMOUNT), money=True),
        Column("currency", _("Currency"), lambda p: p.currency),
        Column("owner", _("Owner"), lambda p: str(p.owner), order="owner__last_name"),
        Column("close", _("Expected close"), lambda p: p.expected_close_date, order="expected_close_date"),
        Column("rule", _("Assigned by rule"), lambda p: p.routing_rule.name if p.routing_rule else ""),
        Column("created", _("Created"), lambda p: p.created_at, order="created_at"),
    ),
)
