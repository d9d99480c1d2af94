"""Reads for tenders."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.tenders.models import Tender, TenderAttachment


def tender_list_visible(*, user: User) -> QuerySet[Tender]:
    return visible_to(user, Tender.objects.select_related("owner", "customer", "routing_rule"))


def with_project_counts(queryset: QuerySet[Tender]) -> QuerySet[Tender]:
    """``project_count`` on each tender as a correlated subquery: computed for the rows of a page only, where
    ``Count("projects")`` grouped every tender with its projects before the page was cut (issue 15)."""
    from backend.projects.models import Project

    projects = (
        Project.objects.filter(tender=OuterRef("pk")).order_by().values("tender").annotate(n=Count("pk")).values("n")
    )
    return queryset.annotate(project_count=Coalesce(Subquery(projects, output_field=IntegerField()), 0))


def tender_attachments_of_project(*, user: User, project: Any) -> list[TenderAttachment]:
    """The attachments of the tender ``project`` was created from, if ``user`` may see that tender (one query;
    none without a tender)."""
    if not project.tender_id:
        return []
    return list(
        TenderAttachment.objects.filter(tender__in=tender_list_visible(user=user).filter(pk=project.tender_id))
        .select_related("tender")
        .order_by("pk")
    )


def tender_routing_record(user: User, number: str) -> Any:
    """A tender the user sees, as routing reads it (the routing rules' test panel); refused (400) otherwise."""
    from django.utils.translation import gettext as _

    from backend.core.errors import ValidationFailed
    from workflows.routing.services import RoutingRecord

    tender = visible_to(user, Tender.objects.all()).filter(number__iexact=number).first()
    if tender is None:
        message = _("No tender %(number)s that you can see.") % {"number": number}
        raise ValidationFailed(message, fields={"record": [message]}, code="record_not_found")
    values = {"industry": tender.industry, "region": tender.region, "source": "tender", "amount": tender.budget}
    return RoutingRecord(label=f"{tender.number} {tender.title}", values=values)
