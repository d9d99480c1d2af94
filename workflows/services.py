"""The gate engine (DESIGN.md §4) and routing rules.

``review_open`` starts a review of a gate for a project (or quotation): the steps are resolved from the
gate with their approvers fixed, conditional steps skipped, the first step's approvers notified.
``review_decide`` records one approver's decision under a row lock; approving the last step, rejecting or
returning hands the outcome to the handler the owning app registered for that gate kind
(``@gate_outcome("initiation")``), which fires the gated transition. Nothing here knows what a
project state is.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.selectors import department_heads_up, users_with_role
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.core.localized import both, render_both
from backend.core.notifications import both_languages, notify
from workflows.choices import Decision, ReviewStatus, StepMode, StepStatus
from workflows.models import Approval, Gate, GateStep, ProcessTemplate, Review, ReviewStep, RoutingRule
from workflows.signals import review_opened

OutcomeHandler = Callable[..., None]
_outcome_handlers: dict[str, OutcomeHandler] = {}


def gate_outcome(kind: str) -> Callable[[OutcomeHandler], OutcomeHandler]:
    """Register what happens when a review of gate ``kind`` ends: ``handler(review=, decision=, actor=, comment=)``.

    Call it from the owning app's ``AppConfig.ready()``; a gate kind without a handler fails the start-up check
    (``workflows.checks``)."""

    def register(handler: OutcomeHandler) -> OutcomeHandler:
        _outcome_handlers[kind] = handler
        return handler

    return register


def outcome_handler_kinds() -> set[str]:
    """The gate kinds that have an outcome handler."""
    return set(_outcome_handlers)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
    "eq": operator.eq,
}


def condition_holds(condition: dict[str, Any], values: dict[str, Any]) -> bool:
    """``{"field": "amount", "op": "gte", "value": 5000000}`` against ``values``; an empty condition holds."""
    if not condition:
        return True
    field, op, expected = condition.get("field"), condition.get("op", "eq"), condition.get("value")
    actual = values.get(field) if field is not None else None
    if actual is None or op not in _OPS:
        return False
    try:
        if isinstance(actual, Decimal | int | float):
            return _OPS[op](Decimal(str(actual)), Decimal(str(expected)))
    except InvalidOperation:
        return False
    return _OPS[op](actual, expected)


def gate_for(*, template: ProcessTemplate | None, kind: str) -> Gate:
    """The gate of ``kind`` in ``template``, else in the default template."""
    gate = None
    if template is not None:
        gate = Gate.objects.filter(template=template, kind=kind).first()
    if gate is None:
        gate = Gate.objects.filter(template__is_default=True, kind=kind).first()
    if gate is None:
        raise Conflict(
            _("No %(gate)s gate is configured; an administrator must load the process templates.") % {"gate": kind},
            code="gate_not_configured",
        )
    return gate


def segregates_duties(gate: Gate) -> bool:
    """Whether the submitter of a review of ``gate`` is kept from deciding it (on unless the gate's options
    say ``segregate_duties: false``)."""
    return gate.options.get("segregate_duties", True) is not False


def _step_groups(step: GateStep, project: Any, *, excluded: User | None = None) -> dict[str, list[int]]:
    """Each approver group of ``step`` for ``project``; ``excluded`` (the submitter, when the gate segregates
    duties) is in none of them: the department head is then the nearest head above who is somebody else."""
    groups: dict[str, list[int]] = {}
    skip = excluded.pk if excluded is not None else None
    if step.department_head:
        department = project.department or getattr(project.owner, "department", None)
        heads = [h for h in department_heads_up(department=department) if h.is_active and h.pk != skip]
        groups["department_head"] = [heads[0].pk] if heads else []
    for role in step.roles:
        groups[f"role:{role}"] = list(users_with_role(role=role).exclude(pk=skip).values_list("pk", flat=True))
    for role in step.project_roles:
        groups[f"project:{role}"] = list(
            project.members.filter(role=role, user__is_active=True).exclude(user=skip).values_list("user_id", flat=True)
        )
    return groups


def _next_level_up(submitter: User) -> list[int]:
    """Who decides a step whose only eligible approver submitted the review: the nearest department head
    above the submitter, else the sales directors (never the submitter)."""
    from backend.accounts.choices import Role

    heads = [
        h
        for h in department_heads_up(department=getattr(submitter, "department", None))
        if h.is_active and h.pk != submitter.pk
    ]
    if heads:
        return [heads[0].pk]
    return list(users_with_role(role=Role.DIRECTOR).exclude(pk=submitter.pk).values_list("pk", flat=True))


def _activate(step: ReviewStep, project: Any, gate: Gate) -> None:
    step.status = StepStatus.ACTIVE
    step.save(update_fields=["status"])
    notify(
        recipients=step.approvers.all(),
        kind="review_requested",
        params={"project": project, "gate": both_languages(gate), "step": both_languages(step)},
        url=f"/reviews/{step.review_id}/",
    )


@transaction.atomic
def review_open(
    *,
    project: Any,
    kind: str,
    actor: User,
    quotation: Any = None,
    amount: Decimal | None = None,
    comment: str = "",
) -> Review:
    """Open a review of gate ``kind``; refuses (409) when a step would have nobody to decide it."""
    gate = gate_for(template=project.process_template, kind=kind)
    amount = project.amount if amount is None else amount
    values = {"amount": amount, "industry": project.industry, "region": project.region, "source": project.source}
    review = Review.objects.create(
        gate=gate, project=project, quotation=quotation, amount=amount, submitted_by=actor, comment=comment
    )
    first: ReviewStep | None = None
    excluded = actor if segregates_duties(gate) else None
    for gate_step in gate.steps.all():
        applies = condition_holds(gate_step.condition, values)
        groups = _step_groups(gate_step, project, excluded=excluded) if applies else {}
        if excluded is not None:
            # a group left empty only because the submitter may not decide goes one level up
            everyone = _step_groups(gate_step, project)
            emptied = [name for name, ids in groups.items() if not ids and everyone.get(name)]
            if emptied and (gate_step.mode == StepMode.ALL or not any(groups.values())):
                up = _next_level_up(excluded)
                for name in emptied:
                    groups[name] = up
        empty = [name for name, ids in groups.items() if not ids]
        if applies and (len(empty) == len(groups) or (gate_step.mode == StepMode.ALL and empty)):
            raise Conflict(
                _("Nobody can decide step '%(step)s' of %(gate)s: no active user for %(groups)s.")
                % {"step": gate_step.name, "gate": gate.name, "groups": ", ".join(empty)},
                code="no_approver",
            )
        groups = {name: ids for name, ids in groups.items() if ids}
        step = ReviewStep.objects.create(
            review=review,
            gate_step=gate_step,
            order=gate_step.order,
            **both(gate_step, "name"),
            mode=gate_step.mode,
            groups=groups,
            status=StepStatus.WAITING if applies else StepStatus.SKIPPED,
        )
        if applies:
            step.approvers.set({pk for ids in groups.values() for pk in ids})
            first = first or step
    if first is None:
        raise Conflict(_("%(gate)s has no step that applies.") % {"gate": gate.name}, code="gate_without_steps")
    _activate(first, project, gate)
    review_opened.send(sender=Review, review=review)
    return review


def _step_complete(step: ReviewStep) -> bool:
    approved_by = set(step.approvals.filter(decision=Decision.APPROVE).values_list("approver_id", flat=True))
    if step.mode == StepMode.ANY:
        return bool(approved_by)
    return all(approved_by.intersection(ids) for ids in step.groups.values())


@transaction.atomic
def review_decide(*, review_id: int, actor: User, decision: str, comment: str = "") -> Review:
    """One approver's decision on the active step of a review."""
    if decision not in Decision.values:
        raise ValidationFailed(
            _("Decision must be one of: %(choices)s.") % {"choices": ", ".join(Decision.values)},
            fields={"decision": [_("not a valid choice")]},
        )
    review = Review.objects.select_for_update().select_related("gate", "project").get(pk=review_id)
    if review.status != ReviewStatus.PENDING:
        raise Conflict(
            _("This review is already %(status)s; nothing more can be decided.")
            % {"status": review.get_status_display()},
            code="review_closed",
        )
    step = review.steps.filter(status=StepStatus.ACTIVE).first()
    if step is None:  # pragma: no cover - a pending review always has an active step
        raise Conflict(_("This review has no step waiting for a decision."))
    if review.submitted_by_id == actor.pk and segregates_duties(review.gate):
        raise PermissionDenied(_("You submitted this review; somebody else must decide it."), code="own_review")
    if not step.approvers.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("You are not an approver of step '%(step)s' of this review.") % {"step": step.name})
    if step.approvals.filter(approver=actor).exists():
        raise Conflict(_("You have already decided on step '%(step)s'.") % {"step": step.name}, code="already_decided")
    if decision != Decision.APPROVE and not comment.strip():
        raise ValidationFailed(
            _("Say why: a comment is required to reject or return."), fields={"comment": [_("required")]}
        )
    try:
        with transaction.atomic():
            Approval.objects.create(step=step, approver=actor, decision=decision, comment=comment)
    except IntegrityError:
        raise Conflict(
            _("You have already decided on step '%(step)s'.") % {"step": step.name}, code="already_decided"
        ) from None

    now = timezone.now()
    outcome: str | None = None
    if decision == Decision.APPROVE:
        if _step_complete(step):
            step.status, step.completed_at = StepStatus.APPROVED, now
            step.save(update_fields=["status", "completed_at"])
            following = review.steps.filter(order__gt=step.order, status=StepStatus.WAITING).first()
            if following is not None:
                _activate(following, review.project, review.gate)
            else:
                outcome = ReviewStatus.APPROVED
    else:
        step.status = StepStatus.REJECTED if decision == Decision.REJECT else StepStatus.RETURNED
        step.completed_at = now
        step.save(update_fields=["status", "completed_at"])
        outcome = ReviewStatus.REJECTED if decision == Decision.REJECT else ReviewStatus.RETURNED

    handler = _outcome_handlers.get(review.gate.kind)
    if handler is None:  # the start-up check (workflows.checks) makes this unreachable
        raise ImproperlyConfigured(f"Gate kind {review.gate.kind!r} has no outcome handler.")
    handler(review=review, decision=decision, actor=actor, comment=comment, step=step, final=outcome is not None)
    if outcome is not None:
        review.status, review.decided_at = outcome, now
        review.save(update_fields=["status", "decided_at", "updated_at"])
        review.steps.filter(status=StepStatus.WAITING).update(status=StepStatus.CANCELLED)
        notify(
            recipients=[review.submitted_by_id, review.project.owner_id],
            kind="review_completed",
            params={
                "project": review.project,
                "gate": both_languages(review.gate),
                "status": ReviewStatus(review.status).label,
            },
            url=f"/projects/{review.project_id}/",
        )
    else:
        notify(
            recipients=[review.submitted_by_id],
            kind="review_decided",
            params={
                "project": review.project,
                "actor": actor,
                "decision": Decision(decision).label,
                "gate": review.gate.name,
            },
            url=f"/reviews/{review.pk}/",
            exclude=actor,
        )
    return review


@transaction.atomic
def reviews_cancel_pending(*, project: Any) -> int:
    """Cancel the project's open reviews (the project left the state they were deciding)."""
    pending = list(Review.objects.select_for_update().filter(project=project, status=ReviewStatus.PENDING))
    for review in pending:
        review.status, review.decided_at = ReviewStatus.CANCELLED, timezone.now()
        review.save(update_fields=["status", "decided_at", "updated_at"])
        review.steps.filter(status__in=[StepStatus.ACTIVE, StepStatus.WAITING]).update(status=StepStatus.CANCELLED)
    return len(pending)


def routing_match(*, target: str, values: dict[str, Any]) -> RoutingRule | None:
    """The rule that assigns new work of ``target`` (see ``workflows.routing.services.routing_assign``, which
    also names the assignee; a round-robin rule that wins advances its turn)."""
    from workflows.routing.services import routing_assign

    return routing_assign(target=target, values=values).rule


@transaction.atomic
def _saved_from(code: str) -> dict[str, str]:
    words = render_both(lambda: _("Saved from project %(code)s"))
    return {"description": words["zh"] % {"code": code}, "description_en": words["en"] % {"code": code}}


def template_from_project(*, project: Any, actor: User, code: str, name: str) -> ProcessTemplate:
    """ "Save this project as a template": its stages and their actions (from the project's checklist),
    gates (from its template), milestones with working-day offsets and durations measured on the plan,
    required deliverables, payment percentages and key tasks."""
    from django.utils.text import slugify

    from backend.core.calendar import WorkingCalendar
    from workflows.models import MilestoneTemplate, StageAction, StageTemplate, TaskTemplate

    if not (actor.is_superuser or actor.has_role("admin", "director", "pm")):
        raise PermissionDenied(_("Only administrators, directors and project managers may create templates."))
    code = slugify(code or "")
    if not code or not name.strip():
        raise ValidationFailed(_("A template needs a code and a name."), fields={"code": [_("required")]})
    if ProcessTemplate.objects.filter(code=code).exists():
        raise ValidationFailed(_("Template code %(code)s is taken.") % {"code": code}, fields={"code": ["taken"]})
    milestones = list(project.milestones.exclude(status="cancelled").order_by("order"))
    if not milestones:
        raise Conflict(_("Project %(code)s has no milestones to learn from.") % {"code": project.code})
    source = project.process_template
    template = ProcessTemplate.objects.create(
        code=code,
        name=name.strip(),
        **_saved_from(project.code),
        definition={"saved_from": project.code},
    )
    standard = {s.stage: s.standard_days for s in source.stages.all()} if source else {}
    for order, stage in enumerate(sorted({i.stage for i in project.checklist.all()} | set(standard))):
        stage_template = StageTemplate.objects.create(
            template=template, stage=stage, order=order, standard_days=standard.get(stage, 0)
        )
        StageAction.objects.bulk_create(
            StageAction(stage=stage_template, **both(item, "text"), order=item.order, required=item.required)
            for item in project.checklist.filter(stage=stage)
        )
    if source:
        for gate in source.gates.prefetch_related("steps"):
            copy = Gate.objects.create(
                template=template,
                kind=gate.kind,
                **both(gate, "name"),
                required_documents=gate.required_documents,
                options=gate.options,
            )
            GateStep.objects.bulk_create(
                GateStep(
                    gate=copy,
                    order=s.order,
                    **both(s, "name"),
                    roles=s.roles,
                    project_roles=s.project_roles,
                    department_head=s.department_head,
                    mode=s.mode,
                    condition=s.condition,
                )
                for s in gate.steps.all()
            )
    start = milestones[0].planned_start
    calendar = WorkingCalendar(start)
    contract = project.contract_amount or project.estimated_amount or Decimal(1)
    by_milestone: dict[int, MilestoneTemplate] = {}
    for order, milestone in enumerate(milestones, start=1):
        paid = sum((t.amount for t in milestone.payment_terms.all()), Decimal(0))
        by_milestone[milestone.pk] = MilestoneTemplate.objects.create(
            template=template,
            order=order,
            **both(milestone, "name"),
            offset_days=max(calendar.between(start, milestone.planned_start), 0),
            duration_days=calendar.between(milestone.planned_start, milestone.planned_end) + 1,
            required_deliverables=milestone.required_deliverables,
            payment_percent=(paid * 100 / Decimal(contract)).quantize(Decimal("0.01")),
            weight=milestone.weight,
        )
    TaskTemplate.objects.bulk_create(
        TaskTemplate(
            template=template,
            order=order,
            **both(task, "name"),
            milestone=by_milestone.get(task.milestone_id),
            offset_days=max(calendar.between(start, task.due_date), 0) if task.due_date else 0,
            assignee_role=project.members.filter(user=task.assignee_id).values_list("role", flat=True).first() or "",
        )
        for order, task in enumerate(project.tasks.order_by("due_date", "pk"), start=1)
    )
    return template
