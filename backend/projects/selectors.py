"""Reads for projects, always through the visibility filter; figures are computed in SQL."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.projects.models import Project, ProjectCompetitor, ProjectEvent, ProjectMember, StageChecklistItem


def project_list_visible(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Project]:
    """Visible projects with customer, owner and department joined, and open-checklist and pending-review
    counts annotated (so a list runs the same queries for 5 rows as for 50)."""
    from backend.projects.filtersets import ProjectFilterSet
    from workflows.models import Review

    qs = (
        visible_to(user, Project.objects.all())
        .select_related("customer", "owner", "department", "process_template")
        .annotate(
            # correlated subqueries: computed for the rows of the page only, not by grouping every visible row
            open_items=Coalesce(
                Subquery(
                    StageChecklistItem.objects.filter(project=OuterRef("pk"), done=False, required=True)
                    .order_by()
                    .values("project")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            has_pending_review=Exists(Review.objects.filter(project=OuterRef("pk"), status="pending")),
        )
    )
    return ProjectFilterSet(filters, qs).qs if filters else qs


def project_get_visible(*, user: User, pk: int) -> Project:
    """The project with what its page needs, if ``user`` may see it (Project.DoesNotExist otherwise)."""
    return (
        visible_to(user, Project.objects.all())
        .select_related(
            "customer",
            "owner",
            "department",
            "process_template",
            "routing_rule",
            "tender",
            "win_loss",
            "contract_terms",
        )
        .get(pk=pk)
    )


def project_related(*, project: Project) -> dict[str, Any]:
    """Team, competitors (with stage notes), partners, checklist and history of one project."""
    return {
        "members": list(project.members.select_related("user")),
        "competitors": list(
            ProjectCompetitor.objects.filter(project=project)
            .select_related("competitor")
            .prefetch_related("notes__author")
        ),
        "partners": list(project.partners.select_related("partner")),
        "checklist": list(StageChecklistItem.objects.filter(project=project).select_related("done_by")),
        "events": list(ProjectEvent.objects.filter(project=project).select_related("actor", "review__gate")),
        "attachments": list(project.attachments.all()),
    }


def stage_durations(*, project: Project) -> list[dict[str, Any]]:
    """How long the project spent in each state, from its event log (DESIGN.md §2 ProjectEvent)."""
    from django.utils import timezone

    events = list(project.events.order_by("created_at", "pk").values("target", "created_at"))
    spans = []
    for current, following in zip(events, [*events[1:], None], strict=True):
        end = following["created_at"] if following else timezone.now()
        spans.append(
            {
                "stage": current["target"],
                "start": current["created_at"],
                "end": end,
                "days": round((end - current["created_at"]).total_seconds() / 86400, 1),
            }
        )
    return spans


def members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=ProjectMember.objects.select_related("user"))
