"""Service requests (工单) and what hangs off them: the event log, notes, attachments, the SLA policies that
set their clocks, and the satisfaction survey sent when one is closed.

A request's ``status`` is a protected FSM field: only the services move it (``backend.service.services``),
one ``RequestEvent`` per move. The SLA clocks are stored as deadlines (``response_due_at``,
``resolution_due_at``) so the scan for breaches is one indexed query per level; while the request waits for
the customer the clocks stand still (the scan skips that state), and resuming adds the working minutes that
passed to ``paused_minutes`` and moves the deadlines that far (``backend.service.sla``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.core.models import TimeStampedModel
from backend.core.uploads import UploadField
from backend.customers.choices import Tier
from backend.service.choices import EVENT_LABELS, Category, Channel, Coverage, RequestStatus, ServicePriority

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django_fsm import Transition

S = RequestStatus


class ServiceRequest(ConcurrentTransitionMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="service_requests"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    # the caller as they gave themselves, when they are not (yet) a contact of the customer
    caller_name = models.CharField(_("caller"), max_length=100, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    product = models.CharField(_("product line"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.HOTLINE)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(
        _("priority"), max_length=2, choices=ServicePriority.choices, default=ServicePriority.NORMAL
    )
    status = FSMField(_("status"), default=S.NEW, choices=S.choices, protected=True)
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
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
    coverage = models.CharField(
        _("coverage"), max_length=10, choices=Coverage.choices, default=Coverage.BILLABLE, editable=False
    )
    warranty_ends_on = models.DateField(_("warranty ends"), null=True, blank=True, editable=False)

    # --- SLA clocks (backend.service.sla) ------------------------------------------------------------------
    sla_policy = models.ForeignKey(
        "service.SlaPolicy",
        verbose_name=_("SLA"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True, editable=False)
    # when each clock nears its deadline (settings.SERVICE_SLA_WARN_PERCENT of the target used up)
    response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # working minutes the clocks stood still (waiting for the customer, resolved until reopened); the
    # deadlines are the start plus target plus these
    paused_minutes = models.PositiveIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True, editable=False)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # set when a clock stops (first response / resolution) after its deadline, or by the scan at the breach
    response_breached = models.BooleanField(_("response SLA breached"), default=False, editable=False)
    resolution_breached = models.BooleanField(_("resolution SLA breached"), default=False, editable=False)
    # working minutes each clock ran until it stopped (the service report's first-response and resolution times)
    response_minutes = models.IntegerField(_("first response (working minutes)"), null=True, blank=True, editable=False)
    resolution_minutes = models.IntegerField(_("resolution (working minutes)"), null=True, blank=True, editable=False)

    solution = models.TextField(_("solution"), blank=True)
    article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("solved by article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )

    if TYPE_CHECKING:

        def get_all_status_transitions(self) -> Iterator[Transition]: ...
        def get_available_status_transitions(self) -> Iterator[Transition]: ...

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "response_due_at"], name="sr_response_due"),
            models.Index(fields=["status", "resolution_due_at"], name="sr_resolution_due"),
            models.Index(fields=["status", "response_warn_at"], name="sr_response_warn"),
            models.Index(fields=["status", "resolution_warn_at"], name="sr_resolution_warn"),
            models.Index(fields=["assignee", "status"], name="sr_assignee_status"),
            models.Index(fields=["customer", "status"], name="sr_customer_status"),
            models.Index(fields=["-created_at", "-id"], name="sr_newest"),
        ]
        permissions = [("manage_service", "Can work the service desk (log, assign and resolve any request)")]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    # --- state machine: the services call these, never a view ---------------------------------------------
    @transition(field=status, source=S.NEW, target=S.ASSIGNED)
    def assign(self) -> None:
        """An engineer takes the request (or is given it)."""

    @transition(field=status, source=[S.NEW, S.ASSIGNED, S.WAITING], target=S.IN_PROGRESS)
    def start(self) -> None:
        """Work begins (or resumes after the customer answered)."""

    @transition(field=status, source=[S.ASSIGNED, S.IN_PROGRESS], target=S.WAITING)
    def wait_for_customer(self) -> None:
        """The desk needs the customer: the SLA clocks pause."""

    @transition(field=status, source=[S.ASSIGNED, S.IN_PROGRESS, S.WAITING], target=S.RESOLVED)
    def resolve(self) -> None:
        """The fix is given."""

    @transition(field=status, source=S.RESOLVED, target=S.CLOSED)
    def close(self) -> None:
        """The customer confirmed (or did not object in time): the survey goes out."""

    @transition(field=status, source=[S.RESOLVED, S.CLOSED], target=S.IN_PROGRESS)
    def reopen(self) -> None:
        """The fix did not hold."""


class RequestEvent(models.Model):
    """Append-only log of a request: every transition and assignment, with actor, time and comment."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(_("transition"), max_length=30)
    source = models.CharField(_("from"), max_length=20, blank=True)
    target = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("service request event")
        verbose_name_plural = _("service request events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.transition}"

    @property
    def transition_label(self) -> str:
        return str(EVENT_LABELS.get(self.transition, self.transition))


class RequestNote(models.Model):
    """A note on the work; a public note (a reply to the customer) is the first response when it is the first."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("note"))
    public = models.BooleanField(_("reply to the customer"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("service note")
        verbose_name_plural = _("service notes")

    def __str__(self) -> str:
        return self.body[:50]


class RequestAttachment(models.Model):
    """A file attached to a request, stored through the upload check every file of sicrm passes."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = UploadField(_("file"), upload_to="service/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("service attachment")
        verbose_name_plural = _("service attachments")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Response and resolution targets in working hours for one customer tier (blank: any tier) and priority.
    The most specific policy applies: the tier's own, else the one for any tier."""

    tier = models.CharField(_("customer tier"), max_length=1, choices=Tier.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=ServicePriority.choices)
    response_hours = models.DecimalField(
        _("respond within (working hours)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0.25)]
    )
    resolution_hours = models.DecimalField(
        _("resolve within (working hours)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0.25)]
    )

    class Meta:
        ordering = ["tier", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="uniq_sla_tier_priority"),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=models.F("response_hours")), name="sla_resolution_after_response"
            ),
        ]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.get_tier_display() or '*'} {self.get_priority_display()}"


class Survey(models.Model):
    """The satisfaction survey of a closed request. The link carries a signed token naming this row and its
    ``nonce``; answering stores the score and clears nothing else, so a second answer is refused, and
    reopening and closing again issues a new row (the old link then names a superseded survey)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="surveys")
    nonce = models.CharField(max_length=32, editable=False)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            )
        ]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.score or '-'}"
