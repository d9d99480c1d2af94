"""Writes for projects: creation (code, routing, team, checklist), edits, team, competitors, partners,
checklist, budget — and the lifecycle: ``project_transition`` for the transitions users call, and the
gate handlers that fire the gated ones. Every transition locks the row, checks with a clear refusal,
writes one ProjectEvent and schedules notifications after commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Department, User
from backend.core.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.localized import both
from backend.core.notifications import notify
from backend.core.permissions import can
from backend.core.services import model_update, sequence_next
from backend.customers.models import Customer
from backend.projects import transitions
from backend.projects.choices import (
    OUTCOME_STATES,
    PRESALES_OPEN,
    SALE_OUTCOMES,
    EventKind,
    ForecastCategory,
    MemberRole,
    Status,
    transition_label,
)
from backend.projects.models import (
    BudgetLine,
    Competitor,
    CompetitorNote,
    Expense,
    Partner,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectPartner,
    StageChecklistItem,
    required_checklist_done,
)
from workflows.models import ProcessTemplate
from workflows.routing.services import routing_assign, routing_preview
from workflows.services import gate_outcome, review_open, reviews_cancel_pending

PROJECT_FIELDS = (
    "name",
    "source",
    "industry",
    "region",
    "department",
    "estimated_amount",
    "currency",
    "probability",
    "expected_close_date",
    "forecast_category",
    "description",
)
# Changes of these fields are recorded as project events (the pipeline-changes report reads them).
TRACKED_FIELDS = ("estimated_amount", "probability", "expected_close_date", "forecast_category")

# Transitions users call, and those only the gate engine fires (never in available_transitions).
USER_TRANSITIONS = (
    "submit_initiation",
    "start_bidding",
    "award",
    "lose",
    "submit_contract_review",
    "abandon",
    "kickoff",
    "request_acceptance",
    "start_warranty",
    "close",
    "suspend",
    "resume",
)
GATED_TRANSITIONS = {
    ("initiation", "approve"): "approve_initiation",
    ("initiation", "reject"): "reject_initiation",
    ("initiation", "return"): "return_initiation",
    ("contract", "approve"): "approve_contract",
    ("contract", "reject"): "reject_contract",
    ("contract", "return"): "return_contract",
    ("acceptance", "approve"): "approve_acceptance",
    ("acceptance", "reject"): "reject_acceptance",
    ("acceptance", "return"): "return_acceptance",
}
OPENS_GATE = {
    "submit_initiation": "initiation",
    "submit_contract_review": "contract",
    "request_acceptance": "acceptance",
}
OUTCOME_OF = {"lose": "lost", "abandon": "abandoned", "submit_contract_review": "won"}


def require_edit(project: Project, actor: User) -> None:
    if not can(actor, "change", project):
        raise PermissionDenied(_("You may not change project %(code)s.") % {"code": project.code})


def _code() -> str:
    year = timezone.localdate().year
    return f"P-{year}-{sequence_next(key=f'project-{year}'):04d}"


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    customer: Customer,
    owner: User | None = None,
    source: str = "tender",
    industry: str = "",
    region: str = "",
    department: Department | None = None,
    estimated_amount: Decimal | int = 0,
    currency: str = "CNY",
    probability: int = 20,
    expected_close_date: date | None = None,
    process_template: ProcessTemplate | None = None,
    description: str = "",
    tender: Any = None,
) -> Project:
    """Create a project; a routing rule assigns owner / bid manager / department unless given."""
    industry = industry or customer.industry
    region = region or customer.region
    values = {"industry": industry, "region": region, "source": source, "amount": estimated_amount}
    # an owner given by hand takes no turn of a round-robin rule; the rule still sets bid manager / department
    decision = (
        routing_assign(target="project", values=values)
        if owner is None
        else routing_preview(target="project", values=values, every=False)
    )
    rule = decision.rule
    if owner is None:
        owner = decision.user or actor
    bid_manager = rule.assign_bid_manager if rule else None
    if department is None:
        department = (rule.assign_department if rule else None) or owner.department
    template = process_template or ProcessTemplate.objects.filter(is_default=True, is_active=True).first()
    project = Project(
        code="pending",
        name=(name or "").strip(),
        customer=customer,
        tender=tender,
        source=source,
        industry=industry,
        region=region,
        department=department,
        owner=owner,
        estimated_amount=estimated_amount,
        currency=currency,
        probability=probability,
        expected_close_date=expected_close_date,
        process_template=template,
        routing_rule=rule,
        description=description,
    )
    project.full_clean(exclude=["code", "status"])
    project.code = _code()
    project.save()
    members = [ProjectMember(project=project, user=owner, role=MemberRole.OWNER)]
    if bid_manager is not None and bid_manager != owner:
        members.append(ProjectMember(project=project, user=bid_manager, role=MemberRole.BID_MANAGER))
    if actor not in (owner, bid_manager):
        # Whoever opens the project stays on it, so it never vanishes from their own lists.
        role = MemberRole.BID_MANAGER if actor.has_role("bid_manager") else MemberRole.OBSERVER
        members.append(ProjectMember(project=project, user=actor, role=role))
    ProjectMember.objects.bulk_create(members)
    if template is not None:
        StageChecklistItem.objects.bulk_create(
            StageChecklistItem(
                project=project,
                stage=stage.stage,
                **both(action, "text"),
                order=action.order,
                required=action.required,
            )
            for stage in template.stages.prefetch_related("actions")
            for action in stage.actions.all()
        )
    comment = _("Assigned by routing rule: %(rule)s") % {"rule": rule.name} if rule else ""
    ProjectEvent.objects.create(
        project=project, kind=EventKind.CREATED, target=project.status, actor=actor, comment=comment
    )
    for member in members:
        notify(
            recipients=[member.user],
            kind="project_assigned",
            exclude=actor,
            params={"project": project, "role": MemberRole(member.role).label},
            url=f"/projects/{project.pk}/",
        )
    return project


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _record_changes(*, project: Project, actor: User, before: dict[str, Any], comment: str = "") -> None:
    """One change event per tracked field whose value differs from ``before``."""
    ProjectEvent.objects.bulk_create(
        ProjectEvent(
            project=project,
            kind=EventKind.CHANGE,
            source=project.status,
            target=project.status,
            actor=actor,
            comment=comment,
            field=name,
            old_value=_as_text(old),
            new_value=_as_text(getattr(project, name)),
        )
        for name, old in before.items()
        if _as_text(old) != _as_text(getattr(project, name))
    )


@transaction.atomic
def project_update(*, actor: User, project: Project, data: dict[str, Any]) -> Project:
    require_edit(project, actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = {name: getattr(project, name) for name in TRACKED_FIELDS}
    project, changed = model_update(instance=project, data=data, fields=PROJECT_FIELDS)
    if changed:
        _record_changes(project=project, actor=actor, before=before)
    return project


def can_adjust_forecast(project: Project, user: User) -> bool:
    """The permission layer's ``adjust_forecast`` (``backend/projects/permissions.py``)."""
    return can(user, "adjust_forecast", project)


@transaction.atomic
def project_forecast_set(*, actor: User, project: Project, category: str, comment: str = "") -> Project:
    """Set the forecast category of an open deal; ``""`` goes back to the stage's default. A change by anyone
    but the owner is a manager adjustment; either way it is recorded (who, when, from, to)."""
    if not can_adjust_forecast(project, actor):
        raise PermissionDenied(_("You may not change the forecast of project %(code)s.") % {"code": project.code})
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in PRESALES_OPEN:
        raise Conflict(
            _("Project %(code)s is in %(state)s: only open deals have a forecast category.")
            % {"code": project.code, "state": project.get_status_display()}
        )
    allowed = [c for c in ForecastCategory.values if c != ForecastCategory.CLOSED]
    if category and category not in allowed:
        raise ValidationFailed(
            _("Unknown forecast category '%(category)s'.") % {"category": category},
            fields={"forecast_category": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}]},
        )
    before = {"forecast_category": project.forecast_category}
    if category != project.forecast_category:
        project.forecast_category = category
        project.save(update_fields=["forecast_category", "updated_at"])
        _record_changes(project=project, actor=actor, before=before, comment=comment)
    return project


# --- lifecycle ---------------------------------------------------------------------------------------------


def _describe_sources(name: str) -> str:
    sources = {t.source for t in Project._meta.get_field("status").get_all_transitions(Project) if t.name == name}
    return ", ".join(str(Status(s).label) for s in sorted(sources) if s in Status.values)


def refusal(project: Project, message: str, **extra: Any) -> TransitionRefused:
    """The 409 every transition refusal reads as: "Project P-… is in <state>: <message>"."""
    return TransitionRefused(
        _("Project %(code)s is in %(state)s: %(message)s")
        % {"code": project.code, "state": project.get_status_display(), "message": message},
        extra={"status": project.status, **extra},
    )


def _check_transition(project: Project, name: str, actor: User) -> None:
    if name not in USER_TRANSITIONS:
        if name in GATED_TRANSITIONS.values():
            raise refusal(
                project,
                _("'%(name)s' is decided by the review gate, not called directly.") % {"name": transition_label(name)},
            )
        raise ValidationFailed(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")
    transition = next(
        (t for t in project.get_all_status_transitions() if t.name == name and t.source == project.status), None
    )
    if transition is None:
        raise refusal(
            project,
            _("'%(name)s' is only possible from %(sources)s.")
            % {"name": transition_label(name), "sources": _describe_sources(name)},
        )
    if not can(actor, "transition", project):
        raise PermissionDenied(_("You may not move project %(code)s.") % {"code": project.code})
    if required_checklist_done in transition.conditions and not required_checklist_done(project):
        missing = list(
            item.text  # in the reader's language
            for item in project.checklist.filter(stage=project.status, required=True, done=False).only(
                "text", "text_en"
            )
        )
        raise refusal(
            project,
            _("these required actions are not done yet: %(items)s.") % {"items": "; ".join(missing)},
            missing=missing,
        )


@transaction.atomic
def project_transition(
    *,
    project_id: int,
    name: str,
    actor: User,
    comment: str = "",
    win_loss: dict[str, Any] | None = None,
    kickoff_date: date | None = None,
) -> Project:
    """Perform user transition ``name``; refusals are 409 naming the state and what is missing.

    What the transition needs and causes beyond the state itself (win/loss record, contract terms, required
    documents, delivery checks, kickoff) is contributed by the apps that own that data (``transitions``)."""
    project = Project.objects.select_for_update().get(pk=project_id)
    _check_transition(project, name, actor)
    data: dict[str, Any] = {"kickoff_date": kickoff_date}
    if win_loss is not None:
        data["win_loss"] = win_loss
    call = transitions.TransitionCall(project=project, name=name, actor=actor, comment=comment, data=data)
    transitions.run("precondition", call)
    source = project.status
    getattr(project, name)()
    project.status_changed_at = timezone.now()
    if project.status in OUTCOME_STATES:
        project.closed_at = project.status_changed_at
        project.outcome = project.status if project.status in SALE_OUTCOMES else ""
        project.closed_from = source
    transitions.run("before_save", call)
    project.save()
    ProjectEvent.objects.create(
        project=project, transition=name, source=source, target=project.status, actor=actor, comment=comment
    )
    if name == "abandon":
        reviews_cancel_pending(project=project)
    transitions.run("effect", call)
    if name in OPENS_GATE:
        amount = call.context.get("review_amount")
        review_open(project=project, kind=OPENS_GATE[name], actor=actor, comment=comment, amount=amount)
    notify(
        recipients=project.members.values_list("user_id", flat=True),
        kind="project_transition",
        params={
            "project": project,
            "source": Status(source).label,
            "target": Status(project.status).label,
            "actor": actor,
        },
        url=f"/projects/{project.pk}/",
        exclude=actor,
    )
    return project


def _fire_gated(*, review: Any, decision: str, actor: User, comment: str, final: bool, **_: Any) -> None:
    """Gate handler: a final decision fires the gated transition; every decision is logged as an event."""
    project = Project.objects.select_for_update().get(pk=review.project_id)
    name = GATED_TRANSITIONS[(review.gate.kind, decision)] if final else ""
    call = transitions.TransitionCall(project=project, name=name, actor=actor, comment=comment, data={"review": review})
    if name:
        transitions.run("precondition", call)
    source = project.status
    if name:
        getattr(project, name)()
        project.status_changed_at = timezone.now()
        if project.status in OUTCOME_STATES:
            project.closed_at = project.status_changed_at
            project.outcome = project.status if project.status in SALE_OUTCOMES else ""
            project.closed_from = source
        transitions.run("before_save", call)
        project.save()
    ProjectEvent.objects.create(
        project=project,
        kind=EventKind.DECISION,
        transition=name or f"{review.gate.kind}:{decision}",
        source=source,
        target=project.status,
        actor=actor,
        comment=comment,
        review=review,
    )
    if name:
        transitions.run("effect", call)


def abandon_explained(call: transitions.TransitionCall) -> None:
    if not call.comment.strip():
        raise ValidationFailed(
            _("Say why the project is abandoned: a comment is required."), fields={"comment": [_("required")]}
        )


def register() -> None:
    """Called by ``ProjectsConfig.ready()``: the gate outcome handlers and the project's own checks."""
    from workflows.loader import stage_names_from

    for kind in ("initiation", "contract", "acceptance"):
        gate_outcome(kind)(_fire_gated)
    stage_names_from(lambda: Status.values)  # the stages a process template may name
    transitions.precondition("abandon", order=20)(abandon_explained)


# --- team, competitors, partners, checklist, budget ------------------------------------------------------


@transaction.atomic
def member_add(*, actor: User, project: Project, user: User, role: str) -> ProjectMember:
    require_edit(project, actor)
    if role not in MemberRole.values:
        raise ValidationFailed(_("Unknown project role '%(role)s'.") % {"role": role}, fields={"role": [role]})
    try:
        with transaction.atomic():
            member = ProjectMember.objects.create(project=project, user=user, role=role)
    except IntegrityError:
        raise Conflict(
            _("%(user)s is already on the team as %(role)s.") % {"user": user, "role": MemberRole(role).label}
        ) from None
    notify(
        recipients=[user],
        kind="project_assigned",
        exclude=actor,
        params={"project": project, "role": MemberRole(member.role).label},
        url=f"/projects/{project.pk}/",
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, member: ProjectMember) -> None:
    require_edit(member.project, actor)
    if member.role == MemberRole.OWNER:
        raise Conflict(_("The owner cannot be removed from the team."))
    member.delete()


@transaction.atomic
def competitor_add(
    *,
    actor: User,
    project: Project,
    competitor: Competitor | None = None,
    competitor_name: str = "",
    **fields: Any,
) -> ProjectCompetitor:
    require_edit(project, actor)
    if competitor is None:
        name = competitor_name.strip()
        if not name:
            raise ValidationFailed(_("Name the competitor."), fields={"competitor": [_("required")]})
        competitor, _created = Competitor.objects.get_or_create(name=name)
    if ProjectCompetitor.objects.filter(project=project, competitor=competitor).exists():
        raise ValidationFailed(
            _("%(name)s is already listed as a competitor on this project.") % {"name": competitor.name},
            fields={"competitor": [_("already listed")]},
        )
    entry = ProjectCompetitor(project=project, competitor=competitor, **fields)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def competitor_update(*, actor: User, entry: ProjectCompetitor, data: dict[str, Any]) -> ProjectCompetitor:
    require_edit(entry.project, actor)
    entry, _changed = model_update(
        instance=entry,
        data=data,
        fields=("solution", "strengths", "weaknesses", "threat_level", "estimated_price", "bid_price"),
    )
    return entry


@transaction.atomic
def competitor_note_add(*, actor: User, entry: ProjectCompetitor, note: str, stage: str = "") -> CompetitorNote:
    require_edit(entry.project, actor)
    if not note.strip():
        raise ValidationFailed(_("The note is empty."), fields={"note": [_("required")]})
    return CompetitorNote.objects.create(
        project_competitor=entry, stage=stage or entry.project.status, note=note.strip(), author=actor
    )


@transaction.atomic
def partner_add(
    *, actor: User, project: Project, partner: Partner | None = None, partner_name: str = "", **fields: Any
) -> ProjectPartner:
    require_edit(project, actor)
    if partner is None:
        name = partner_name.strip()
        if not name:
            raise ValidationFailed(_("Name the partner."), fields={"partner": [_("required")]})
        partner, _created = Partner.objects.get_or_create(name=name)
    if ProjectPartner.objects.filter(project=project, partner=partner).exists():
        raise ValidationFailed(
            _("%(name)s is already a partner on this project.") % {"name": partner.name},
            fields={"partner": [_("already listed")]},
        )
    entry = ProjectPartner(project=project, partner=partner, **fields)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def checklist_set_done(*, actor: User, item: StageChecklistItem, done: bool) -> StageChecklistItem:
    require_edit(item.project, actor)
    item.done = done
    item.done_by = actor if done else None
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done", "done_by", "done_at"])
    return item


@transaction.atomic
def budget_line_add(
    *, actor: User, project: Project, category: str, planned_amount: Decimal, description: str = ""
) -> BudgetLine:
    require_edit(project, actor)
    line = BudgetLine(project=project, category=category, planned_amount=planned_amount, description=description)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def expense_add(
    *,
    actor: User,
    project: Project,
    category: str,
    amount: Decimal,
    spent_on: date,
    description: str = "",
    budget_line: BudgetLine | None = None,
) -> Expense:
    require_edit(project, actor)
    if budget_line is not None and budget_line.project_id != project.pk:
        raise ValidationFailed(_("That budget line belongs to another project."), fields={"budget_line": ["foreign"]})
    expense = Expense(
        project=project,
        category=category,
        amount=amount,
        spent_on=spent_on,
        description=description,
        budget_line=budget_line,
        author=actor,
    )
    expense.full_clean()
    expense.save()
    return expense
