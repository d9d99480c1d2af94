"""Filters for project lists (API and pages share them)."""

from __future__ import annotations

import django_filters
import django_filters.widgets
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.core.choices import Industry, Region
from backend.projects.choices import Source, Status
from backend.projects.models import Project


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    mine = django_filters.BooleanFilter(
        method="only_mine", label=_("Only my projects"), widget=django_filters.widgets.BooleanWidget
    )
    min_amount = django_filters.NumberFilter(field_name="estimated_amount", lookup_expr="gte", label=_("Min amount"))
    max_amount = django_filters.NumberFilter(field_name="estimated_amount", lookup_expr="lte", label=_("Max amount"))

    class Meta:
        model = Project
        fields = ["q", "status", "industry", "region", "source", "owner", "customer", "department", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(customer__name__icontains=value))

    def only_mine(self, queryset, name, value):
        if not value or not self.request or not self.request.user.is_authenticated:
            return queryset
        user = self.request.user
        return queryset.filter(Q(owner=user) | Q(members__user=user)).distinct()
