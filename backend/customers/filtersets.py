"""Filters for customer, contact and interaction lists (API and pages share them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.core.choices import Industry, Region
from backend.core.forms import DateTimeFilter
from backend.customers.choices import DecisionRole, InteractionKind, Tier
from backend.customers.models import Contact, Customer, Interaction


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))

    class Meta:
        model = Customer
        fields = ["q", "industry", "region", "tier", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value) | Q(address__icontains=value))


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    decision_role = django_filters.ChoiceFilter(choices=DecisionRole.choices, label=_("Decision role"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "decision_role"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(title__icontains=value))


class InteractionFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=InteractionKind.choices, label=_("Kind"))
    after = DateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("From"))
    before = DateTimeFilter(field_name="occurred_at", lookup_expr="lt", label=_("Until"))

    class Meta:
        model = Interaction
        fields = ["customer", "kind", "author", "after", "before"]
