"""Delivery pages: the project page's "Milestones" tab (its context and the POST actions posted from it), file
downloads and the dashboard's "my alarms" box.

``project_milestones_context(request, project)`` builds what ``milestones/_project_milestones_tab.html`` needs
in a fixed number of queries (prefetches and SQL annotations; nothing grows with deliverables or versions). Each POST
view loads its objects through ``visible_to`` (404 when invisible), lets a service decide, turns a refusal into a
message and redirects back to the tab. No business rule lives here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.accounts.models import User
from backend.core.notifications import render as render_notification
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.milestones import charts, selectors, services
from backend.milestones.choices import (
    OPEN_MILESTONE,
    TRANSITION_LABELS,
    DeliverableStatus,
    DeliverableType,
    MilestoneStatus,
)
from backend.milestones.forms import (
    AcceptanceForm,
    DeliverableReviewForm,
    DeliverableUploadForm,
    DeliverableVersionForm,
    MilestonePlanForm,
    MilestoneTransitionForm,
    TaskStatusForm,
)
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Task,
)
from backend.milestones.selectors import (
    milestone_progress,
    milestones_for_project,
)
from backend.projects.models import Project
from backend.projects.pages import project_or_404

MOVING_PROJECT = ("implementation", "acceptance_review")

TRANSITION_BUTTONS = {
    "start": "btn-primary",
    "submit": "btn-primary",
    "accept": "btn-success",
    "return_for_rework": "btn-warning",
    "resume_work": "btn-primary",
    "cancel": "btn-outline-danger",
}
COMMENT_REQUIRED = frozenset({"return_for_rework", "cancel"})
BUTTON_ORDER = ("start", "resume_work", "submit", "accept", "return_for_rework", "cancel")
MILESTONE_BADGES = {
    MilestoneStatus.PLANNED: "text-bg-secondary",
    MilestoneStatus.IN_PROGRESS: "text-bg-primary",
    MilestoneStatus.SUBMITTED: "text-bg-info",
    MilestoneStatus.RETURNED: "text-bg-warning",
    MilestoneStatus.ACCEPTED: "text-bg-success",
    MilestoneStatus.CANCELLED: "text-bg-light border",
}
DELIVERABLE_BADGES: dict[str, str] = {
    DeliverableStatus.DRAFT: "text-bg-secondary",
    DeliverableStatus.SUBMITTED: "text-bg-info",
    DeliverableStatus.APPROVED: "text-bg-success",
    DeliverableStatus.REJECTED: "text-bg-danger",
}


# --- reads for the milestones tab --------------------------------------------------------------------------


def _user_choices(users: list[User]) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in users]


def _type_label(doc_type: str) -> str:
    return str(DeliverableType(doc_type).label) if doc_type in DeliverableType.values else doc_type


def _transitions(milestone: Milestone, *, user: User) -> list[dict[str, Any]]:
    """The transitions this user may call from the milestone's state (the permission layer answers from the
    row's annotations; conditions are left to the service, which names what is missing)."""
    available = []
    for transition in milestone.get_all_status_transitions():
        if transition.source == milestone.status and transition.has_perm(milestone, user):
            name = transition.name
            available.append(
                {
                    "name": name,
                    "label": TRANSITION_LABELS.get(name, name),
                    "button": TRANSITION_BUTTONS.get(name, "btn-outline-secondary"),
                    "comment_required": name in COMMENT_REQUIRED,
                }
            )
    return sorted(available, key=lambda t: BUTTON_ORDER.index(t["name"]) if t["name"] in BUTTON_ORDER else 99)


def project_milestones_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """Everything ``milestones/_project_milestones_tab.html`` needs; ``project`` must be visible to the user.

    Keys: ``project``, ``today``, ``can_edit``, ``can_judge``, ``milestone_rows`` (dicts: ``milestone``,
    ``badge``, ``overdue``, ``days_overdue``, ``required`` (type, label, ok), ``transitions``, ``deliverables``
    (dicts with the deliverable, its ``versions`` and the forms the user may use), ``tasks``, ``terms``,
    ``last_comment``, ``upload_form``, ``plan_form``, ``may_work``), ``project_tasks`` (tasks of no milestone),
    ``progress``, ``overdue_count``, ``gantt`` (HTML or None), ``acceptances``, ``acceptance_form``.
    """
    user = request.user
    today = timezone.localdate()
    editable = can(user, "record_acceptance", project)
    judge = can(user, "judge_milestones", project)
    moving = project.status in MOVING_PROJECT
    milestones = milestones_for_project(project=project, user=user)
    tasks = selectors.project_tasks(project=project)
    by_milestone: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_milestone.setdefault(task.milestone_id, []).append(task)
    last_comment = selectors.last_milestone_comments(project=project)
    owners = []
    if judge:
        owners = _user_choices(selectors.milestone_owner_candidates(project=project, milestones=milestones))

    rows = []
    for milestone in milestones:
        deliverables = list(milestone.deliverables.all())
        approved = {d.doc_type for d in deliverables if d.status == DeliverableStatus.APPROVED}
        may_work = can(user, "work", milestone)
        may_judge = can(user, "judge", milestone)
        is_open = milestone.status in OPEN_MILESTONE
        overdue = is_open and milestone.planned_end < today
        open_for_files = milestone.status not in (MilestoneStatus.ACCEPTED, MilestoneStatus.CANCELLED)
        missing = [t for t in milestone.required_deliverables if t not in approved]
        row: dict[str, Any] = {
            "milestone": milestone,
            "badge": MILESTONE_BADGES.get(milestone.status, "text-bg-secondary"),
            "overdue": overdue,
            "days_overdue": (today - milestone.planned_end).days if overdue else 0,
            "required": [
                {"type": t, "label": _type_label(t), "ok": t in approved} for t in milestone.required_deliverables
            ],
            "transitions": _transitions(milestone, user=user) if moving else [],
            "tasks": by_milestone.get(milestone.pk, []),
            "terms": list(milestone.payment_terms.all()),
            "last_comment": last_comment.get(milestone.pk),
            "may_work": may_work,
            "deliverables": [],
            "upload_form": None,
            "plan_form": None,
        }
        for deliverable in deliverables:
            status = deliverable.status
            entry: dict[str, Any] = {
                "deliverable": deliverable,
                "type_label": _type_label(deliverable.doc_type),
                "badge": DELIVERABLE_BADGES.get(status, "text-bg-secondary"),
                "versions": list(deliverable.versions.all()),
                "can_submit": may_work and status in (DeliverableStatus.DRAFT, DeliverableStatus.REJECTED),
                "version_form": None,
                "review_form": None,
            }
            if may_work and status != DeliverableStatus.APPROVED:
                entry["version_form"] = DeliverableVersionForm(auto_id=f"id_version{deliverable.pk}_%s")
            if may_judge and status == DeliverableStatus.SUBMITTED:
                entry["review_form"] = DeliverableReviewForm(auto_id=f"id_review{deliverable.pk}_%s")
            row["deliverables"].append(entry)
        if may_work and open_for_files:
            row["upload_form"] = DeliverableUploadForm(
                auto_id=f"id_upload{milestone.pk}_%s", initial={"doc_type": missing[0] if missing else None}
            )
        if may_judge and open_for_files:
            row["plan_form"] = MilestonePlanForm(
                auto_id=f"id_plan{milestone.pk}_%s",
                owners=owners,
                initial={
                    "name": milestone.name,
                    "planned_start": milestone.planned_start,
                    "planned_end": milestone.planned_end,
                    "owner": milestone.owner_id or "",
                    "weight": milestone.weight,
                    "required_deliverables": milestone.required_deliverables,
                },
            )
        rows.append(row)

    acceptances = list(project.acceptances.select_related("milestone", "recorded_by"))
    return {
        "project": project,
        "today": today,
        "can_edit": editable,
        "can_judge": judge,
        "milestones_moving": moving,
        "milestone_rows": rows,
        "project_tasks": by_milestone.get(None, []),
        "progress": milestone_progress(project=project),
        "overdue_count": sum(1 for r in rows if r["overdue"]),
        "gantt": charts.figure_html(charts.milestone_gantt(milestones, today=today), div_id="milestone-gantt")
        if milestones
        else None,
        "acceptances": acceptances,
        "acceptance_form": AcceptanceForm(
            auto_id="id_acceptance_%s",
            milestones=[(str(m.pk), m.name) for m in milestones],
            initial={"accepted_on": today},
        )
        if editable
        else None,
        "project_signoff_open": project.status == "acceptance_review",
    }


# --- pages -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def project_milestones(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The milestones tab on a page of its own; its forms come back here."""
    project = project_or_404(request, pk)
    context = {**project_milestones_context(request, project), "delivery_next": request.path}
    return render(request, "milestones/project_milestones.html", context)


def alarm_url(alarm: Alarm) -> str:
    from backend.milestones.alarms import alarm_source_link

    registered = alarm_source_link(alarm)
    if registered:
        return registered
    if alarm.object_type == "milestone" and alarm.project_id:
        return reverse("projects:detail", args=[alarm.project_id]) + "?tab=milestones"
    if alarm.object_type == "tender":
        return reverse("tenders:detail", args=[alarm.object_id])
    if alarm.object_type == "review_step":
        return reverse("reviews:inbox")
    if alarm.project_id:
        return reverse("projects:detail", args=[alarm.project_id])
    return ""


def my_alarms(user: User, limit: int = 10) -> dict[str, Any]:
    """Context of ``milestones/_my_alarms.html``: the newest alarms sent to ``user`` (one query).

    Key ``my_alarms``: dicts of ``alarm``, ``text`` (in the reader's language), ``url`` and ``level``."""
    alarms = selectors.alarms_of(user=user, limit=limit)
    return {
        "my_alarms": [
            {
                "alarm": a,
                "text": render_notification(f"alarm_{a.kind}", a.params),
                "url": alarm_url(a),
                "level": a.level,
            }
            for a in alarms
        ]
    }


# --- downloads ---------------------------------------------------------------------------------------------


def _serve(field_file: Any, filename: str, content_type: str | None = None) -> FileResponse:
    if not field_file:
        raise Http404(_("There is no file."))
    try:
        handle = field_file.open("rb")
    except (OSError, ValueError):  # the file is gone from storage
        raise Http404(_("The file is missing.")) from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_GET
def version_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    version = get_object_or_404(visible_to(request.user, DeliverableVersion.objects.all()), pk=pk)
    return _serve(version.file, version.original_name, version.content_type)


@login_required
@require_GET
def certificate_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    acceptance = get_object_or_404(visible_to(request.user, Acceptance.objects.all()), pk=pk)
    name = (acceptance.certificate.name or "").rsplit("/", 1)[-1] if acceptance.certificate else ""
    return _serve(acceptance.certificate, name)


# --- reporting ---------------------------------------------------------------------------------------------


def _back(request: AuthenticatedRequest, project: Project, tab: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("projects:detail", args=[project.pk]) + f"?tab={tab}")


def _form_messages(form: forms.Form) -> list[str]:
    texts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and field != NON_FIELD_ERRORS else ""
        texts += [f"{label}: {error}" if label else str(error) for error in errors]
    return texts


def _refused(request: AuthenticatedRequest, heading: str, texts: list[str]) -> None:
    messages.error(request, f"{heading} {' '.join(texts)}".strip())


def _in_project(request: AuthenticatedRequest, queryset: QuerySet, pk: int, **lookup: Any) -> Any:
    """An object of the project, loaded through ``visible_to`` (404 when invisible or of another project)."""
    return get_object_or_404(visible_to(request.user, queryset), pk=pk, **lookup)


# --- milestones --------------------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_transition(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.all(), milestone_pk, project=project)
    form = MilestoneTransitionForm(request.POST)
    heading = _("Milestone '%(name)s' was not changed.") % {"name": milestone.name}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    name = form.cleaned_data["transition"]
    with refused(request, heading=heading):
        milestone = services.milestone_transition(
            milestone_id=milestone.pk, name=name, actor=request.user, comment=form.cleaned_data["comment"]
        )
        messages.success(
            request,
            _("Milestone '%(name)s': %(action)s — now %(state)s.")
            % {
                "name": milestone.name,
                "action": TRANSITION_LABELS.get(name, name),
                "state": milestone.get_status_display(),
            },
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def milestone_plan(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.all(), milestone_pk, project=project)
    users = {str(u.pk): u for u in selectors.milestone_owner_candidates(project=project, milestones=[milestone])}
    form = MilestonePlanForm(request.POST, owners=_user_choices(list(users.values())))
    heading = _("Milestone '%(name)s' was not re-planned.") % {"name": milestone.name}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    data = {**form.cleaned_data, "owner": users.get(form.cleaned_data["owner"])}
    with refused(request, heading=heading):
        milestone = services.milestone_update_plan(actor=request.user, milestone=milestone, data=data)
        messages.success(
            request,
            _("Milestone '%(name)s' re-planned: %(start)s → %(end)s.")
            % {"name": milestone.name, "start": milestone.planned_start, "end": milestone.planned_end},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_upload(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.select_related("project"), milestone_pk, project=project)
    form = DeliverableUploadForm(request.POST, request.FILES)
    heading = _("The deliverable was not uploaded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    upload = form.cleaned_data["file"]
    with refused(request, heading=heading):
        deliverable = services.deliverable_upload(
            actor=request.user,
            milestone=milestone,
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
            name=upload.name,
            data=upload.read(),
        )
        messages.success(request, _("Deliverable '%(title)s' uploaded as version 1.") % {"title": deliverable.title})
    return _back(request, project, "milestones")


def _deliverable(request: AuthenticatedRequest, project: Project, deliverable_pk: int) -> Deliverable:
    return _in_project(
        request, Deliverable.objects.select_related("milestone__project"), deliverable_pk, milestone__project=project
    )


@login_required
@require_POST
def deliverable_version_add(request: AuthenticatedRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    form = DeliverableVersionForm(request.POST, request.FILES)
    heading = _("No new version of '%(title)s' was added.") % {"title": deliverable.title}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    upload = form.cleaned_data["file"]
    with refused(request, heading=heading):
        version = services.deliverable_add_version(
            actor=request.user, deliverable=deliverable, name=upload.name, data=upload.read()
        )
        messages.success(
            request, _("Version %(v)d of '%(title)s' added.") % {"v": version.version, "title": deliverable.title}
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_submit(request: AuthenticatedRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    with refused(request, heading=_("'%(title)s' was not submitted.") % {"title": deliverable.title}):
        services.deliverable_submit(actor=request.user, deliverable=deliverable)
        messages.success(request, _("'%(title)s' submitted for review.") % {"title": deliverable.title})
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_review(request: AuthenticatedRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    form = DeliverableReviewForm(request.POST)
    heading = _("'%(title)s' was not reviewed.") % {"title": deliverable.title}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    approve = form.cleaned_data["decision"] == "approve"
    with refused(request, heading=heading):
        deliverable = services.deliverable_review(
            actor=request.user, deliverable=deliverable, approve=approve, comment=form.cleaned_data["comment"]
        )
        messages.success(
            request,
            _("'%(title)s' is now %(status)s.")
            % {"title": deliverable.title, "status": deliverable.get_status_display()},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def acceptance_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    milestones = {str(m.pk): m for m in visible_to(request.user, Milestone.objects.filter(project=project))}
    form = AcceptanceForm(request.POST, request.FILES, milestones=[(k, m.name) for k, m in milestones.items()])
    heading = _("The acceptance was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    data = form.cleaned_data
    upload = data["certificate"]
    with refused(request, heading=heading):
        record = services.acceptance_record(
            actor=request.user,
            project=project,
            accepted_on=data["accepted_on"],
            signatory=data["signatory"],
            result=data["result"],
            signatory_title=data["signatory_title"],
            punch_list=form.punch_items(),
            notes=data["notes"],
            milestone=milestones.get(data["milestone"]),
            certificate=(upload.name, upload.read()) if upload else None,
        )
        messages.success(
            request,
            _("Acceptance recorded: %(result)s, signed by %(signatory)s.")
            % {"result": record.get_result_display(), "signatory": record.signatory},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def task_status(request: AuthenticatedRequest, pk: int, task_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    task = _in_project(request, Task.objects.select_related("project"), task_pk, project=project)
    form = TaskStatusForm(request.POST)
    form.is_valid()  # a missing box is "not done"
    done = bool(form.cleaned_data.get("done"))
    with refused(request, heading=_("Task '%(name)s' was not changed.") % {"name": task.name}):
        task = services.task_set_status(actor=request.user, task=task, done=done)
        messages.success(
            request, _("Task '%(name)s' is now %(status)s.") % {"name": task.name, "status": task.get_status_display()}
        )
    return _back(request, project, "milestones")
