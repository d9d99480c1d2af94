"""Milestones, deliverables, acceptance records, tasks and alarms.

``Milestone.status`` is a protected django-fsm-2 field like the project's; its transitions are made by
``backend.milestones.services.milestone_transition`` only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, Transition, transition
from simple_history.models import HistoricalRecords

from backend.core.localized import LocalizedCharField
from backend.core.models import TimeStampedModel
from backend.core.permissions import can
from backend.core.uploads import UploadField
from backend.milestones.choices import (
    AcceptanceResult,
    DeliverableStatus,
    DeliverableType,
    MilestoneStatus,
    TaskStatus,
)


def can_work_on(milestone: models.Model, user) -> bool:
    """The ``permission`` of the transitions the team calls: the permission layer's ``work``
    (``backend/milestones/permissions.py``)."""
    return can(user, "work", milestone)


def can_judge(milestone: models.Model, user) -> bool:
    """The ``permission`` of the transitions that accept or return a milestone: the permission layer's
    ``judge``."""
    return can(user, "judge", milestone)


def required_deliverables_approved(milestone: Milestone) -> bool:
    return not milestone.missing_deliverables()


class Milestone(ConcurrentTransitionMixin, TimeStampedModel):
    """A delivery milestone of a project, with the deliverables it requires and its share of payment."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="milestones")
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    required_deliverables = models.JSONField(_("required deliverable types"), default=list, blank=True)
    status = FSMField(_("status"), default=MilestoneStatus.PLANNED, choices=MilestoneStatus.choices, protected=True)

    if TYPE_CHECKING:  # the methods django-fsm adds for ``status`` (FSMField.contribute_to_class)

        def get_all_status_transitions(self) -> Iterator[Transition]: ...
        def get_available_status_transitions(self) -> Iterator[Transition]: ...
        def get_available_user_status_transitions(self, user: Any) -> Iterator[Transition]: ...

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["project_id", "order", "pk"]
        indexes = [models.Index(fields=["status", "planned_end"])]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.name

    def missing_deliverables(self) -> list[str]:
        """Required deliverable types without an approved deliverable (a generated or uploaded document)."""
        approved = set(self.deliverables.filter(status=DeliverableStatus.APPROVED).values_list("doc_type", flat=True))
        return [t for t in self.required_deliverables if t not in approved]

    @transition(
        field=status, source=MilestoneStatus.PLANNED, target=MilestoneStatus.IN_PROGRESS, permission=can_work_on
    )
    def start(self) -> None:
        """Work begins."""

    @transition(
        field=status,
        source=MilestoneStatus.IN_PROGRESS,
        target=MilestoneStatus.SUBMITTED,
        permission=can_work_on,
        conditions=[required_deliverables_approved],  # type: ignore[list-item]  # django-fsm: a Model, not ours
    )
    def submit(self) -> None:
        """Hand the milestone over for acceptance; every required deliverable must be approved."""

    @transition(field=status, source=MilestoneStatus.SUBMITTED, target=MilestoneStatus.ACCEPTED, permission=can_judge)
    def accept(self) -> None:
        """The PM accepts the milestone; payment terms tied to it fall due."""

    @transition(field=status, source=MilestoneStatus.SUBMITTED, target=MilestoneStatus.RETURNED, permission=can_judge)
    def return_for_rework(self) -> None:
        """Sent back for rework with a comment."""

    @transition(
        field=status, source=MilestoneStatus.RETURNED, target=MilestoneStatus.IN_PROGRESS, permission=can_work_on
    )
    def resume_work(self) -> None:
        """Rework starts."""

    @transition(
        field=status,
        source=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.RETURNED],
        target=MilestoneStatus.CANCELLED,
        permission=can_judge,
    )
    def cancel(self) -> None:
        """Dropped from the scope (a reason is required)."""


class Deliverable(TimeStampedModel):
    """A document a milestone delivers; its files are versions."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="deliverables")
    doc_type = models.CharField(_("type"), max_length=30, choices=DeliverableType.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliverableStatus.choices, default=DeliverableStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["milestone_id", "doc_type", "pk"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self) -> str:
        return self.title


class DeliverableVersion(models.Model):
    """One file of a deliverable; a new upload or generation is a new version, older ones stay."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"))
    file = UploadField(_("file"), upload_to="deliverables/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["deliverable_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["deliverable", "version"], name="uniq_deliverable_version")]
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")

    def __str__(self) -> str:
        return f"{self.deliverable} v{self.version}"


class Acceptance(TimeStampedModel):
    """The customer's sign-off (验收) of the project or of one milestone."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="acceptances")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="acceptances"
    )
    accepted_on = models.DateField(_("date"))
    signatory = models.CharField(_("customer signatory"), max_length=100)
    signatory_title = models.CharField(_("signatory title"), max_length=100, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=AcceptanceResult.choices)
    punch_list = models.JSONField(
        _("punch list"), default=list, blank=True, help_text=_("Open items the customer listed, one per entry.")
    )
    certificate = UploadField(
        _("signed certificate"), upload_to="acceptance/%Y/%m/", blank=True, kinds=("pdf", "png", "jpeg", "docx")
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["project_id", "-accepted_on", "-pk"]
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")

    def __str__(self) -> str:
        return f"{self.project} {self.get_result_display()}"


class Task(TimeStampedModel):
    """A piece of work with an assignee and a due date (key tasks come from the template)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)

    class Meta:
        ordering = ["project_id", "due_date", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.name


class Alarm(models.Model):
    """One reminder or escalation, recorded once per (kind, object, level). The scan inserts the row; the
    delivery task sends it and sets ``delivered_at`` in the same transaction as the notifications, so a
    redelivered task (worker killed mid-task, ``acks_late``) finds it delivered and does nothing."""

    kind = models.CharField(_("kind"), max_length=30)
    object_type = models.CharField(_("object type"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("object id"))
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="alarms"
    )
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="alarms", blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # someone took it in hand (a recipient, or the head of their department): who and when
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "kind", "level"], name="uniq_alarm_per_object_kind_level"
            )
        ]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id} L{self.level}"
