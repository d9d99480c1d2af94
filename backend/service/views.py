"""Service desk pages: the request list (queues, filters, export), the hotline log an agent keeps open during
a call, a request with its SLA clocks, actions, notes, files and the knowledge that may answer it, the forms
to log and edit one, and the project's 服务工单 tab. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core import lists
from backend.core.errors import ValidationFailed
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.customers.models import Customer
from backend.knowledge.models import Article
from backend.projects.models import Project
from backend.service import selectors, services
from backend.service.forms import AssignForm, AttachForm, NoteForm, RequestForm, TransitionForm
from backend.service.lists import REQUESTS, RequestFilterSet
from backend.service.models import ServiceRequest, Survey
from backend.service.sla import sla_status
from backend.service.visibility import is_agent

FORM_FIELDS = (
    "subject",
    "category",
    "priority",
    "channel",
    "contact",
    "caller_name",
    "caller_phone",
    "project",
    "product",
    "description",
)


@login_required
def request_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every request the user may see: the queues (unassigned, mine), filters, sortable columns, saved
    filters and the Excel export (``backend.core.lists``)."""
    base = selectors.request_list_visible(user=request.user)
    filterset = RequestFilterSet(request.GET or None, queryset=base, request=request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    context = {
        "search_hint": _("Code, subject, customer or caller"),
        "list_actions": [
            (reverse("service:hotline"), _("Hotline log")),
            (reverse("service:create"), _("New service request")),
        ],
    }
    counts = selectors.queue_counts(user=request.user)
    context["intro"] = _("Open: %(total)s · unassigned: %(unassigned)s · mine: %(mine)s") % counts
    return lists.render_list(request, REQUESTS, queryset, filterset=filterset, context=context)


def _request_or_404(request: AuthenticatedRequest, pk: int) -> ServiceRequest:
    return selectors.request_detail(user=request.user, pk=pk)


@login_required
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    user = request.user
    allowed = {t.name for t in item.get_available_status_transitions()} & set(services.USER_TRANSITIONS)
    may_move = can(user, "transition", item)
    actions = [
        (name, services.TRANSITION_LABELS[name])
        for name in services.USER_TRANSITIONS
        if name in allowed and may_move and (item.assignee_id or name in ("close", "reopen"))
    ]
    suggestions: list[Any] = []
    if item.status not in ("closed",):
        with refused(request, message=False):
            suggestions = selectors.knowledge_suggestions(user=user, request=item)
    survey = Survey.objects.filter(request=item).first()
    context = {
        "item": item,
        "sla": sla_status(item, timezone.now()),
        "actions": actions,
        "can_change": can(user, "change", item),
        "can_assign": can(user, "assign", item) and item.status not in ("resolved", "closed"),
        "assign_form": AssignForm(initial={"assignee": item.assignee_id}),
        "transition_form": TransitionForm(initial={"solution": item.solution}),
        "note_form": NoteForm(),
        "attach_form": AttachForm(),
        "suggestions": suggestions,
        "survey": survey,
        "survey_link": _survey_link(request, survey),
        "may_propose": item.status in ("resolved", "closed") and can(user, "change", item),
    }
    return render(request, "service/detail.html", context)


def _survey_link(request: AuthenticatedRequest, survey: Survey | None) -> str:
    if survey is None or survey.answered_at is not None or survey.expires_at < timezone.now():
        return ""
    from backend.service.survey import survey_url

    return request.build_absolute_uri(survey_url(survey))


def _form_data(form: RequestForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in FORM_FIELDS if name in form.cleaned_data}


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: AuthenticatedRequest) -> HttpResponse:
    """The full form (the hotline log has its own, with the caller's customer already found)."""
    customer = None
    raw = request.POST.get("for_customer") or request.GET.get("customer")
    if raw and raw.isdigit():
        customer = visible_to(request.user, Customer.objects.all()).filter(pk=int(raw)).first()
    initial: dict[str, Any] = {}
    for name in ("contact", "caller_phone", "caller_name", "project"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = RequestForm(request.POST or None, user=request.user, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            item = services.request_create(
                actor=request.user, customer=customer or form.cleaned_data["customer"], **_form_data(form)
            )
            messages.success(request, _("Service request %(code)s logged.") % {"code": item.code})
            return redirect("service:detail", pk=item.pk)
    context = {"form": form, "item": None, "customer": customer}
    return render(request, "service/form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    if not can(request.user, "change", item):
        raise Http404
    initial = {name: getattr(item, name) for name in FORM_FIELDS}
    form = RequestForm(request.POST or None, user=request.user, customer=item.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.request_update(actor=request.user, request=item, **_form_data(form))
            messages.success(request, _("Service request saved."))
            return redirect("service:detail", pk=item.pk)
    context = {"form": form, "item": item, "customer": item.customer}
    return render(request, "service/form.html", context, status=400 if form.errors else 200)


def _back(item: ServiceRequest) -> str:
    return reverse("service:detail", args=[item.pk])


@login_required
@require_POST
def request_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the engineer to assign."))
        return redirect(_back(item))
    with refused(request):
        services.request_assign(
            actor=request.user,
            request=item,
            assignee=form.cleaned_data["assignee"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Assigned to %(user)s.") % {"user": form.cleaned_data["assignee"]})
    return redirect(_back(item))


@login_required
@require_POST
def request_transition(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    item = _request_or_404(request, pk)
    form = TransitionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"comment": "", "solution": ""}
    with refused(request):
        moved = services.request_transition(
            actor=request.user, request_id=item.pk, name=name, comment=data["comment"], solution=data["solution"]
        )
        messages.success(
            request,
            _("Service request %(code)s is now %(state)s.")
            % {
                "code": moved.code,
                "state": moved.get_status_display(),
            },
        )
    return redirect(_back(item))


@login_required
@require_POST
def request_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note was not added: it needs some text."))
        return redirect(_back(item))
    with refused(request):
        services.request_note_add(
            actor=request.user, request=item, body=form.cleaned_data["body"], public=form.cleaned_data["public"]
        )
        messages.success(request, _("Note added."))
    return redirect(_back(item) + "#notes")


@login_required
@require_POST
def request_attach(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    upload = request.FILES.get("file")
    with refused(request):
        if upload is None:
            raise ValidationFailed(_("Choose a file to attach."), code="file_required")
        services.request_attach(actor=request.user, request=item, name=upload.name or "file", data=upload.read())
        messages.success(request, _("File attached."))
    return redirect(_back(item))


@login_required
def request_attachment(request: AuthenticatedRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """Download a file of a request the user sees."""
    from django.http import FileResponse

    item = _request_or_404(request, pk)
    attachment = get_object_or_404(item.attachments.all(), pk=attachment_id)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


@login_required
@require_POST
def request_link_article(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _request_or_404(request, pk)
    raw = request.POST.get("article", "")
    with refused(request):
        article = None
        if raw:
            article = (
                visible_to(request.user, Article.objects.all()).filter(pk=int(raw) if raw.isdigit() else 0).first()
            )
            if article is None:
                raise ValidationFailed(_("No such article."), code="article_not_found")
        services.request_link_article(actor=request.user, request=item, article=article)
        messages.success(request, _("Article linked as the solution.") if article else _("Article unlinked."))
    return redirect(_back(item))


# --- the hotline log ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request: AuthenticatedRequest) -> HttpResponse:
    """What an agent keeps open during a call: find the caller by phone or name; see the customer's contacts,
    projects with their warranty, and open requests; log the request for the customer in a few keys."""
    if not is_agent(request.user):
        raise Http404
    query = (request.GET.get("q") or "").strip()[:100]
    matches = selectors.hotline_lookup(user=request.user, query=query)
    customer = None
    raw = request.POST.get("for_customer") or request.GET.get("customer")
    if raw and raw.isdigit():
        customer = visible_to(request.user, Customer.objects.all()).filter(pk=int(raw)).first()
    elif len(matches) == 1:
        customer = matches[0].customer
    form = None
    if customer is not None:
        match = next((m for m in matches if m.customer.pk == customer.pk), None)
        initial: dict[str, Any] = {"channel": "hotline"}
        if match and match.matched_contact:
            initial["contact"] = match.matched_contact.pk
        elif any(ch.isdigit() for ch in query):
            initial["caller_phone"] = query
        covered = [p for p in (match.projects if match else []) if getattr(p, "covered", False)]
        if len(covered) == 1:
            initial["project"] = covered[0].pk
        form = RequestForm(request.POST or None, user=request.user, customer=customer, initial=initial, prefix="call")
        if request.method == "POST" and form.is_valid():
            with refused(request, form=form):
                item = services.request_create(actor=request.user, customer=customer, **_form_data(form))
                messages.success(request, _("Service request %(code)s logged.") % {"code": item.code})
                return redirect("service:detail", pk=item.pk)
    context = {"query": query, "matches": matches, "customer": customer, "form": form}
    return render(request, "service/hotline.html", context, status=400 if form is not None and form.errors else 200)


# --- the project tab ----------------------------------------------------------------------------------------


def project_service_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """What ``service/_project_service_tab.html`` needs: ``project``, its requests (newest first) and
    whether the user may log one."""
    return {
        "project": project,
        "service_requests": list(selectors.project_requests(user=request.user, project=project)[:100]),
        "may_log": is_agent(request.user),
    }
