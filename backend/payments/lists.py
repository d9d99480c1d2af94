"""The receivables list (payment terms past due) for ``backend.core.lists``: sort, totals and export."""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.core.lists import Column, ListSpec


def _days_late(term) -> int | None:  # type: ignore[no-untyped-def]
    return (timezone.localdate() - term.due_date).days if term.due_date is not None else None


RECEIVABLES = ListSpec(
    key="receivables",
    url_name="payments:receivables",
    title=_("Receivables"),
    filename="receivables",
    default_order=("due_date", "pk"),
    columns=(
        Column("project", _("Project"), lambda t: t.project.code, order="project__code"),
        Column("project_name", _("Project name"), lambda t: t.project.name, order="project__name"),
        Column("customer", _("Customer"), lambda t: t.project.customer.name, order="project__customer__name"),
        Column("term", _("Term"), lambda t: t.name, order="name"),
        Column("due", _("Due date"), lambda t: t.due_date, order="due_date"),
        Column("days", _("Days past due"), _days_late),
        Column("amount", _("Amount"), lambda t: t.amount, order="amount", total=Sum("amount"), money=True),
        Column("received", _("Received"), lambda t: t.received, order="received", total=Sum("received"), money=True),
        Column(
            "outstanding",
            _("Outstanding"),
            lambda t: t.outstanding,
            order="outstanding",
            total=Sum("outstanding"),
            money=True,
        ),
    ),
)
