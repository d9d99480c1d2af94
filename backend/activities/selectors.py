"""Reads on activities, always through the permission layer: a user's activities by bucket (overdue, today,
this week), the activities of one project for its tab and its activity stream, and the team calendar that
merges activities, milestones and tender dates (read from their own tables, never copied)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, F, Q, QuerySet, When
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.selectors import headed_department_ids
from backend.activities.choices import ActivityStatus
from backend.activities.models import Activity
from backend.activities.visibility import mine_q
from backend.core.permissions import visible_to, with_permissions

# the widest window the calendar API answers
MAX_RANGE_DAYS = 100


def activity_list_visible(*, user: User) -> QuerySet[Activity]:
    return (
        visible_to(user, Activity.objects.all())
        .select_related("owner", "customer", "contact", "project", "milestone", "review")
        .prefetch_related("attendees")
    )


def my_activities(*, user: User) -> QuerySet[Activity]:
    """The activities ``user`` owns or attends."""
    return Activity.objects.filter(mine_q(user)).select_related("owner", "project", "customer", "contact")


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def my_activity_buckets(*, user: User, now: datetime | None = None, limit: int = 20) -> dict[str, list[Activity]]:
    """The dashboard's "my activities": open activities of ``user`` (owner or attendee) that are overdue (due
    before now), due later today, or due later this week (until Sunday night), three queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = _midnight(today + timedelta(days=1))
    week_end = _midnight(today + timedelta(days=7 - today.weekday()))
    # the day an activity belongs to: an all-day one its own (it is due at the next midnight)
    mine = (
        my_activities(user=user)
        .filter(status=ActivityStatus.OPEN)
        .annotate(day_of=Case(When(all_day=True, then=F("starts_at")), default=F("due_at")))
        .order_by("due_at", "pk")
    )
    return {
        "overdue": list(mine.filter(due_at__lt=now)[:limit]),
        "today": list(mine.filter(due_at__gte=now, day_of__lt=tomorrow)[:limit]),
        "this_week": list(mine.filter(due_at__gte=now, day_of__gte=tomorrow, day_of__lt=week_end)[:limit]),
    }


def project_activities(*, project: Any, user: User) -> QuerySet[Activity]:
    qs = activity_list_visible(user=user).filter(project=project).order_by("-starts_at", "-pk")
    return with_permissions(user, qs, "change")


def activities_for_timeline(*, project: Any, user: User, limit: int = 50) -> list[Activity]:
    """The project's activities ``user`` may see, newest first, for the project activity stream."""
    qs = visible_to(user, Activity.objects.filter(project=project))
    return list(qs.select_related("owner").order_by("-starts_at", "-pk")[:limit])


# --- the team calendar --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar. ``type`` is activity, milestone, tender_registration, tender_bid or
    tender_opening; ``ref`` names the object (``"activity:12"``), stable for the iCalendar UID."""

    type: str
    title: str
    start: datetime
    end: datetime | None
    all_day: bool
    url: str
    ref: str
    status: str = ""


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    return _midnight(start), _midnight(end + timedelta(days=1))


def department_people_ids(*, user: User) -> set[int]:
    """The departments ``user`` heads, with the departments below them (empty for a non-head)."""
    return headed_department_ids(user)


def calendar_entries(
    *, user: User, start: date, end: date, department: bool = False, with_links: bool = True
) -> list[Entry]:
    """Everything on ``user``'s calendar from ``start`` to ``end`` (both included), sorted by start.

    Personal view: my activities (owner or attendee), the milestones of my projects (owner or member) and the
    registration deadline, bid deadline and bid opening of the tenders I own or whose projects I am on.
    Department view (a head only): the activities owned by the people of the departments I head and the
    milestones of those departments' projects. Everything passes through ``visible_to``. Four queries."""
    from backend.milestones.choices import OPEN_MILESTONE
    from backend.milestones.models import Milestone
    from backend.projects.models import Project, ProjectMember
    from backend.tenders.models import Tender

    since, until = _day_range(start, end)
    entries: list[Entry] = []

    activities = visible_to(user, Activity.objects.all()).exclude(status=ActivityStatus.CANCELLED)
    milestones = visible_to(user, Milestone.objects.all()).filter(status__in=OPEN_MILESTONE)
    if department:
        departments = department_people_ids(user=user)
        staff = User.objects.filter(department__in=departments).values("pk")
        activities = activities.filter(owner__in=staff)
        milestones = milestones.filter(Q(project__department__in=departments) | Q(project__owner__in=staff))
        tenders: QuerySet[Tender] = Tender.objects.none()
    else:
        activities = activities.filter(mine_q(user))
        my_projects = Project.objects.filter(
            Q(owner=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id"))
        )
        milestones = milestones.filter(project__in=my_projects.values("pk"))
        tenders = visible_to(user, Tender.objects.all()).filter(
            Q(owner=user) | Q(pk__in=my_projects.filter(tender__isnull=False).values("tender_id"))
        )

    for a in (
        activities.filter(starts_at__lt=until)
        .filter(Q(ends_at__gte=since) | Q(ends_at__isnull=True, starts_at__gte=since))
        .select_related("project")
        .order_by("starts_at", "pk")
    ):
        entries.append(
            Entry(
                type="activity",
                title=a.subject,
                start=a.starts_at,
                end=a.due_at if a.all_day else a.ends_at,
                all_day=a.all_day,
                url=reverse("activities:detail", args=[a.pk]) if with_links else "",
                ref=f"activity:{a.pk}",
                status=a.status,
            )
        )
    for m in milestones.filter(planned_end__gte=start, planned_end__lte=end).select_related("project"):
        entries.append(
            Entry(
                type="milestone",
                title=f"{m.project.code} {m.name}",
                start=_midnight(m.planned_end),
                end=_midnight(m.planned_end + timedelta(days=1)),
                all_day=True,
                url=(reverse("projects:detail", args=[m.project_id]) + "?tab=milestones") if with_links else "",
                ref=f"milestone:{m.pk}",
                status=m.status,
            )
        )
    dated = Q(registration_deadline__range=(since, until)) | Q(bid_deadline__range=(since, until))
    dated |= Q(opening_date__range=(since, until))
    for t in tenders.filter(dated).only(
        "pk", "number", "title", "registration_deadline", "bid_deadline", "opening_date"
    ):
        url = reverse("tenders:detail", args=[t.pk]) if with_links else ""
        for kind, at in (
            ("tender_registration", t.registration_deadline),
            ("tender_bid", t.bid_deadline),
            ("tender_opening", t.opening_date),
        ):
            if at is not None and since <= at < until:
                entries.append(
                    Entry(
                        type=kind,
                        title=f"{t.number} {t.title}",
                        start=at,
                        end=None,
                        all_day=False,
                        url=url,
                        ref=f"{kind}:{t.pk}",
                    )
                )
    entries.sort(key=lambda e: (e.start, e.ref))
    return entries


def activity_stream_entries(*, project: Any, user: User, limit: int) -> list[Any]:
    """The project's activities as lines of its activity stream: a done one at the time it was done, an open
    or cancelled one at the time it was logged (one query)."""

    from backend.projects.timeline import TimelineEntry

    entries = []
    for activity in activities_for_timeline(project=project, user=user, limit=limit):
        at = activity.completed_at or activity.created_at
        when = timezone.localtime(activity.starts_at)
        scheduled = when.strftime("%Y-%m-%d") if activity.all_day else when.strftime("%Y-%m-%d %H:%M")
        entries.append(
            TimelineEntry(
                kind="activity",
                at=at,
                title=f"{activity.get_kind_display()} · {activity.subject}",
                actor=activity.owner,
                detail=f"{scheduled} · {activity.get_status_display()}",
                url=reverse("activities:detail", args=[activity.pk]),
            )
        )
    return entries
