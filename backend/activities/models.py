"""Activities (to-dos, calls, visits, meetings, demos) and the per-user calendar feed token.

An activity links to at most one of customer, contact or project; a project link may narrow to one of its
milestones or one of its reviews (not both). The database holds that with check constraints; the services
also check that the milestone or review belongs to the project. ``due_at`` (the end if given, else the
start; the end of the day for an all-day activity) is what "overdue" and the alarms compare against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.activities.choices import ActivityKind, ActivityStatus, Priority
from backend.core.models import TimeStampedModel

LINKS = ("customer", "contact", "project")


class Activity(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.TODO)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="activities"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="attended_activities"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    due_at = models.DateTimeField(_("due"), editable=False, db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN, db_index=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    milestone = models.ForeignKey(
        "milestones.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    review = models.ForeignKey(
        "workflows.Review",
        verbose_name=_("review"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    interaction = models.OneToOneField(
        "customers.Interaction",
        verbose_name=_("interaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
        editable=False,
    )
    # an occurrence of a process template's recurring activity, on this date (never twice: unique below)
    recurrence = models.ForeignKey(
        "workflows.RecurringActivityTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="occurrences",
        editable=False,
    )
    routing_rule = models.ForeignKey(
        "workflows.RoutingRule",
        verbose_name=_("assigned by rule"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occurrence_date = models.DateField(_("occurrence date"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="activity_one_link",
                condition=(
                    Q(customer__isnull=True, contact__isnull=True)
                    | Q(customer__isnull=True, project__isnull=True)
                    | Q(contact__isnull=True, project__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="activity_milestone_review_need_project",
                condition=Q(milestone__isnull=True, review__isnull=True)
                | (Q(project__isnull=False) & (Q(milestone__isnull=True) | Q(review__isnull=True))),
            ),
            models.CheckConstraint(
                name="activity_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
            ),
            models.UniqueConstraint(
                fields=["recurrence", "project", "occurrence_date"],
                condition=Q(recurrence__isnull=False),
                name="uniq_activity_occurrence",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_at"]), models.Index(fields=["project", "starts_at"])]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.subject


class CalendarFeed(models.Model):
    """A user's iCalendar feed: the URL carries ``token``, 43 characters of ``secrets.token_urlsafe`` (256
    random bits), kept as is so the profile page can show the address again, as calendar services do for a
    "secret address". Revoking deletes the row (the old URL answers 404); regenerating replaces the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
