"""The receivables list (payment terms past due) and the invoice list (every invoice the user may see) for
``backend.core.lists``: filters, sort keys, totals and export."""

from __future__ import annotations

import django_filters
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.core.lists import Column, ListSpec
from backend.payments.models import Invoice


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


class InvoiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("Issued from"))
    issued_until = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("Issued until"))

    class Meta:
        model = Invoice
        fields = ["q", "issued_from", "issued_until"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
            | Q(project__customer__name__icontains=value)
        )


def _payments_tab(invoice: Invoice) -> str:
    return reverse("projects:detail", args=[invoice.project_id]) + "?tab=payments"


INVOICES = ListSpec(
    key="invoices",
    url_name="payments:invoices",
    title=_("Invoices"),
    filename="invoices",
    default_order=("-issued_on", "-pk"),
    columns=(
        Column("number", _("Invoice number"), lambda i: i.number, order="number", link=_payments_tab),
        Column("project", _("Project"), lambda i: i.project.code, order="project__code"),
        Column("customer", _("Customer"), lambda i: i.project.customer.name, order="project__customer__name"),
        Column(
            "term",
            _("Payment term"),
            lambda i: i.payment_term.name if i.payment_term else "",
            order="payment_term__name",
        ),
        Column("amount", _("Amount"), lambda i: i.amount, order="amount", total=Sum("amount"), money=True),
        Column("issued", _("Issued on"), lambda i: i.issued_on, order="issued_on"),
        Column("due", _("Due on"), lambda i: i.due_on, order="due_on"),
    ),
)
