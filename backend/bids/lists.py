"""The quotation list (every quotation the user may see, across projects) for ``backend.core.lists``: its
filters, columns, sort keys, totals and export. Amounts are the line sums ``selectors.with_totals`` makes."""

from __future__ import annotations

import django_filters
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.bids.choices import QuotationStatus
from backend.bids.models import Quotation
from backend.core.lists import Column, ListSpec


class QuotationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=QuotationStatus.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Quotation
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
            | Q(project__customer__name__icontains=value)
            | Q(title__icontains=value)
        )


def _project_url(quotation: Quotation) -> str:
    return reverse("projects:detail", args=[quotation.project_id]) + "?tab=bids"


QUOTATIONS = ListSpec(
    key="quotations",
    url_name="bids:quotations",
    title=_("Quotations"),
    filename="quotations",
    default_order=("-created_at", "-pk"),
    columns=(
        Column("project", _("Project"), lambda q: q.project.code, order="project__code", link=_project_url),
        Column("project_name", _("Project name"), lambda q: q.project.name, order="project__name"),
        Column("customer", _("Customer"), lambda q: q.project.customer.name, order="project__customer__name"),
        Column("version", _("Version"), lambda q: q.version, order="version"),
        Column("title", _("Title"), lambda q: q.title, order="title"),
        Column("status", _("Status"), lambda q: q.get_status_display(), order="status"),
        Column("net", _("Net"), lambda q: q.net, order="net", total=Sum("net"), money=True),
        Column("tax", _("Tax"), lambda q: q.tax, order="tax", total=Sum("tax"), money=True),
        Column("gross", _("Gross"), lambda q: q.gross, order="gross", total=Sum("gross"), money=True),
        Column("currency", _("Currency"), lambda q: q.currency),
        Column("valid_until", _("Valid until"), lambda q: q.valid_until, order="valid_until"),
        Column("created_by", _("Created by"), lambda q: str(q.created_by), order="created_by__last_name"),
        Column("created", _("Created"), lambda q: q.created_at, order="created_at"),
    ),
)
