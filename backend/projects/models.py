"""The project record and what hangs off it: members, competitors, partners, events, checklist, budget.

``Project.status`` is a protected django-fsm-2 field; its transition methods only describe the graph
and who may call them. Everything around a transition (locking, checks with clear refusals, the event,
side effects) is done by ``backend.projects.services.project_transition`` and the gate engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, Transition, transition
from simple_history.models import HistoricalRecords

from backend.core.choices import Industry, Region
from backend.core.localized import LocalizedCharField
from backend.core.models import SearchDirtyQuerySet, TimeStampedModel
from backend.core.permissions import can
from backend.core.uploads import UploadField
from backend.projects.choices import (
    PRESALES_OPEN,
    CostCategory,
    EventKind,
    ForecastCategory,
    MemberRole,
    PartnerKind,
    Source,
    Status,
    ThreatLevel,
)


def can_edit(project: models.Model, user) -> bool:
    """May ``user`` change and move the project? Asks the permission layer (``backend/projects/permissions.py``);
    also the ``permission`` of the transitions users call (django-fsm hands it the instance as a ``Model``)."""
    return can(user, "change", project)


def fired_by_gate_only(project: models.Model, user) -> bool:
    """Gated transitions are never available to a user; only the gate engine fires them."""
    return False


def required_checklist_done(project: Project) -> bool:
    return not project.checklist.filter(stage=project.status, required=True, done=False).exists()


class Project(ConcurrentTransitionMixin, TimeStampedModel):
    """A deal and its delivery, from tender notice to the last payment."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="projects"
    )
    tender = models.ForeignKey(
        "tenders.Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.TENDER)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, default=Industry.OTHER)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_projects"
    )
    estimated_amount = models.DecimalField(_("estimated amount"), max_digits=16, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=20, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    process_template = models.ForeignKey(
        "workflows.ProcessTemplate",
        verbose_name=_("process template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    routing_rule = models.ForeignKey(
        "workflows.RoutingRule",
        verbose_name=_("assigned by rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    description = models.TextField(_("description"), blank=True)
    contract_amount = models.DecimalField(_("contract amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    status = FSMField(_("status"), default=Status.TENDER, choices=Status.choices, protected=True)

    if TYPE_CHECKING:  # the methods django-fsm adds for ``status`` (FSMField.contribute_to_class)

        def get_all_status_transitions(self) -> Iterator[Transition]: ...
        def get_available_status_transitions(self) -> Iterator[Transition]: ...
        def get_available_user_status_transitions(self, user: Any) -> Iterator[Transition]: ...

        # set on the board's cards by projects.views.lists._board_cards, for the board template
        menu: list[dict[str, Any]]
        can_move: bool
        detail_url: str
        move_url: str

    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=20,
        blank=True,
        choices=[(c.value, c.label) for c in ForecastCategory if c != ForecastCategory.CLOSED],
        help_text=_("Empty: the category of the stage's probability."),
    )
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, editable=False, help_text=_("When the deal was won, lost or abandoned.")
    )
    # The state the sale ended in (won, lost, abandoned), kept when a won deal moves on into delivery; the
    # analytics read it (with closed_at) off one covering index instead of joining the win/loss records.
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        blank=True,
        editable=False,
        choices=[(state.value, state.label) for state in (Status.WON, Status.LOST, Status.ABANDONED)],
    )
    closed_from = models.CharField(
        _("closed from"), max_length=30, blank=True, editable=False, help_text=_("The state the deal was in then.")
    )
    search_dirty = models.BooleanField(_("needs re-indexing"), default=False, editable=False, db_index=True)

    objects = SearchDirtyQuerySet.as_manager()

    # audit: who changed which field, when (backend/core/audit.py); the search flag is bookkeeping, not history
    history = HistoricalRecords(excluded_fields=["search_dirty"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["industry", "region"]),
            # the default newest-first list reads a page off this index instead of sorting every project; on
            # PostgreSQL it carries the columns of the visibility filter and the list's filters, so a page, a
            # deep page's ids and a count are index-only scans (issue 15)
            models.Index(
                fields=["-created_at", "-id"],
                include=["owner", "department", "industry", "region", "status", "source"],
                name="project_newest_cover",
            ),
            # the kanban board: the newest cards of each column
            models.Index(fields=["status", "-status_changed_at", "-id"], name="project_board_column"),
            # the analytics read closed deals by their outcome date and open ones by expected close month
            # (PostgreSQL: a covering index, so the win/loss figures of a period are an index-only scan)
            models.Index(
                fields=["closed_at"],
                include=[
                    "outcome",
                    "closed_from",
                    "industry",
                    "region",
                    "source",
                    "owner",
                    "department",
                    "process_template",
                    "contract_amount",
                    "estimated_amount",
                    "created_at",
                ],
                name="project_closed_at",
            ),
            models.Index(fields=["status", "expected_close_date"], name="project_status_close"),
            # the list's sortable columns, each both ways (a page off the index, not a sort of every visible
            # project); the nullable ones also descending with empty values last, created by migration 0018
            # in each database's own syntax (SQLite sorts NULL first and takes no NULLS LAST in an index)
            models.Index(fields=["name", "id"], name="project_sort_name"),
            models.Index(fields=["status", "id"], name="project_sort_status"),
            models.Index(fields=["expected_close_date", "id"], name="project_sort_close"),
            models.Index(Coalesce("contract_amount", "estimated_amount"), F("id"), name="project_sort_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def amount(self) -> Decimal:
        """The amount that matters now: the contract amount once known, else the estimate."""
        return self.contract_amount if self.contract_amount is not None else self.estimated_amount

    # --- presales transitions called by users -------------------------------------------------------
    @transition(
        field=status,
        source=Status.TENDER,
        target=Status.INITIATION_REVIEW,
        permission=can_edit,
        conditions=[required_checklist_done],  # type: ignore[list-item]  # django-fsm: a Model, not ours
    )
    def submit_initiation(self) -> None:
        """Ask for initiation (立项); opens the initiation review."""

    @transition(
        field=status,
        source=Status.PURSUIT,
        target=Status.BIDDING,
        permission=can_edit,
        conditions=[required_checklist_done],  # type: ignore[list-item]  # django-fsm: a Model, not ours
    )
    def start_bidding(self) -> None:
        """Start preparing and submitting the bid."""

    @transition(field=status, source=Status.BIDDING, target=Status.NEGOTIATION, permission=can_edit)
    def award(self) -> None:
        """The tender was awarded to us: negotiate the contract."""

    @transition(field=status, source=Status.BIDDING, target=Status.LOST, permission=can_edit)
    def lose(self) -> None:
        """The tender went to someone else (a win/loss record is required)."""

    @transition(
        field=status,
        source=Status.NEGOTIATION,
        target=Status.CONTRACT_REVIEW,
        permission=can_edit,
        conditions=[required_checklist_done],  # type: ignore[list-item]  # django-fsm: a Model, not ours
    )
    def submit_contract_review(self) -> None:
        """Send the negotiated contract to review (合同评审)."""

    @transition(field=status, source=PRESALES_OPEN, target=Status.ABANDONED, permission=can_edit)
    def abandon(self) -> None:
        """Cut losses: stop pursuing (a reason and a win/loss record are required)."""

    # --- presales transitions fired only by the gate engine --------------------------------------
    @transition(field=status, source=Status.INITIATION_REVIEW, target=Status.PURSUIT, permission=fired_by_gate_only)
    def approve_initiation(self) -> None:
        pass

    @transition(field=status, source=Status.INITIATION_REVIEW, target=Status.REJECTED, permission=fired_by_gate_only)
    def reject_initiation(self) -> None:
        pass

    @transition(field=status, source=Status.INITIATION_REVIEW, target=Status.TENDER, permission=fired_by_gate_only)
    def return_initiation(self) -> None:
        pass

    @transition(field=status, source=Status.CONTRACT_REVIEW, target=Status.WON, permission=fired_by_gate_only)
    def approve_contract(self) -> None:
        pass

    @transition(field=status, source=Status.CONTRACT_REVIEW, target=Status.NEGOTIATION, permission=fired_by_gate_only)
    def reject_contract(self) -> None:
        pass

    @transition(field=status, source=Status.CONTRACT_REVIEW, target=Status.NEGOTIATION, permission=fired_by_gate_only)
    def return_contract(self) -> None:
        pass

    # --- delivery transitions called by users ------------------------------------------------------
    @transition(field=status, source=Status.WON, target=Status.IMPLEMENTATION, permission=can_edit)
    def kickoff(self) -> None:
        """Start delivery: milestones, key tasks and payment terms are instantiated from the template."""

    @transition(field=status, source=Status.IMPLEMENTATION, target=Status.ACCEPTANCE_REVIEW, permission=can_edit)
    def request_acceptance(self) -> None:
        """Ask for acceptance (验收); every milestone must be accepted or cancelled."""

    @transition(field=status, source=Status.ACCEPTED, target=Status.WARRANTY, permission=can_edit)
    def start_warranty(self) -> None:
        """The warranty period begins."""

    @transition(field=status, source=Status.WARRANTY, target=Status.CLOSED, permission=can_edit)
    def close(self) -> None:
        """Close the project; every payment must be collected or written off."""

    @transition(field=status, source=Status.IMPLEMENTATION, target=Status.SUSPENDED, permission=can_edit)
    def suspend(self) -> None:
        """Pause delivery (a reason is required)."""

    @transition(field=status, source=Status.SUSPENDED, target=Status.IMPLEMENTATION, permission=can_edit)
    def resume(self) -> None:
        """Continue delivery."""

    # --- delivery transitions fired only by the gate engine --------------------------------------
    @transition(field=status, source=Status.ACCEPTANCE_REVIEW, target=Status.ACCEPTED, permission=fired_by_gate_only)
    def approve_acceptance(self) -> None:
        pass

    @transition(
        field=status, source=Status.ACCEPTANCE_REVIEW, target=Status.IMPLEMENTATION, permission=fired_by_gate_only
    )
    def return_acceptance(self) -> None:
        pass

    @transition(
        field=status, source=Status.ACCEPTANCE_REVIEW, target=Status.IMPLEMENTATION, permission=fired_by_gate_only
    )
    def reject_acceptance(self) -> None:
        pass


class ProjectMember(models.Model):
    """A user on the project team in a project role; membership drives permissions."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("project role"), max_length=20, choices=MemberRole.choices)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["project_id", "role", "user_id"]
        constraints = [models.UniqueConstraint(fields=["project", "user", "role"], name="uniq_member_role")]
        indexes = [models.Index(fields=["user", "project"])]
        verbose_name = _("project member")
        verbose_name_plural = _("project members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Competitor(TimeStampedModel):
    """A competitor in the shared catalogue."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class ProjectCompetitor(TimeStampedModel):
    """A competitor as seen on one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="competitors")
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="projects"
    )
    solution = models.TextField(_("their solution"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    threat_level = models.CharField(
        _("threat level"), max_length=10, choices=ThreatLevel.choices, default=ThreatLevel.MEDIUM
    )
    estimated_price = models.DecimalField(_("estimated price"), max_digits=16, decimal_places=2, null=True, blank=True)
    bid_price = models.DecimalField(_("bid price"), max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["project_id", "competitor__name"]
        constraints = [models.UniqueConstraint(fields=["project", "competitor"], name="uniq_competitor_per_project")]
        verbose_name = _("project competitor")
        verbose_name_plural = _("project competitors")

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.project.code}"


class CompetitorNote(models.Model):
    """Where a competitor stands at one stage of the project."""

    project_competitor = models.ForeignKey(ProjectCompetitor, on_delete=models.CASCADE, related_name="notes")
    stage = models.CharField(_("stage"), max_length=30, choices=Status.choices)
    note = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("competitor note")
        verbose_name_plural = _("competitor notes")

    def __str__(self) -> str:
        return self.note[:50]


class Partner(TimeStampedModel):
    """A subcontractor, vendor or consortium member in the shared catalogue."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.VENDOR)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="projects")
    role = models.CharField(_("role"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.VENDOR)
    scope = models.TextField(_("scope"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["project_id", "partner__name"]
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="uniq_partner_per_project")]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")

    def __str__(self) -> str:
        return f"{self.partner} @ {self.project.code}"


class ProjectEvent(models.Model):
    """Append-only log: every transition and gate decision, with actor, time and comment."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, default=EventKind.TRANSITION)
    transition = models.CharField(_("transition"), max_length=50, blank=True)
    source = models.CharField(_("from"), max_length=30, blank=True)
    target = models.CharField(_("to"), max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    review = models.ForeignKey(
        "workflows.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    milestone = models.ForeignKey(
        "milestones.Milestone", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # A change of a tracked field (kind "change"): which field, and its value before and after, as text.
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.CharField(_("old value"), max_length=40, blank=True)
    new_value = models.CharField(_("new value"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["project", "created_at"], name="event_project_time")]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.transition} {self.source}→{self.target}"


class StageChecklistItem(models.Model):
    """A recommended action for one stage of this project, instantiated from its process template."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist")
    stage = models.CharField(_("stage"), max_length=30, choices=Status.choices)
    text = LocalizedCharField(_("action"), max_length=300)
    text_en = models.CharField(_("action (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=False)
    done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "stage", "order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text


class BudgetLine(models.Model):
    """Planned cost of one category."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    planned_amount = models.DecimalField(
        _("planned amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["project_id", "category", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.planned_amount}"


class Expense(models.Model):
    """Actual cost, optionally against a budget line."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenses")
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="expenses"
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["project_id", "-spent_on", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


class ProjectAttachment(models.Model):
    """A file on the project (e.g. carried over from its tender notice)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = UploadField(_("file"), upload_to="projects/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["project_id", "pk"]
        verbose_name = _("project attachment")
        verbose_name_plural = _("project attachments")

    def __str__(self) -> str:
        return self.name


# the sharing rule lives with its package; imported here so it is one of the app's models
from backend.projects.sharing.models import ProjectSharingRule as ProjectSharingRule  # noqa: E402
