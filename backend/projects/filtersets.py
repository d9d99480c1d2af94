"""Filters for project lists (API and pages share them)."""

from __future__ import annotations

import django_filters
import django_filters.widgets
from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department
from backend.core.choices import Industry, Region
from backend.customers.models import Customer
from backend.projects import text_index
from backend.projects.choices import Source, Status
from backend.projects.models import Project, ProjectMember


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    # distinct=False: status is a column of the project, so ``status IN (…)`` cannot repeat a row, and a
    # DISTINCT would sort every matching row in full before the page is cut
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    mine = django_filters.BooleanFilter(
        method="only_mine", label=_("Only my projects"), widget=django_filters.widgets.BooleanWidget
    )
    min_amount = django_filters.NumberFilter(field_name="estimated_amount", lookup_expr="gte", label=_("Min amount"))
    max_amount = django_filters.NumberFilter(field_name="estimated_amount", lookup_expr="lte", label=_("Max amount"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="in_department", label=_("Department (with sub-departments)")
    )
    # A drill-down from a report figure: exactly the projects it counts (``cell`` says which figure).
    report = django_filters.CharFilter(method="drill", label=_("Report"))
    cell = django_filters.CharFilter(method="ignore", label=_("Report figure"))

    class Meta:
        model = Project
        fields = ["q", "status", "industry", "region", "source", "owner", "customer", "department", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        vendor = connections[queryset.db].vendor if queryset.db else ""
        if vendor == "sqlite":
            # the FTS5 trigram index of name, code and customer name (backend/projects/text_index.py)
            indexed = text_index.matching_ids_sql(value)
            if indexed is not None:
                return queryset.filter(pk__in=RawSQL(*indexed))
        if vendor == "postgresql":
            # a rare term: its few projects by id, found through the trigram indexes (backend/projects/text_index.py)
            few = text_index.few_matching_ids(value, using=queryset.db)
            if few is not None:
                return queryset.filter(pk__in=few)
        # a common term (or a short one): tested along the list's own order, which finds a page of matches
        # in a few rows. The customer is an id subquery, not a join, so each condition can read its index.
        customers = Customer.objects.filter(name__icontains=value).values("pk")
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(customer_id__in=customers))

    def drill(self, queryset, name, value):
        from backend.projects.drilldown import drill_resolve

        if not value or not self.request or not self.request.user.is_authenticated:
            return queryset
        self.drilled = drill_resolve(user=self.request.user, params=self.data)
        return queryset.filter(pk__in=self.drilled.projects.values("pk"))

    def in_department(self, queryset, name, value):
        from backend.accounts.selectors import department_subtree_ids

        if value is None:
            return queryset
        return queryset.filter(department__in=department_subtree_ids(root_ids={value.pk}))

    def ignore(self, queryset, name, value):
        return queryset

    def only_mine(self, queryset, name, value):
        if not value or not self.request or not self.request.user.is_authenticated:
            return queryset
        user = self.request.user
        # a subquery rather than a join: no row repeats, so no DISTINCT over every matching row
        return queryset.filter(Q(owner=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id")))
