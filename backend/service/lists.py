"""The service request list for ``backend.core.lists``: its filters (queues, state, category, priority, SLA),
columns, sort keys and export."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.core.lists import Column, ListSpec
from backend.service.choices import OPEN_STATES, RUNNING_STATES, Category, RequestStatus, ServicePriority
from backend.service.models import ServiceRequest

QUEUES = [
    ("open", _("All open")),
    ("unassigned", _("Unassigned (queue)")),
    ("mine", _("Assigned to me")),
]
SLA_STATES = [
    ("breached", _("SLA breached")),
    ("at_risk", _("SLA at risk")),
]


class RequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    queue = django_filters.ChoiceFilter(choices=QUEUES, method="in_queue", label=_("Queue"), empty_label=_("All"))
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"), empty_label=_("Any status"))
    category = django_filters.ChoiceFilter(
        choices=Category.choices, label=pgettext_lazy("service", "Category"), empty_label=_("Any category")
    )
    priority = django_filters.ChoiceFilter(
        choices=ServicePriority.choices, label=_("Priority"), empty_label=_("Any priority")
    )
    sla = django_filters.ChoiceFilter(choices=SLA_STATES, method="by_sla", label=_("SLA"), empty_label=_("Any"))

    class Meta:
        model = ServiceRequest
        fields = ["q", "queue", "status", "category", "priority", "sla"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(subject__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(caller_name__icontains=value)
            | Q(caller_phone__icontains=value)
        )

    def in_queue(self, queryset, name, value):
        if value == "unassigned":
            return queryset.filter(status__in=OPEN_STATES, assignee__isnull=True)
        if value == "mine":
            user = getattr(self.request, "user", None)
            return queryset.filter(status__in=OPEN_STATES, assignee_id=getattr(user, "pk", None))
        return queryset.filter(status__in=OPEN_STATES)

    def by_sla(self, queryset, name, value):
        now = timezone.now()
        response_late = Q(first_response_at__isnull=True, response_due_at__lt=now)
        resolution_late = Q(resolution_due_at__lt=now)
        running = queryset.filter(status__in=RUNNING_STATES)
        if value == "breached":
            return queryset.filter(
                Q(response_breached=True)
                | Q(resolution_breached=True)
                | Q(pk__in=running.filter(response_late | resolution_late).values("pk"))
            )
        at_risk = Q(first_response_at__isnull=True, response_warn_at__lte=now, response_due_at__gte=now) | Q(
            resolution_warn_at__lte=now, resolution_due_at__gte=now
        )
        return running.filter(at_risk)


def _url(item: ServiceRequest) -> str:
    return reverse("service:detail", args=[item.pk])


def _due(item: ServiceRequest) -> object:
    if item.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        return ""
    return item.resolution_due_at or ""


REQUESTS = ListSpec(
    key="service_requests",
    url_name="service:list",
    title=_("Service requests"),
    filename="service-requests",
    default_order=("-created_at", "-pk"),
    columns=(
        Column("code", _("Code"), lambda r: r.code, order="code", link=_url),
        Column("subject", _("Subject"), lambda r: r.subject, order="subject"),
        Column("customer", _("Customer"), lambda r: r.customer.name, order="customer__name"),
        Column("category", pgettext_lazy("service", "Category"), lambda r: r.get_category_display(), order="category"),
        Column("priority", _("Priority"), lambda r: r.get_priority_display(), order="priority"),
        Column("status", _("Status"), lambda r: r.get_status_display(), order="status"),
        Column("assignee", _("Assignee"), lambda r: str(r.assignee) if r.assignee else "", order="assignee__last_name"),
        Column("coverage", _("Coverage"), lambda r: r.get_coverage_display(), order="coverage"),
        Column("resolve_by", _("Resolve by"), _due, order="resolution_due_at"),
        Column("created", _("Logged"), lambda r: r.created_at, order="created_at"),
    ),
)
