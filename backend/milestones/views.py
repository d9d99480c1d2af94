"""Delivery pages: the project page's "Milestones" and "Payments" tabs (their context and the POST actions posted
from them), file downloads, the receivables page and the dashboard's "my alarms" box.

``project_milestones_context(request, project)`` and ``project_payments_context(request, project)`` build what
``milestones/_project_milestones_tab.html`` and ``milestones/_project_payments_tab.html`` need in a fixed number
of queries (prefetches and SQL annotations; nothing grows with deliverables, versions or receipts). Each POST
view loads its objects through ``visible_to`` (404 when invisible), lets a service decide, turns a refusal into a
message and redirects back to the tab. No business rule lives here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from backend.accounts.models import User
from backend.core.errors import ApplicationError
from backend.core.notifications import render as render_notification
from backend.core.permissions import visible_to
from backend.milestones import charts, services
from backend.milestones.choices import OPEN_MILESTONE, DeliverableStatus, DeliverableType, MilestoneStatus
from backend.milestones.forms import (
    AcceptanceForm,
    DeliverableReviewForm,
    DeliverableUploadForm,
    DeliverableVersionForm,
    InvoiceForm,
    MilestonePlanForm,
    MilestoneTransitionForm,
    PaymentTermForm,
    ReceiptForm,
    TaskStatusForm,
    WriteOffForm,
)
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Invoice,
    Milestone,
    PaymentTerm,
    Receipt,
    Task,
    can_judge,
    can_work_on,
)
from backend.milestones.selectors import (
    MONEY,
    ZERO,
    milestone_progress,
    milestones_for_project,
    payment_terms_with_amounts,
    project_financials,
    receivables_aging,
)
from backend.projects.choices import CostCategory, EventKind, MemberRole
from backend.projects.models import Project, ProjectEvent, can_edit

SERVICE_ERRORS = (ApplicationError, ValidationError, ConcurrentTransition, TransitionNotAllowed)
MOVING_PROJECT = ("implementation", "acceptance_review")
DUE_WINDOW_DAYS = 30  # a payment term is "due" from this many days before its due date
RECEIVABLE_ROWS = 200

TRANSITION_LABELS = {
    "start": gettext_lazy("Start"),
    "submit": gettext_lazy("Submit for acceptance"),
    "accept": gettext_lazy("Accept"),
    "return_for_rework": gettext_lazy("Return for rework"),
    "resume_work": gettext_lazy("Resume work"),
    "cancel": gettext_lazy("Cancel milestone"),
}
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
DELIVERABLE_BADGES = {
    DeliverableStatus.DRAFT: "text-bg-secondary",
    DeliverableStatus.SUBMITTED: "text-bg-info",
    DeliverableStatus.APPROVED: "text-bg-success",
    DeliverableStatus.REJECTED: "text-bg-danger",
}
TERM_STATES = {
    "paid": (gettext_lazy("Paid"), "text-bg-success"),
    "overdue": (gettext_lazy("Overdue"), "text-bg-danger"),
    "due": (gettext_lazy("Due"), "text-bg-warning"),
    "not_due": (gettext_lazy("Not due"), "text-bg-secondary"),
}


# --- reads for the milestones tab --------------------------------------------------------------------------


def _owner_users(project: Project, milestones: list[Milestone]) -> list[User]:
    """People a milestone can be given to: the owner, the team, and whoever owns a milestone now (one query)."""
    team = project.members.values("user_id")
    current = [m.owner_id for m in milestones if m.owner_id]
    return list(
        User.objects.filter(Q(pk=project.owner_id) | Q(pk__in=team) | Q(pk__in=current))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _user_choices(users: list[User]) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in users]


def _type_label(doc_type: str) -> str:
    return str(DeliverableType(doc_type).label) if doc_type in DeliverableType.values else doc_type


def _transitions(milestone: Milestone, *, may_work: bool, may_judge: bool, user: User) -> list[dict[str, Any]]:
    """The transitions this user may call from the milestone's state (conditions are left to the service, which
    names what is missing)."""
    available = []
    for transition in milestone.get_all_status_transitions():
        if transition.source != milestone.status:
            continue
        if transition.permission is can_work_on:
            allowed = may_work
        elif transition.permission is can_judge:
            allowed = may_judge
        else:
            allowed = transition.has_perm(milestone, user)
        if allowed:
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


def project_milestones_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """Everything ``milestones/_project_milestones_tab.html`` needs; ``project`` must be visible to the user.

    Keys: ``project``, ``today``, ``can_edit``, ``can_judge``, ``milestone_rows`` (dicts: ``milestone``,
    ``badge``, ``overdue``, ``days_overdue``, ``required`` (type, label, ok), ``transitions``, ``deliverables``
    (dicts with the deliverable, its ``versions`` and the forms the user may use), ``tasks``, ``terms``,
    ``last_comment``, ``upload_form``, ``plan_form``, ``may_work``), ``project_tasks`` (tasks of no milestone),
    ``progress``, ``overdue_count``, ``gantt`` (HTML or None), ``acceptances``, ``acceptance_form``.
    """
    user = request.user
    today = timezone.localdate()
    editable = can_edit(project, user)
    roles = set(project.members.filter(user=user).values_list("role", flat=True))
    judge = (
        user.is_superuser
        or user.has_role("director", "admin")
        or project.owner_id == user.pk
        or (MemberRole.PM in roles)
    )
    engineer = MemberRole.ENGINEER in roles
    moving = project.status in MOVING_PROJECT
    milestones = milestones_for_project(project=project)
    tasks = list(project.tasks.select_related("assignee").order_by(F("due_date").asc(nulls_last=True), "pk"))
    by_milestone: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_milestone.setdefault(task.milestone_id, []).append(task)
    last_comment: dict[int, ProjectEvent] = {}
    events = (
        ProjectEvent.objects.filter(project=project, kind=EventKind.MILESTONE, milestone__isnull=False)
        .exclude(comment="")
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    for event in events:
        last_comment.setdefault(event.milestone_id, event)
    owners = _user_choices(_owner_users(project, milestones)) if judge else []

    rows = []
    for milestone in milestones:
        deliverables = list(milestone.deliverables.all())
        approved = {d.doc_type for d in deliverables if d.status == DeliverableStatus.APPROVED}
        may_work = milestone.owner_id == user.pk or editable or engineer
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
            "transitions": _transitions(milestone, may_work=may_work, may_judge=judge, user=user) if moving else [],
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
            if judge and status == DeliverableStatus.SUBMITTED:
                entry["review_form"] = DeliverableReviewForm(auto_id=f"id_review{deliverable.pk}_%s")
            row["deliverables"].append(entry)
        if may_work and open_for_files:
            row["upload_form"] = DeliverableUploadForm(
                auto_id=f"id_upload{milestone.pk}_%s", initial={"doc_type": missing[0] if missing else None}
            )
        if judge and open_for_files:
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


# --- reads for the payments tab ----------------------------------------------------------------------------


def _terms(project: Project, today) -> QuerySet[PaymentTerm]:
    """Terms with ``received``, ``outstanding`` and ``state`` (paid / overdue / due / not_due), from SQL."""
    return payment_terms_with_amounts(project.payment_terms.select_related("milestone")).annotate(
        state=Case(
            When(outstanding__lte=0, then=Value("paid")),
            When(due_date__lt=today, then=Value("overdue")),
            When(due_date__lte=today + timedelta(days=DUE_WINDOW_DAYS), then=Value("due")),
            default=Value("not_due"),
            output_field=CharField(),
        )
    )


def _term_choices(terms: list[PaymentTerm]) -> list[tuple[str, str]]:
    return [(str(t.pk), f"{t.name} ({t.outstanding:,.2f})") for t in terms]


def project_payments_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """Everything ``milestones/_project_payments_tab.html`` needs; ``project`` must be visible to the user.

    Keys: ``project``, ``today``, ``terms`` (annotated with received, outstanding, state, ``state_label`` and
    ``state_badge``), ``totals``, ``invoices`` (with ``received``), ``receipts``, ``financials`` (from
    ``project_financials``), ``budget_rows``, ``collections_chart`` and ``budget_chart`` (HTML or None),
    ``can_record``, ``can_write_off`` and the forms ``term_form``, ``invoice_form``, ``receipt_form``,
    ``write_off_form`` (None when the user may not use them).
    """
    user = request.user
    today = timezone.localdate()
    terms = list(_terms(project, today))
    for term in terms:
        term.state_label, term.state_badge = TERM_STATES[term.state]
    # aliases differ from the annotations they sum: an aggregate named like an annotation would replace it
    sums = payment_terms_with_amounts(project.payment_terms.all()).aggregate(
        total_amount=Coalesce(Sum("amount"), ZERO),
        total_received=Coalesce(Sum("received"), ZERO),
        total_written_off=Coalesce(Sum("written_off"), ZERO),
        total_outstanding=Coalesce(Sum("outstanding"), ZERO),
        total_percent=Coalesce(Sum("percent"), ZERO),
    )
    totals = {key.removeprefix("total_"): value for key, value in sums.items()}
    invoice_received = (
        Receipt.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    invoices = list(
        project.invoices.select_related("payment_term").annotate(
            received=Coalesce(Subquery(invoice_received, output_field=MONEY), ZERO)
        )
    )
    receipts = list(
        project.receipts.select_related("payment_term", "invoice", "recorded_by").order_by("-received_on", "-pk")
    )
    financials = project_financials(project=project)
    budget_rows = [
        {
            "category": value,
            "label": label,
            "planned": financials["planned"].get(value, 0),
            "actual": financials["actual"].get(value, 0),
            "variance": financials["planned"].get(value, 0) - financials["actual"].get(value, 0),
        }
        for value, label in CostCategory.choices
    ]
    editable = can_edit(project, user)
    can_record = editable or user.has_role("finance")
    can_write_off = user.has_role("finance", "director", "admin")
    context: dict[str, Any] = {
        "project": project,
        "today": today,
        "terms": terms,
        "totals": totals,
        "invoices": invoices,
        "receipts": receipts,
        "financials": financials,
        "budget_rows": budget_rows,
        "budget_remaining": financials["planned_total"] - financials["actual_total"],
        "due_window_days": DUE_WINDOW_DAYS,
        "collections_chart": charts.figure_html(charts.collections_figure(terms), div_id="payments-collections")
        if terms
        else None,
        "budget_chart": charts.figure_html(charts.budget_figure(budget_rows), div_id="payments-budget")
        if financials["planned_total"] or financials["actual_total"]
        else None,
        "can_record": can_record,
        "can_write_off": can_write_off,
        "term_form": None,
        "invoice_form": None,
        "receipt_form": None,
        "write_off_form": None,
    }
    term_choices = _term_choices(terms)
    if can_record:
        milestones = [(str(pk), name) for pk, name in project.milestones.values_list("pk", "name")]
        context["term_form"] = PaymentTermForm(auto_id="id_term_%s", milestones=milestones)
        context["invoice_form"] = InvoiceForm(auto_id="id_invoice_%s", terms=term_choices, initial={"issued_on": today})
        context["receipt_form"] = ReceiptForm(
            auto_id="id_receipt_%s",
            terms=term_choices,
            invoices=[(str(i.pk), i.number) for i in invoices],
            initial={"received_on": today},
        )
    if can_write_off:
        context["write_off_form"] = WriteOffForm(auto_id="id_writeoff_%s", terms=term_choices)
    return context


# --- pages -------------------------------------------------------------------------------------------------


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(visible_to(request.user, Project.objects.select_related("customer", "owner")), pk=pk)


@login_required
@require_GET
def project_milestones(request: HttpRequest, pk: int) -> HttpResponse:
    """The milestones tab on a page of its own; its forms come back here."""
    project = _project_or_404(request, pk)
    context = {**project_milestones_context(request, project), "delivery_next": request.path}
    return render(request, "milestones/project_milestones.html", context)


@login_required
@require_GET
def project_payments(request: HttpRequest, pk: int) -> HttpResponse:
    """The payments tab on a page of its own; its forms come back here."""
    project = _project_or_404(request, pk)
    context = {**project_payments_context(request, project), "delivery_next": request.path}
    return render(request, "milestones/project_payments.html", context)


@login_required
@require_GET
def receivables(request: HttpRequest) -> HttpResponse:
    """Receivables aging over the projects the user sees, and the terms past due."""
    today = timezone.localdate()
    aging = receivables_aging(user=request.user, today=today)
    late = (
        payment_terms_with_amounts(
            visible_to(request.user, PaymentTerm.objects.filter(due_date__isnull=False, due_date__lte=today))
        )
        .filter(outstanding__gt=0)
        .select_related("project__customer", "milestone")
        .order_by("due_date", "pk")
    )
    rows = list(late[: RECEIVABLE_ROWS + 1])
    for term in rows:
        term.days_late = (today - term.due_date).days
    context = {
        "aging": aging,
        "today": today,
        "late_terms": rows[:RECEIVABLE_ROWS],
        "more_rows": len(rows) > RECEIVABLE_ROWS,
        "aging_chart": charts.figure_html(charts.aging_figure(aging["buckets"]), div_id="receivables-aging"),
    }
    return render(request, "milestones/receivables.html", context)


def _alarm_url(alarm: Alarm) -> str:
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
    alarms = Alarm.objects.filter(recipients=user).order_by("-raised_at", "-pk")[:limit]
    return {
        "my_alarms": [
            {
                "alarm": a,
                "text": render_notification(f"alarm_{a.kind}", a.params),
                "url": _alarm_url(a),
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
def version_download(request: HttpRequest, pk: int) -> FileResponse:
    version = get_object_or_404(visible_to(request.user, DeliverableVersion.objects.all()), pk=pk)
    return _serve(version.file, version.original_name, version.content_type)


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> FileResponse:
    acceptance = get_object_or_404(visible_to(request.user, Acceptance.objects.all()), pk=pk)
    name = acceptance.certificate.name.rsplit("/", 1)[-1] if acceptance.certificate else ""
    return _serve(acceptance.certificate, name)


# --- reporting ---------------------------------------------------------------------------------------------


def _back(request: HttpRequest, project: Project, tab: str) -> HttpResponse:
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


def _refused(request: HttpRequest, heading: str, texts: list[str]) -> None:
    messages.error(request, f"{heading} {' '.join(texts)}".strip())


def _service_refused(request: HttpRequest, heading: str, exc: Exception) -> None:
    if isinstance(exc, ApplicationError):
        texts = [exc.message]
    elif isinstance(exc, ValidationError):
        texts = list(exc.messages)
    elif isinstance(exc, ConcurrentTransition):
        texts = [_("Someone else changed it at the same time; reload and try again.")]
    else:
        texts = [str(exc)]
    _refused(request, heading, texts)


def _in_project(request: HttpRequest, queryset: QuerySet, pk: int, **lookup: Any) -> Any:
    """An object of the project, loaded through ``visible_to`` (404 when invisible or of another project)."""
    return get_object_or_404(visible_to(request.user, queryset), pk=pk, **lookup)


# --- milestones --------------------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_transition(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.all(), milestone_pk, project=project)
    form = MilestoneTransitionForm(request.POST)
    heading = _("Milestone '%(name)s' was not changed.") % {"name": milestone.name}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    name = form.cleaned_data["transition"]
    try:
        milestone = services.milestone_transition(
            milestone_id=milestone.pk, name=name, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
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
def milestone_plan(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.all(), milestone_pk, project=project)
    users = {str(u.pk): u for u in _owner_users(project, [milestone])}
    form = MilestonePlanForm(request.POST, owners=_user_choices(list(users.values())))
    heading = _("Milestone '%(name)s' was not re-planned.") % {"name": milestone.name}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    data = {**form.cleaned_data, "owner": users.get(form.cleaned_data["owner"])}
    try:
        milestone = services.milestone_update_plan(actor=request.user, milestone=milestone, data=data)
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request,
            _("Milestone '%(name)s' re-planned: %(start)s → %(end)s.")
            % {"name": milestone.name, "start": milestone.planned_start, "end": milestone.planned_end},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_upload(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    milestone = _in_project(request, Milestone.objects.select_related("project"), milestone_pk, project=project)
    form = DeliverableUploadForm(request.POST, request.FILES)
    heading = _("The deliverable was not uploaded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    upload = form.cleaned_data["file"]
    try:
        deliverable = services.deliverable_upload(
            actor=request.user,
            milestone=milestone,
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
            name=upload.name,
            data=upload.read(),
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(request, _("Deliverable '%(title)s' uploaded as version 1.") % {"title": deliverable.title})
    return _back(request, project, "milestones")


def _deliverable(request: HttpRequest, project: Project, deliverable_pk: int) -> Deliverable:
    return _in_project(
        request, Deliverable.objects.select_related("milestone__project"), deliverable_pk, milestone__project=project
    )


@login_required
@require_POST
def deliverable_version_add(request: HttpRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    form = DeliverableVersionForm(request.POST, request.FILES)
    heading = _("No new version of '%(title)s' was added.") % {"title": deliverable.title}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    upload = form.cleaned_data["file"]
    try:
        version = services.deliverable_add_version(
            actor=request.user, deliverable=deliverable, name=upload.name, data=upload.read()
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request, _("Version %(v)d of '%(title)s' added.") % {"v": version.version, "title": deliverable.title}
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_submit(request: HttpRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    try:
        services.deliverable_submit(actor=request.user, deliverable=deliverable)
    except SERVICE_ERRORS as exc:
        _service_refused(request, _("'%(title)s' was not submitted.") % {"title": deliverable.title}, exc)
    else:
        messages.success(request, _("'%(title)s' submitted for review.") % {"title": deliverable.title})
    return _back(request, project, "milestones")


@login_required
@require_POST
def deliverable_review(request: HttpRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    deliverable = _deliverable(request, project, deliverable_pk)
    form = DeliverableReviewForm(request.POST)
    heading = _("'%(title)s' was not reviewed.") % {"title": deliverable.title}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        deliverable = services.deliverable_review(
            actor=request.user, deliverable=deliverable, approve=approve, comment=form.cleaned_data["comment"]
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request,
            _("'%(title)s' is now %(status)s.")
            % {"title": deliverable.title, "status": deliverable.get_status_display()},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def acceptance_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    milestones = {str(m.pk): m for m in visible_to(request.user, Milestone.objects.filter(project=project))}
    form = AcceptanceForm(request.POST, request.FILES, milestones=[(k, m.name) for k, m in milestones.items()])
    heading = _("The acceptance was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "milestones")
    data = form.cleaned_data
    upload = data["certificate"]
    try:
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
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request,
            _("Acceptance recorded: %(result)s, signed by %(signatory)s.")
            % {"result": record.get_result_display(), "signatory": record.signatory},
        )
    return _back(request, project, "milestones")


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    task = _in_project(request, Task.objects.select_related("project"), task_pk, project=project)
    form = TaskStatusForm(request.POST)
    form.is_valid()  # a missing box is "not done"
    done = bool(form.cleaned_data.get("done"))
    try:
        task = services.task_set_status(actor=request.user, task=task, done=done)
    except SERVICE_ERRORS as exc:
        _service_refused(request, _("Task '%(name)s' was not changed.") % {"name": task.name}, exc)
    else:
        messages.success(
            request, _("Task '%(name)s' is now %(status)s.") % {"name": task.name, "status": task.get_status_display()}
        )
    return _back(request, project, "milestones")


# --- payments ----------------------------------------------------------------------------------------------


def _project_terms(request: HttpRequest, project: Project) -> dict[str, PaymentTerm]:
    qs = payment_terms_with_amounts(visible_to(request.user, PaymentTerm.objects.filter(project=project)))
    return {str(t.pk): t for t in qs}


@login_required
@require_POST
def payment_term_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    milestones = {str(m.pk): m for m in visible_to(request.user, Milestone.objects.filter(project=project))}
    form = PaymentTermForm(request.POST, milestones=[(k, m.name) for k, m in milestones.items()])
    heading = _("The payment term was not added.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    try:
        term = services.payment_term_add(
            actor=request.user,
            project=project,
            name=data["name"],
            percent=data["percent"],
            milestone=milestones.get(data["milestone"]),
            due_date=data["due_date"],
            days_after_acceptance=data["days_after_acceptance"],
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request,
            _("Payment term '%(name)s' added: %(amount)s.") % {"name": term.name, "amount": f"{term.amount:,.2f}"},
        )
    return _back(request, project, "payments")


@login_required
@require_POST
def invoice_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    terms = _project_terms(request, project)
    form = InvoiceForm(request.POST, terms=_term_choices(list(terms.values())))
    heading = _("The invoice was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    try:
        invoice = services.invoice_create(
            actor=request.user,
            project=project,
            number=data["number"].strip(),
            amount=data["amount"],
            issued_on=data["issued_on"],
            due_on=data["due_on"],
            payment_term=terms.get(data["payment_term"]),
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(request, _("Invoice %(number)s recorded.") % {"number": invoice.number})
    return _back(request, project, "payments")


@login_required
@require_POST
def receipt_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    terms = _project_terms(request, project)
    invoices = {str(i.pk): i for i in visible_to(request.user, Invoice.objects.filter(project=project))}
    form = ReceiptForm(
        request.POST, terms=_term_choices(list(terms.values())), invoices=[(k, i.number) for k, i in invoices.items()]
    )
    heading = _("The receipt was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    try:
        receipt = services.receipt_record(
            actor=request.user,
            payment_term=terms[data["payment_term"]],
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            invoice=invoices.get(data["invoice"]),
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request,
            _("Receipt of %(amount)s recorded against %(term)s.")
            % {"amount": f"{receipt.amount:,.2f}", "term": receipt.payment_term.name},
        )
    return _back(request, project, "payments")


@login_required
@require_POST
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    terms = _project_terms(request, project)
    form = WriteOffForm(request.POST, terms=_term_choices(list(terms.values())))
    heading = _("Nothing was written off.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    try:
        term = services.payment_write_off(
            actor=request.user, payment_term=terms[data["payment_term"]], amount=data["amount"], reason=data["reason"]
        )
    except SERVICE_ERRORS as exc:
        _service_refused(request, heading, exc)
    else:
        messages.success(
            request, _("%(amount)s written off on %(term)s.") % {"amount": f"{data['amount']:,.2f}", "term": term.name}
        )
    return _back(request, project, "payments")
