"""Process templates, gates and their reviews, and routing rules.

A process template (loaded from ``workflows/templates/*.yaml``, editable in the admin) lists the stages
with their standard durations and recommended actions, and the gates with their steps. A ``Review`` is
one run of a gate for one project (or one quotation); its ``ReviewStep`` rows are resolved from the gate
when the review opens, with the approvers of each step fixed then, and every decision is an ``Approval``
(unique per step and approver: a user decides at most once per step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.core.choices import Industry, Region
from backend.core.localized import LocalizedCharField, LocalizedTextField
from backend.core.models import TimeStampedModel
from workflows.choices import (
    Decision,
    GateKind,
    ReviewStatus,
    RoutingAssignee,
    RoutingTarget,
    StepMode,
    StepStatus,
)


class ProcessTemplate(TimeStampedModel):
    """A way of running projects: stages, recommended actions and gates (e.g. standard system integration)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = LocalizedTextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False)
    definition = models.JSONField(
        _("definition"), default=dict, blank=True, help_text=_("The YAML it was loaded from.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")

    def __str__(self) -> str:
        return self.name


class StageTemplate(models.Model):
    """One project state within a template: how long it should take and what to do in it."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    standard_days = models.PositiveSmallIntegerField(_("standard duration (days)"), default=0)

    class Meta:
        ordering = ["template_id", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "stage"], name="uniq_stage_per_template")]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return f"{self.template.code}:{self.stage}"


class StageAction(models.Model):
    """A recommended action for a stage (什么阶段应该采取什么行动); becomes a checklist item on each project."""

    stage = models.ForeignKey(StageTemplate, on_delete=models.CASCADE, related_name="actions")
    text = LocalizedCharField(_("action"), max_length=300)
    text_en = models.CharField(_("action (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required before leaving the stage"), default=False)

    class Meta:
        ordering = ["stage_id", "order"]
        verbose_name = _("recommended action")
        verbose_name_plural = _("recommended actions")

    def __str__(self) -> str:
        return self.text


class Gate(models.Model):
    """A review gate of a template: ordered steps of approvers."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="gates")
    kind = models.CharField(_("kind"), max_length=30, choices=GateKind.choices)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    required_documents = models.JSONField(_("required document types"), default=list, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True, help_text=_('e.g. {"margin_below": 15}'))

    class Meta:
        ordering = ["template_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["template", "kind"], name="uniq_gate_kind_per_template")]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")

    def __str__(self) -> str:
        return self.name


class GateStep(models.Model):
    """One step of a gate. Its approvers are the users holding any of ``roles``, the project's members in
    any of ``project_roles`` and, with ``department_head``, the head of the project's department (or the
    nearest head above it).
    Mode ``any``: one approval completes the step; ``all``: each approver group (each role, and the
    department head) must approve. ``condition`` (optional) limits the step to some reviews, e.g.
    ``{"field": "amount", "op": "gte", "value": 5000000}``."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    roles = models.JSONField(_("approver roles"), default=list, blank=True)
    project_roles = models.JSONField(_("approver project roles"), default=list, blank=True)
    department_head = models.BooleanField(_("department head approves"), default=False)
    mode = models.CharField(_("mode"), max_length=10, choices=StepMode.choices, default=StepMode.ANY)
    condition = models.JSONField(_("condition"), default=dict, blank=True)

    class Meta:
        ordering = ["gate_id", "order"]
        verbose_name = _("gate step")
        verbose_name_plural = _("gate steps")

    def __str__(self) -> str:
        return f"{self.gate.name} #{self.order}: {self.name}"


class Review(TimeStampedModel):
    """One run of a gate for a project (and, for the margin gate, one quotation)."""

    gate = models.ForeignKey(Gate, verbose_name=_("gate"), on_delete=models.PROTECT, related_name="reviews")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="reviews"
    )
    quotation = models.ForeignKey(
        "bids.Quotation",
        verbose_name=_("quotation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    amount = models.DecimalField(_("amount under review"), max_digits=16, decimal_places=2, null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["status", "project"])]
        constraints = [
            # One open review per gate and project at a time.
            models.UniqueConstraint(
                fields=["gate", "project"],
                condition=models.Q(status="pending", quotation__isnull=True),
                name="uniq_pending_project_review",
            ),
            models.UniqueConstraint(
                fields=["gate", "quotation"],
                condition=models.Q(status="pending", quotation__isnull=False),
                name="uniq_pending_quotation_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gate.name} · {self.project}"


class ReviewStep(models.Model):
    """A gate step as it runs for one review, with its approvers fixed when the review opened."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="steps")
    gate_step = models.ForeignKey(GateStep, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"))
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=StepMode.choices)
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING)
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("approvers"), related_name="+")
    groups = models.JSONField(_("approver groups"), default=dict, help_text=_("group name → user ids"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    if TYPE_CHECKING:  # set by workflows.views._render_review for the review page
        waiting_on: list[Any]

    class Meta:
        ordering = ["review_id", "order"]
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="uniq_step_order")]
        indexes = [models.Index(fields=["status"])]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.review} · {self.name}"


class Approval(models.Model):
    """One approver's decision on one step; never changed once made."""

    step = models.ForeignKey(ReviewStep, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["step", "approver"], name="uniq_decision_per_step")]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.approver} {self.decision} {self.step}"


class RoutingRule(TimeStampedModel):
    """Assigns new work (a tender, a project, a template-created activity, later a service request) from its
    fields. Rules are tried by ``order``; the first whose every given condition matches — and that can name
    somebody — wins, and the record keeps which rule did it.

    The assignee is a specific user (``assign_owner``), the project's member in ``project_role`` (for work
    tied to a project), or the next user, in turn, of a group (``group_users`` and the active members of
    ``group_department``), counted by the rule's ``RoutingCursor``."""

    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    applies_to = models.CharField(
        _("applies to"), max_length=20, choices=RoutingTarget.choices, default=RoutingTarget.BOTH
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    source = models.CharField(_("source"), max_length=30, blank=True)
    category = models.CharField(
        pgettext_lazy("routing", "category"),
        max_length=50,
        blank=True,
        help_text=_("Activity kind or request category; compared without regard to case."),
    )
    product = models.CharField(
        _("product line"),
        max_length=100,
        blank=True,
        help_text=_("Service requests: the product line named on the request; compared without regard to case."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Service requests and activities: only work for this customer."),
    )
    min_amount = models.DecimalField(_("minimum amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("maximum amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    assignee_kind = models.CharField(
        _("assign to"), max_length=20, choices=RoutingAssignee.choices, default=RoutingAssignee.USER
    )
    assign_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project_role = models.CharField(_("project role"), max_length=20, blank=True)
    group_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("group members"), blank=True, related_name="+"
    )
    group_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("group department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assign_bid_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign bid manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assign_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("assign department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class RoutingCursor(models.Model):
    """How many assignments a round-robin rule has made: the next one goes to member ``position % n``.
    One row per rule, locked (``select_for_update``) while it is read and advanced."""

    rule = models.OneToOneField(RoutingRule, on_delete=models.CASCADE, primary_key=True, related_name="cursor")
    position = models.PositiveBigIntegerField(_("assignments made"), default=0)

    class Meta:
        verbose_name = _("routing cursor")
        verbose_name_plural = _("routing cursors")

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.position}"


class MilestoneTemplate(models.Model):
    """A milestone every project of the template gets at kickoff; dates in working days from kickoff."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    offset_days = models.PositiveSmallIntegerField(_("starts after (working days)"), default=0)
    duration_days = models.PositiveSmallIntegerField(_("duration (working days)"), default=10)
    required_deliverables = models.JSONField(_("required deliverable types"), default=list, blank=True)
    payment_percent = models.DecimalField(_("payment (%)"), max_digits=5, decimal_places=2, default=0)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["template_id", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="uniq_milestone_template_order")]
        verbose_name = _("milestone template")
        verbose_name_plural = _("milestone templates")

    def __str__(self) -> str:
        return self.name


class TaskTemplate(models.Model):
    """A key task created at kickoff, optionally under a milestone template."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        MilestoneTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    offset_days = models.PositiveSmallIntegerField(_("due after (working days)"), default=0)
    assignee_role = models.CharField(_("assignee project role"), max_length=20, blank=True)

    class Meta:
        ordering = ["template_id", "order"]
        verbose_name = _("task template")
        verbose_name_plural = _("task templates")

    def __str__(self) -> str:
        return self.name


class RecurringActivityTemplate(models.Model):
    """An activity every project of the template gets again and again while it is in ``states`` — "weekly
    report every Friday during delivery". ``weekday`` is 0 (Monday) … 6 (Sunday); ``every_weeks`` spaces the
    occurrences (ISO weeks whose number is a multiple of it). The occurrences are created by
    ``backend.activities`` (a nightly task), assigned to the project member in ``assignee_role``."""

    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="recurring_activities")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, default="todo")
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=4)
    every_weeks = models.PositiveSmallIntegerField(_("every (weeks)"), default=1)
    time = models.TimeField(_("time"), null=True, blank=True)
    states = models.JSONField(_("while the project is in"), default=list, blank=True)
    assignee_role = models.CharField(_("assignee project role"), max_length=20, default="owner")

    class Meta:
        ordering = ["template_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="uniq_recurring_activity_template_order"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="recurring_activity_weekday_0_6"),
            models.CheckConstraint(condition=models.Q(every_weeks__gte=1), name="recurring_activity_every_weeks"),
        ]
        verbose_name = _("recurring activity template")
        verbose_name_plural = _("recurring activity templates")

    def __str__(self) -> str:
        return self.name
