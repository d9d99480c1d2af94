"""Reads for delivery: milestones with their deliverables and versions, and the weighted progress (in SQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.core.permissions import with_permissions
from backend.milestones.models import Alarm, Deliverable, DeliverableVersion, Milestone, Task
from backend.milestones.permissions import alarm_team_q
from backend.projects.choices import EventKind
from backend.projects.models import Project, ProjectEvent

MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)


def milestones_for_project(*, project: Project, user: User | None = None) -> list[Milestone]:
    """Milestones with deliverables and their versions (constant queries); with ``user``, each also answers
    whether the user may ``work`` on it and ``judge`` it (in the same query)."""
    versions = DeliverableVersion.objects.select_related("uploaded_by").order_by("-version")
    deliverables = Deliverable.objects.select_related("created_by", "reviewed_by").prefetch_related(
        Prefetch("versions", queryset=versions)
    )
    queryset = project.milestones.select_related("owner", "project").prefetch_related(
        Prefetch("deliverables", queryset=deliverables),
    )
    if user is not None:
        queryset = with_permissions(user, queryset, "work", "judge")
    return list(queryset)


def milestone_progress(*, project: Project) -> dict[str, Any]:
    """Weighted share of accepted milestones (cancelled ones do not count)."""
    rows = project.milestones.exclude(status="cancelled").aggregate(
        total=Coalesce(Sum("weight"), 0),
        done=Coalesce(Sum(Case(When(status="accepted", then=F("weight")), default=0, output_field=IntegerField())), 0),
    )
    return {
        "total": rows["total"],
        "done": rows["done"],
        "percent": round(rows["done"] * 100 / rows["total"]) if rows["total"] else 0,
    }


def project_tasks(*, project: Project) -> list[Task]:
    """The project's tasks, soonest due first (undated last), with their assignees."""
    return list(project.tasks.select_related("assignee").order_by(F("due_date").asc(nulls_last=True), "pk"))


def last_milestone_comments(*, project: Project) -> dict[int, ProjectEvent]:
    """Milestone id → the newest commented event of that milestone (one query)."""
    last: dict[int, ProjectEvent] = {}
    events = (
        ProjectEvent.objects.filter(project=project, kind=EventKind.MILESTONE, milestone__isnull=False)
        .exclude(comment="")
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    for event in events:
        if event.milestone_id is not None:
            last.setdefault(event.milestone_id, event)
    return last


def milestone_owner_candidates(*, project: Project, milestones: list[Milestone]) -> list[User]:
    """People a milestone can be given to: the owner, the team, and whoever owns a milestone now (one query)."""
    team = project.members.values("user_id")
    current = [m.owner_id for m in milestones if m.owner_id]
    return list(
        User.objects.filter(Q(pk=project.owner_id) | Q(pk__in=team) | Q(pk__in=current))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def alarms_of(*, user: User, limit: int = 10) -> list[Alarm]:
    """The newest alarms sent to ``user``."""
    return list(Alarm.objects.filter(recipients=user).order_by("-raised_at", "-pk")[:limit])


def alarm_list(*, user: User, scope: str = "mine") -> QuerySet[Alarm]:
    """The alarms page: ``mine`` (sent to ``user``) or ``department`` (a head's: sent to their departments'
    people or raised on their projects, ``user``'s own included), newest first, each answering whether
    ``user`` may acknowledge it (in the same query), with who acknowledged it."""
    sent = Alarm.recipients.through.objects.filter(user=user).values("alarm_id")
    base = Alarm.objects.filter(pk__in=sent) if scope == "mine" else Alarm.objects.filter(alarm_team_q(user))
    return with_permissions(
        user, base.select_related("acknowledged_by", "project").order_by("-raised_at", "-pk"), "acknowledge"
    )


def deliverable_versions_for_timeline(*, project: Project, user: User, limit: int) -> list[Any]:
    """The project's newest deliverable files, for its activity stream (one query)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from backend.projects.timeline import TimelineEntry

    versions = (
        DeliverableVersion.objects.filter(deliverable__milestone__project=project)
        .select_related("deliverable__milestone", "uploaded_by")
        .order_by("-uploaded_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            kind="document",
            at=v.uploaded_at,
            title=_("%(title)s, version %(version)s") % {"title": v.deliverable.title, "version": v.version},
            actor=v.uploaded_by,
            detail=f"{v.deliverable.milestone.name} · {v.deliverable.get_doc_type_display()} · {v.original_name}",
            url=reverse("milestones:version-download", args=[v.pk]),
        )
        for v in versions
    ]
