"""Filters for activity lists (API and pages share them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.activities.choices import ActivityKind, ActivityStatus
from backend.activities.models import Activity
from backend.core.forms import DateTimeFilter


class ActivityFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Status"))
    customer = django_filters.NumberFilter(method="for_customer", label=_("Customer"))
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte", label=_("Due from"))
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lt", label=_("Due before"))

    class Meta:
        model = Activity
        fields = ["owner", "status", "kind", "project", "customer", "due_after", "due_before"]

    def for_customer(self, queryset, name, value):
        """Linked to the customer directly, through one of its contacts or one of its projects."""
        return queryset.filter(Q(customer_id=value) | Q(contact__customer_id=value) | Q(project__customer_id=value))
