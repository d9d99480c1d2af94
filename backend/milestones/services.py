"""Writes for delivery: kickoff from the process template, milestone transitions, deliverables and their
versions, customer acceptance, tasks.

The project's own delivery transitions stay in ``backend.projects.services.project_transition``; what delivery
needs and causes there (kickoff, the acceptance request, suspension, the sign-off) is registered by
``backend.milestones.transitions``.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.calendar import WorkingCalendar
from backend.core.errors import Conflict, NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.localized import both
from backend.core.notifications import both_languages, notify
from backend.core.permissions import can
from backend.core.uploads import check_upload
from backend.milestones.choices import (
    TRANSITION_LABELS,
    AcceptanceResult,
    DeliverableStatus,
    DeliverableType,
    MilestoneStatus,
    TaskStatus,
)
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Task,
    can_judge,
    can_work_on,
    required_deliverables_approved,
)
from backend.milestones.signals import milestone_accepted
from backend.projects.choices import EventKind, MemberRole
from backend.projects.choices import Status as ProjectStatus
from backend.projects.models import Project, ProjectEvent

CENT = Decimal("0.01")


def _pm_or_owner(project: Project) -> User:
    member = project.members.filter(role=MemberRole.PM).select_related("user").first()
    return member.user if member else project.owner


# --- kickoff -------------------------------------------------------------------------------------------


def milestones_from_template(
    *, project: Project, actor: User, kickoff_date: date | None = None
) -> dict[int, Milestone]:
    """Milestones and key tasks from the project's template, dated from ``kickoff_date``; returns the milestones
    by the id of their template milestone (the payment terms of the template point at them)."""
    template = project.process_template
    if template is None or not template.milestones.exists():
        raise TransitionRefused(
            _("Project %(code)s has no process template with milestones; choose a template before kickoff.")
            % {"code": project.code},
            extra={"missing": ["process_template"]},
        )
    start = kickoff_date or timezone.localdate()
    calendar = WorkingCalendar(start)
    owner = _pm_or_owner(project)
    by_template: dict[int, Milestone] = {}
    for spec in template.milestones.order_by("order"):
        begin = calendar.add(start, spec.offset_days)
        milestone = Milestone.objects.create(
            project=project,
            **both(spec, "name"),
            order=spec.order,
            planned_start=begin,
            # a duration of N working days includes the first: it ends N − 1 working days later
            planned_end=calendar.add(begin, max(spec.duration_days - 1, 0)),
            owner=owner,
            weight=spec.weight,
            required_deliverables=list(spec.required_deliverables),
        )
        by_template[spec.pk] = milestone
    members = {m.role: m.user for m in project.members.select_related("user")}
    Task.objects.bulk_create(
        Task(
            project=project,
            milestone=by_template.get(spec.milestone_id) if spec.milestone_id is not None else None,
            **both(spec, "name"),
            assignee=members.get(spec.assignee_role) or owner,
            due_date=calendar.add(start, spec.offset_days),
        )
        for spec in template.tasks.all()
    )
    return by_template


def delivery_kickoff(*, project: Project, actor: User, kickoff_date: date | None = None) -> list[Milestone]:
    """The milestones and key tasks of kickoff (the payment terms come with the project's kickoff transition)."""
    return list(milestones_from_template(project=project, actor=actor, kickoff_date=kickoff_date).values())


# --- checks contributed to the project's transitions (see ``transitions``) ---------------------------------


def acceptance_signoff_check(*, project: Project, review: Any) -> None:
    """The acceptance gate's final approval needs the customer's sign-off recorded (passed or conditional)."""
    signed = Acceptance.objects.filter(
        project=project,
        milestone=None,
        created_at__gte=review.created_at,
        result__in=[AcceptanceResult.PASSED, AcceptanceResult.CONDITIONAL],
    )
    if not signed.exists():
        raise Conflict(
            _("Record the customer's acceptance sign-off (signatory, date, result) before the final approval."),
            code="signoff_missing",
        )


# --- milestones ------------------------------------------------------------------------------------------

MILESTONE_TRANSITIONS = ("start", "submit", "accept", "return_for_rework", "resume_work", "cancel")


@transaction.atomic
def milestone_transition(*, milestone_id: int, name: str, actor: User, comment: str = "") -> Milestone:
    if name not in MILESTONE_TRANSITIONS:
        raise ValidationFailed(_("Unknown milestone transition '%(name)s'.") % {"name": name})
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone_id)
    transition = next(
        (t for t in milestone.get_all_status_transitions() if t.name == name and t.source == milestone.status), None
    )
    state = milestone.get_status_display()
    if transition is None:
        raise TransitionRefused(
            _("Milestone '%(name)s' is %(state)s: '%(t)s' is not possible now.")
            % {"name": milestone.name, "state": state, "t": TRANSITION_LABELS[name]},
            extra={"status": milestone.status},
        )
    if not transition.has_perm(milestone, actor):
        raise PermissionDenied(
            _("You may not do '%(t)s' on milestone '%(name)s'.")
            % {"t": TRANSITION_LABELS[name], "name": milestone.name}
        )
    if name == "submit" and not required_deliverables_approved(milestone):
        missing = milestone.missing_deliverables()
        raise TransitionRefused(
            _(
                "Milestone '%(name)s' is %(state)s: these required deliverables are missing or not approved: "
                "%(missing)s."
            )
            % {
                "name": milestone.name,
                "state": state,
                "missing": ", ".join(
                    str(DeliverableType(m).label) if m in DeliverableType.values else m for m in missing
                ),
            },
            extra={"status": milestone.status, "missing": missing},
        )
    if name in ("return_for_rework", "cancel") and not comment.strip():
        raise ValidationFailed(_("Say why: a comment is required."), fields={"comment": [_("required")]})
    if milestone.project.status not in ("implementation", "acceptance_review"):
        raise TransitionRefused(
            _("Project %(code)s is %(state)s: milestones move only during implementation.")
            % {"code": milestone.project.code, "state": milestone.project.get_status_display()}
        )
    source = milestone.status
    getattr(milestone, name)()
    today = timezone.localdate()
    if name == "start" and milestone.actual_start is None:
        milestone.actual_start = today
    if name == "accept":
        milestone.actual_end = today
    milestone.save()
    ProjectEvent.objects.create(
        project=milestone.project,
        kind=EventKind.MILESTONE,
        milestone=milestone,
        transition=name,
        source=source,
        target=milestone.status,
        actor=actor,
        comment=comment,
    )
    if name == "accept":
        milestone_accepted.send(sender=Milestone, milestone=milestone, accepted_on=today)
    recipients = {
        "submit": [_pm_or_owner(milestone.project)],
        "accept": [milestone.owner],
        "return_for_rework": [milestone.owner],
    }.get(name, [])
    if recipients:
        notify(
            recipients=recipients,
            kind="milestone_transition",
            exclude=actor,
            params={
                "project": milestone.project,
                "milestone": both_languages(milestone),
                "state": MilestoneStatus(milestone.status).label,
                "actor": actor,
            },
            url=f"/projects/{milestone.project_id}/?tab=milestones",
        )
    return milestone


@transaction.atomic
def milestone_update_plan(*, actor: User, milestone: Milestone, data: dict[str, Any]) -> Milestone:
    if not can_judge(milestone, actor):
        raise PermissionDenied(_("Only the project manager may re-plan milestones."))
    if milestone.project.status == ProjectStatus.CLOSED:
        raise Conflict(
            _("Project %(project)s is closed; its milestones can no longer be changed.")
            % {"project": milestone.project.name}
        )
    moved = [f for f in ("planned_start", "planned_end") if f in data and data[f] != getattr(milestone, f)]
    if moved and milestone.status in (MilestoneStatus.ACCEPTED, MilestoneStatus.CANCELLED):
        raise Conflict(
            _("Milestone %(milestone)s is %(status)s; its dates are part of the record and can no longer be moved.")
            % {"milestone": milestone.name, "status": milestone.get_status_display()},
            extra={"fields": moved},
        )
    for field in ("name", "planned_start", "planned_end", "owner", "weight", "required_deliverables"):
        if field in data:
            setattr(milestone, field, data[field])
    if milestone.planned_end < milestone.planned_start:
        raise ValidationFailed(_("A milestone cannot end before it starts."), fields={"planned_end": ["order"]})
    unknown = [t for t in milestone.required_deliverables if t not in DeliverableType.values]
    if unknown:
        raise ValidationFailed(
            _("Unknown deliverable types: %(types)s.") % {"types": ", ".join(unknown)},
            fields={"required_deliverables": unknown},
        )
    milestone.full_clean(exclude=["status"])  # a protected FSM field refuses the re-assignment clean_fields makes
    milestone.save()
    return milestone


# --- deliverables ----------------------------------------------------------------------------------------


def _store_version(*, deliverable: Deliverable, actor: User, name: str, data: bytes) -> DeliverableVersion:
    sniffed = check_upload(name=name, data=data)
    number = (deliverable.versions.aggregate(m=Max("version"))["m"] or 0) + 1
    version = DeliverableVersion(
        deliverable=deliverable,
        version=number,
        original_name=name[:255],
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    version.file.save(name, ContentFile(data), save=False)
    version.save()
    return version


@transaction.atomic
def deliverable_upload(
    *, actor: User, milestone: Milestone, doc_type: str, title: str, name: str, data: bytes
) -> Deliverable:
    """A new deliverable with its first version (the file is checked by content and size)."""
    if not can_work_on(milestone, actor):
        raise PermissionDenied(_("You may not add deliverables to milestone '%(name)s'.") % {"name": milestone.name})
    if doc_type not in DeliverableType.values:
        raise ValidationFailed(
            _("Unknown deliverable type '%(type)s'.") % {"type": doc_type}, fields={"doc_type": [_("unknown type")]}
        )
    if not title.strip():
        raise ValidationFailed(_("A deliverable needs a title."), fields={"title": [_("required")]})
    deliverable = Deliverable.objects.create(
        milestone=milestone, doc_type=doc_type, title=title.strip(), created_by=actor
    )
    _store_version(deliverable=deliverable, actor=actor, name=name, data=data)
    return deliverable


@transaction.atomic
def deliverable_add_version(*, actor: User, deliverable: Deliverable, name: str, data: bytes) -> DeliverableVersion:
    deliverable = Deliverable.objects.select_for_update().select_related("milestone__project").get(pk=deliverable.pk)
    if not can_work_on(deliverable.milestone, actor):
        raise PermissionDenied(_("You may not change this deliverable."))
    if deliverable.status == DeliverableStatus.APPROVED:
        raise Conflict(
            _("'%(title)s' is approved; add a new deliverable instead of changing it.") % {"title": deliverable.title}
        )
    latest = deliverable.versions.order_by("-version").first()
    if latest is not None and latest.sha256 == hashlib.sha256(data).hexdigest():
        raise Conflict(
            _(
                "%(name)s is identical to version %(version)d of '%(title)s' (the same SHA-256); no new version was "
                "made."
            )
            % {"name": name, "version": latest.version, "title": deliverable.title},
            code="identical_version",
        )
    version = _store_version(deliverable=deliverable, actor=actor, name=name, data=data)
    deliverable.status = DeliverableStatus.DRAFT
    deliverable.save(update_fields=["status", "updated_at"])
    return version


@transaction.atomic
def deliverable_submit(*, actor: User, deliverable: Deliverable) -> Deliverable:
    deliverable = Deliverable.objects.select_for_update().select_related("milestone__project").get(pk=deliverable.pk)
    if not can_work_on(deliverable.milestone, actor):
        raise PermissionDenied(_("You may not submit this deliverable."))
    if deliverable.status not in (DeliverableStatus.DRAFT, DeliverableStatus.REJECTED):
        raise Conflict(
            _("'%(title)s' is %(status)s; only a draft or a rejected deliverable can be submitted.")
            % {"title": deliverable.title, "status": deliverable.get_status_display()}
        )
    deliverable.status = DeliverableStatus.SUBMITTED
    deliverable.save(update_fields=["status", "updated_at"])
    notify(
        recipients=[_pm_or_owner(deliverable.milestone.project)],
        kind="deliverable_submitted",
        exclude=actor,
        params={"project": deliverable.milestone.project, "title": deliverable.title, "actor": actor},
        url=f"/projects/{deliverable.milestone.project_id}/?tab=milestones",
    )
    return deliverable


@transaction.atomic
def deliverable_review(*, actor: User, deliverable: Deliverable, approve: bool, comment: str = "") -> Deliverable:
    deliverable = Deliverable.objects.select_for_update().select_related("milestone__project").get(pk=deliverable.pk)
    if not can_judge(deliverable.milestone, actor):
        raise PermissionDenied(_("Only the project manager may approve or reject deliverables."))
    if deliverable.status != DeliverableStatus.SUBMITTED:
        raise Conflict(
            _("'%(title)s' is %(status)s; only a submitted deliverable can be reviewed.")
            % {"title": deliverable.title, "status": deliverable.get_status_display()}
        )
    if not approve and not comment.strip():
        raise ValidationFailed(_("Say why: a comment is required to reject."), fields={"comment": [_("required")]})
    deliverable.status = DeliverableStatus.APPROVED if approve else DeliverableStatus.REJECTED
    deliverable.reviewed_by, deliverable.reviewed_at, deliverable.review_comment = actor, timezone.now(), comment
    deliverable.save()
    notify(
        recipients=[deliverable.created_by],
        kind="deliverable_reviewed",
        exclude=actor,
        params={
            "project": deliverable.milestone.project,
            "title": deliverable.title,
            "status": DeliverableStatus(deliverable.status).label,
        },
        url=f"/projects/{deliverable.milestone.project_id}/?tab=milestones",
    )
    return deliverable


# --- acceptance --------------------------------------------------------------------------------------------


@transaction.atomic
def acceptance_record(
    *,
    actor: User,
    project: Project,
    accepted_on: date,
    signatory: str,
    result: str,
    signatory_title: str = "",
    punch_list: list[str] | None = None,
    notes: str = "",
    milestone: Milestone | None = None,
    certificate: tuple[str, bytes] | None = None,
) -> Acceptance:
    """Record the customer's sign-off of the project (in acceptance review) or of one milestone."""
    project = Project.objects.get(pk=project.pk)
    if not can(actor, "record_acceptance", project):
        raise PermissionDenied(_("You may not record acceptance for project %(code)s.") % {"code": project.code})
    if milestone is None and project.status != "acceptance_review":
        raise TransitionRefused(
            _("Project %(code)s is %(state)s: the customer's project sign-off is recorded during acceptance review.")
            % {"code": project.code, "state": project.get_status_display()}
        )
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationFailed(_("That milestone belongs to another project."), fields={"milestone": ["foreign"]})
    if result not in AcceptanceResult.values:
        raise ValidationFailed(_("Result must be passed, conditional or failed."), fields={"result": [result]})
    if not signatory.strip():
        raise ValidationFailed(_("Name the customer's signatory."), fields={"signatory": [_("required")]})
    items = [str(i).strip() for i in (punch_list or []) if str(i).strip()]
    if result == AcceptanceResult.CONDITIONAL and not items:
        raise ValidationFailed(_("A conditional acceptance lists its punch items."), fields={"punch_list": ["empty"]})
    record = Acceptance(
        project=project,
        milestone=milestone,
        accepted_on=accepted_on,
        signatory=signatory.strip(),
        signatory_title=signatory_title,
        result=result,
        punch_list=items,
        notes=notes,
        recorded_by=actor,
    )
    if certificate is not None:
        name, data = certificate
        check_upload(name=name, data=data, allowed=("pdf", "png", "jpeg", "docx"), field="certificate")
        record.certificate.save(name, ContentFile(data), save=False)
    record.full_clean()
    record.save()
    return record


# --- tasks -------------------------------------------------------------------------------------------------


@transaction.atomic
def task_set_status(*, actor: User, task: Task, done: bool) -> Task:
    if not can(actor, "change", task):
        raise PermissionDenied(_("You may not change this task."))
    task.status = TaskStatus.DONE if done else TaskStatus.OPEN
    task.save(update_fields=["status", "updated_at"])
    return task


# --- alarms --------------------------------------------------------------------------------------------------


@transaction.atomic
def alarm_acknowledge(*, actor: User, alarm_id: int) -> Alarm:
    """``actor`` takes the alarm in hand: who and when are recorded once. Refused for someone the alarm was not
    sent to (and who does not head the department of someone it was sent to), and when already acknowledged."""
    # the alarm row alone is locked: PostgreSQL refuses FOR UPDATE across the outer join to a nullable user
    alarm = Alarm.objects.select_for_update(of=("self",)).select_related("acknowledged_by").filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound(_("There is no such alarm."))
    if not can(actor, "acknowledge", alarm):
        raise PermissionDenied(
            _("You may not acknowledge this alarm: it was not sent to you nor to anyone in a department you head.")
        )
    if alarm.acknowledged_at is not None:
        raise Conflict(
            _("This alarm was already acknowledged by %(who)s on %(when)s.")
            % {
                "who": alarm.acknowledged_by or _("someone no longer here"),
                "when": timezone.localtime(alarm.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="already_acknowledged",
        )
    alarm.acknowledged_at = timezone.now()
    alarm.acknowledged_by = actor
    alarm.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alarm
