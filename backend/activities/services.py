"""Writes on activities: create, update, complete, cancel, reopen; the calendar feed token; the occurrences of
the process templates' recurring activities. Completing a call or a visit records an ``Interaction`` on the
customer (through ``backend.customers.services.interaction_create``). Reads live in ``selectors``."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from backend.accounts.models import User
from backend.activities.choices import INTERACTION_KINDS, ActivityKind, ActivityStatus, Priority
from backend.activities.models import Activity, CalendarFeed
from backend.core.bounds import date_outside, date_range_message
from backend.core.errors import Conflict, ValidationFailed
from backend.core.permissions import can, require
from backend.customers.models import Contact, Customer
from backend.customers.services import interaction_create
from backend.milestones.models import Milestone
from backend.projects.models import Project
from workflows.models import Review

EDITABLE_FIELDS = (
    "kind",
    "subject",
    "notes",
    "owner",
    "starts_at",
    "ends_at",
    "all_day",
    "priority",
    "customer",
    "contact",
    "project",
    "milestone",
    "review",
)


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        message = _("Give the time with its time zone.")
        raise ValidationFailed(message, fields={field: [message]}, code="naive_datetime")
    if date_outside(value):
        message = date_range_message()
        raise ValidationFailed(message, fields={field: [message]}, code="out_of_range")
    return value


def _due(activity: Activity) -> None:
    """Normalise the times and set ``due_at``: an all-day activity runs from the start of its (local) day to
    the start of the next; otherwise it is due at its end, or its start when it has none."""
    _aware(activity.starts_at, "starts_at")
    if activity.all_day:
        day = timezone.localdate(activity.starts_at)
        activity.starts_at = timezone.make_aware(datetime.combine(day, time.min))
        activity.ends_at = None
        activity.due_at = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return
    if activity.ends_at is not None:
        _aware(activity.ends_at, "ends_at")
        if activity.ends_at < activity.starts_at:
            message = _("The end comes before the start.")
            raise ValidationFailed(message, fields={"ends_at": [message]}, code="ends_before_start")
    activity.due_at = activity.ends_at or activity.starts_at


def _check_links(actor: User, activity: Activity) -> None:
    """At most one of customer, contact, project; a milestone or a review only of that project, not both;
    and nothing the actor may not see."""
    links = [name for name in ("customer", "contact", "project") if getattr(activity, f"{name}_id")]
    if len(links) > 1:
        message = _("Link the activity to one of customer, contact or project, not several.")
        raise ValidationFailed(message, fields={name: [message] for name in links}, code="too_many_links")
    for name in ("milestone", "review"):
        target = getattr(activity, name)
        if target is not None and target.project_id != activity.project_id:
            message = _("The milestone or review must belong to the activity's project.")
            raise ValidationFailed(message, fields={name: [message]}, code="link_outside_project")
    if activity.milestone_id and activity.review_id:
        message = _("Link a milestone or a review, not both.")
        raise ValidationFailed(message, fields={"review": [message]}, code="too_many_links")
    for name in ("customer", "contact", "project", "milestone", "review"):
        target = getattr(activity, name)
        if target is not None and not can(actor, "view", target):
            message = _("You cannot link an activity to something you cannot see.")
            raise ValidationFailed(message, fields={name: [message]}, code="link_not_visible")


@transaction.atomic
def activity_create(
    *,
    actor: User,
    subject: str,
    starts_at: datetime,
    kind: str = ActivityKind.TODO,
    ends_at: datetime | None = None,
    all_day: bool = False,
    owner: User | None = None,
    attendees: Sequence[User] = (),
    priority: int = Priority.NORMAL,
    notes: str = "",
    customer: Customer | None = None,
    contact: Contact | None = None,
    project: Project | None = None,
    milestone: Milestone | None = None,
    review: Review | None = None,
) -> Activity:
    activity = Activity(
        kind=kind,
        subject=subject.strip(),
        notes=notes,
        owner=owner or actor,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        priority=priority,
        customer=customer,
        contact=contact,
        project=project,
        milestone=milestone,
        review=review,
    )
    if milestone is not None and project is None:
        activity.project = milestone.project
    if review is not None and project is None:
        activity.project = review.project
    _due(activity)
    _check_links(actor, activity)
    activity.full_clean(exclude=["due_at"])
    activity.save()
    if attendees:
        activity.attendees.set(attendees)
    return activity


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, data: dict[str, Any]) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require(actor, "change", activity, _("Only the owner changes this activity."))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    _due(activity)
    _check_links(actor, activity)
    activity.full_clean(exclude=["due_at"])
    activity.save()
    if "attendees" in data:
        activity.attendees.set(data["attendees"])
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require(actor, "change", activity, _("Only the owner changes this activity."))
    activity.delete()


def _customer_of(activity: Activity) -> Customer | None:
    if activity.customer_id:
        return activity.customer
    if activity.contact_id:
        return activity.contact.customer if activity.contact else None
    if activity.project_id and activity.project is not None:
        return activity.project.customer
    return None


@transaction.atomic
def activity_complete(*, actor: User, activity: Activity, notes: str = "") -> Activity:
    """Mark done. A call or a visit with a customer (directly, through the contact or the project) leaves an
    Interaction of that kind on the customer, dated when it took place, in the same transaction."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("customer", "contact__customer", "project__customer")
        .get(pk=activity.pk)
    )
    require(actor, "complete", activity, _("Only the owner or an attendee completes this activity."))
    if activity.status != ActivityStatus.OPEN:
        raise Conflict(_("This activity is no longer open."), code="activity_not_open")
    now = timezone.now()
    if notes:
        activity.notes = f"{activity.notes}\n\n{notes}".strip()
    activity.status = ActivityStatus.DONE
    activity.completed_at = now
    customer = _customer_of(activity)
    if activity.kind in INTERACTION_KINDS and customer is not None:
        interaction = interaction_create(
            actor=actor,
            customer=customer,
            kind=str(activity.kind),
            occurred_at=min(activity.starts_at, now),
            summary=activity.subject[:200],
            notes=activity.notes,
            contacts=[activity.contact] if activity.contact else [],
        )
        if activity.project_id:
            interaction.project_id = activity.project_id
            interaction.save(update_fields=["project"])
        activity.interaction = interaction
    activity.save(update_fields=["status", "completed_at", "notes", "interaction", "updated_at"])
    return activity


def _set_status(actor: User, activity: Activity, *, source: str, target: str) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require(actor, "change", activity, _("Only the owner changes this activity."))
    if activity.status != source:
        raise Conflict(_("This activity cannot do that in its present state."), code="activity_wrong_state")
    activity.status = target
    activity.completed_at = None
    activity.save(update_fields=["status", "completed_at", "updated_at"])
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity: Activity) -> Activity:
    return _set_status(actor, activity, source=ActivityStatus.OPEN, target=ActivityStatus.CANCELLED)


@transaction.atomic
def activity_reopen(*, actor: User, activity: Activity) -> Activity:
    """Open again a done or cancelled activity (the Interaction a completion recorded stays: it happened)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    source = ActivityStatus.CANCELLED if activity.status == ActivityStatus.CANCELLED else ActivityStatus.DONE
    return _set_status(actor, activity, source=source, target=ActivityStatus.OPEN)


# --- the calendar feed -------------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret address for ``user``'s feed; the previous one stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# --- recurring activities of the process templates --------------------------------------------------------


def _dates(*, weekday: int, every_weeks: int, start: date, days: int) -> list[date]:
    """The days in [start, start + days) that fall on ``weekday`` in a week whose ISO number is a multiple of
    ``every_weeks``."""
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() == weekday and day.isocalendar().week % every_weeks == 0:
            found.append(day)
    return found


def _assignee(project: Any, role: str, members: dict[tuple[int, str], int]) -> int:
    if role == "owner":
        return int(project.owner_id)
    return members.get((project.pk, role), int(project.owner_id))


@transaction.atomic
def recurring_activities_create(*, today: date | None = None) -> int:
    """Create the occurrences due in the next ``ACTIVITY_RECURRING_LOOKAHEAD_DAYS`` days for every project in
    one of the states its template names. Idempotent: an occurrence is unique per (recurring template,
    project, date), so a second run, or a run the next day, adds nothing already there. Returns how many
    were created."""
    from backend.projects.models import Project, ProjectMember
    from workflows.choices import RoutingTarget
    from workflows.models import RecurringActivityTemplate, RoutingRule
    from workflows.routing.services import routing_assign

    today = today or timezone.localdate()
    # routing rules for template-created activities come first; the template's role is the default
    routed = RoutingRule.objects.filter(is_active=True, applies_to=RoutingTarget.ACTIVITY).exists()
    lookahead = settings.ACTIVITY_RECURRING_LOOKAHEAD_DAYS
    created = 0
    for recurring in RecurringActivityTemplate.objects.all():
        with override("zh-hans"):  # the subject as the Chinese team writes it (the template holds both)
            subject = str(recurring.name)[:200]
        days = _dates(weekday=recurring.weekday, every_weeks=recurring.every_weeks, start=today, days=lookahead)
        if not days:
            continue
        projects = list(
            Project.objects.filter(process_template_id=recurring.template_id, status__in=recurring.states).only(
                "pk", "owner_id", "industry", "region", "source", "estimated_amount"
            )
        )
        if not projects:
            continue
        members: dict[tuple[int, str], int] = {}
        for project_id, role, user_id in (
            ProjectMember.objects.filter(project__in=projects, role=recurring.assignee_role)
            .order_by("-pk")
            .values_list("project_id", "role", "user_id")
        ):
            members[(project_id, role)] = user_id  # the earliest member in the role wins (ordered newest first)
        existing = set(
            Activity.objects.filter(recurrence=recurring, occurrence_date__in=days).values_list(
                "project_id", "occurrence_date"
            )
        )
        rows = []
        for project in projects:
            for day in days:
                if (project.pk, day) in existing:
                    continue
                starts = timezone.make_aware(datetime.combine(day, recurring.time or time.min))
                all_day = recurring.time is None
                ends = starts + timedelta(days=1) if all_day else starts
                owner_id, rule = _assignee(project, recurring.assignee_role, members), None
                if routed:
                    decision = routing_assign(
                        target=RoutingTarget.ACTIVITY,
                        values={
                            "industry": project.industry,
                            "region": project.region,
                            "source": project.source,
                            "amount": project.estimated_amount,
                            "category": recurring.kind,
                        },
                        project=project,
                    )
                    if decision.user is not None:
                        owner_id, rule = decision.user.pk, decision.rule
                rows.append(
                    Activity(
                        kind=recurring.kind,
                        subject=subject,
                        owner_id=owner_id,
                        routing_rule=rule,
                        starts_at=starts,
                        all_day=all_day,
                        due_at=ends,
                        project_id=project.pk,
                        recurrence=recurring,
                        occurrence_date=day,
                    )
                )
        Activity.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created
