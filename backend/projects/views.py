"""Project pages: the list (filters, pagination), the kanban board (drag a card to another column to call
the transition), the project page with its tabs, and the forms posted from it. Thin: selectors read,
services write, and every refusal of a service is shown on the page — never a 500. Nothing here decides
whether a transition is allowed; ``services.project_transition`` does."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from backend.accounts.models import User
from backend.core.errors import ApplicationError, ValidationFailed
from backend.core.forms import add_service_error
from backend.core.permissions import visible_to
from backend.projects import selectors, services
from backend.projects.choices import BOARD_COLUMNS, EDITING_ROLES, EventKind, Status
from backend.projects.filtersets import ProjectFilterSet
from backend.projects.forms import (
    WIN_LOSS_TRANSITIONS,
    CompetitorAddForm,
    CompetitorEditForm,
    CompetitorNoteForm,
    MemberForm,
    PartnerAddForm,
    ProjectCreateForm,
    ProjectEditForm,
    TransitionForm,
)
from backend.projects.models import (
    Project,
    ProjectCompetitor,
    ProjectMember,
    StageChecklistItem,
    can_edit,
    fired_by_gate_only,
    required_checklist_done,
)

PAGE_SIZE = 25
BOARD_LIMIT = 50  # cards shown per board column; the column header still counts them all
# Tabs other apps contribute: name → (context function "module.function", fragment template).
PLUGIN_TABS = {
    "bids": ("backend.bids.views.project_bids_context", "bids/_project_bids_tab.html"),
    "milestones": ("backend.milestones.views.project_milestones_context", "milestones/_project_milestones_tab.html"),
    "payments": ("backend.milestones.views.project_payments_context", "milestones/_project_payments_tab.html"),
    "documents": (
        "backend.docs_templates.views.project_documents_context",
        "docs_templates/_project_documents_tab.html",
    ),
    "knowledge": ("backend.knowledge.views.project_links_context", "knowledge/_project_links.html"),
}
TABS = (
    "overview",
    "team",
    "competitors",
    "bids",
    "milestones",
    "payments",
    "documents",
    "knowledge",
    "checklist",
    "history",
)
SERVICE_ERRORS = (ApplicationError, ValidationError, ConcurrentTransition, TransitionNotAllowed)

# Button labels of the transitions users call, and history labels of the ones the gates fire.
TRANSITION_LABELS = {
    "submit_initiation": gettext_lazy("Submit for initiation"),
    "start_bidding": gettext_lazy("Start bidding"),
    "award": gettext_lazy("Mark as awarded"),
    "lose": gettext_lazy("Mark as lost"),
    "submit_contract_review": gettext_lazy("Submit contract review"),
    "abandon": gettext_lazy("Abandon"),
    "approve_initiation": gettext_lazy("Initiation approved"),
    "reject_initiation": gettext_lazy("Initiation rejected"),
    "return_initiation": gettext_lazy("Initiation returned for rework"),
    "approve_contract": gettext_lazy("Contract approved"),
    "reject_contract": gettext_lazy("Contract rejected"),
    "return_contract": gettext_lazy("Contract returned for rework"),
}
# Shown after the forward moves, in red: they end the deal.
ENDING_TRANSITIONS = frozenset({"lose", "abandon"})
DECISION_LABELS = {
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "return": gettext_lazy("returned"),
}


def transition_label(name: str) -> str:
    if name in TRANSITION_LABELS:
        return str(TRANSITION_LABELS[name])
    if ":" in name:  # a decision on a step that did not end the review, e.g. "contract:approve"
        decision = name.split(":", 1)[1]
        return _("Step %(decision)s") % {"decision": DECISION_LABELS.get(decision, decision)}
    return name.replace("_", " ").capitalize()


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _graph() -> list[Any]:
    """Every transition of the status field (one per source state)."""
    return list(Project._meta.get_field("status").get_all_transitions(Project))


def _user_transition_names() -> set[str]:
    """Names of the transitions users call (the gated ones are fired by the review gates only)."""
    return {t.name for t in _graph() if t.permission is not fired_by_gate_only}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    try:
        return selectors.project_get_visible(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def _message_of(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Someone else changed this project at the same time; reload the page and try again.")


def _status_of(exc: Exception) -> int:
    return getattr(exc, "status_code", 409 if isinstance(exc, ConcurrentTransition | TransitionNotAllowed) else 400)


def _form_error(form: Any, exc: Exception) -> None:
    """Put a service refusal on ``form``; win/loss field errors ("win_loss.primary_reason") land on the field."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        exc.fields = {key.removeprefix("win_loss."): value for key, value in exc.fields.items()}
    if isinstance(exc, ApplicationError | ValidationError):
        add_service_error(form, exc)
    else:
        form.add_error(None, _message_of(exc))


def _label_empty_choices(filterset: ProjectFilterSet) -> None:
    """Say "Any industry" rather than "---------" in the filter selects."""
    for name, label in (("industry", _("Any industry")), ("region", _("Any region"))):
        field = filterset.form.fields[name]
        choices = [choice for choice in field.choices if choice[0] != ""]
        field.empty_label = label
        field.choices = choices


# --- list and create -------------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.project_list_visible(user=request.user).select_related("routing_rule")
    filterset = ProjectFilterSet(request.GET or None, queryset=queryset, request=request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "status_choices": Status.choices,
        "selected_statuses": request.GET.getlist("status"),
        "mine": request.GET.get("mine") in ("true", "on", "1", "True"),
    }
    _label_empty_choices(filterset)
    template = "projects/_project_table.html" if request.headers.get("HX-Request") else "projects/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer", "").isdigit() else {}
    form = ProjectCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            _form_error(form, exc)
        else:
            text = _("Project %(code)s created.") % {"code": project.code}
            if project.routing_rule_id:
                text += " " + _("Assigned by routing rule: %(rule)s") % {"rule": project.routing_rule.name}
            messages.success(request, text)
            return redirect("projects:detail", pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "projects/form.html", {"form": form, "project": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    if not can_edit(project, request.user):
        messages.error(request, _("You may not change project %(code)s.") % {"code": project.code})
        return redirect("projects:detail", pk=project.pk)
    form = ProjectEditForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, data=form.cleaned_data)
        except SERVICE_ERRORS as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Project %(code)s saved.") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "projects/form.html", {"form": form, "project": project}, status=status)


# --- kanban board ----------------------------------------------------------------------------------------


def _board_cards(user: User, queryset: QuerySet[Project]) -> list[Project]:
    """Up to BOARD_LIMIT cards per state in one query, each with the menu of transitions ``user`` may call
    now (the same answer as ``get_available_user_status_transitions``, computed in SQL for all cards)."""
    editing = ProjectMember.objects.filter(project=OuterRef("pk"), user=user, role__in=EDITING_ROLES)
    blocked = StageChecklistItem.objects.filter(
        project=OuterRef("pk"), stage=OuterRef("status"), required=True, done=False
    )
    cards = list(
        queryset.select_related("customer")
        .annotate(
            member_can_edit=Exists(editing),
            checklist_blocked=Exists(blocked),
            board_rank=Window(
                RowNumber(), partition_by=[F("status")], order_by=[F("status_changed_at").desc(), F("pk").desc()]
            ),
        )
        .filter(board_rank__lte=BOARD_LIMIT)
        .order_by("board_rank")
    )
    boss = user.is_superuser or user.has_role("director", "admin")
    by_source: dict[str, list[Any]] = {}
    for transition in _graph():
        if transition.permission is not fired_by_gate_only:
            by_source.setdefault(transition.source, []).append(transition)
    for card in cards:
        editable = boss or card.owner_id == user.pk or card.member_can_edit
        menu = []
        for transition in by_source.get(card.status, []) if editable else []:
            conditions = [c for c in transition.conditions if c is not required_checklist_done]
            if required_checklist_done in transition.conditions and card.checklist_blocked:
                continue
            if all(condition(card) for condition in conditions):
                menu.append(
                    {
                        "name": transition.name,
                        "label": transition_label(transition.name),
                        "needs_form": transition.name in WIN_LOSS_TRANSITIONS,
                    }
                )
        card.menu = sorted(menu, key=lambda item: item["name"] in ENDING_TRANSITIONS)
        card.can_move = editable
    return cards


def _board_filters(request: HttpRequest) -> tuple[ProjectFilterSet, QuerySet[Project], bool]:
    data = request.GET.copy()
    for key in ("status", "mine", "page"):
        data.pop(key, None)
    filterset = ProjectFilterSet(data or None, queryset=visible_to(request.user, Project.objects.all()))
    _label_empty_choices(filterset)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    mine = request.GET.get("mine") in ("true", "on", "1", "True")
    if mine:
        user = request.user
        queryset = queryset.filter(Q(owner=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project")))
    return filterset, queryset.filter(status__in=BOARD_COLUMNS), mine


@login_required
def project_board(request: HttpRequest) -> HttpResponse:
    filterset, queryset, mine = _board_filters(request)
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    cards = _board_cards(request.user, queryset)
    columns = []
    for state in BOARD_COLUMNS:
        in_column = [card for card in cards if card.status == state]
        total = counts.get(state, 0)
        columns.append(
            {
                "status": state,
                "label": status_label(state),
                "count": total,
                "cards": in_column,
                "more": max(total - len(in_column), 0),
            }
        )
    context = {
        "filterset": filterset,
        "columns": columns,
        "mine": mine,
        "board_url": request.get_full_path(),
    }
    return render(request, "projects/board.html", context)


@login_required
@require_POST
def board_move(request: HttpRequest, pk: int) -> JsonResponse:
    """A card dropped on column ``target``: map (current state → target) to the user transition and call it."""
    try:
        project = selectors.project_get_visible(user=request.user, pk=pk)
    except Project.DoesNotExist:
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    target = request.POST.get("target", "")
    if target not in Status.values:
        return JsonResponse({"detail": _("Unknown column."), "code": "invalid"}, status=400)
    if target == project.status:
        return JsonResponse({"ok": True, "unchanged": True, "status": project.status})
    names = {"code": project.code, "source": project.get_status_display(), "target": status_label(target)}
    candidates = [t for t in _graph() if t.source == project.status and t.target == target]
    by_user = [t for t in candidates if t.permission is not fired_by_gate_only]
    if not by_user:
        if candidates:
            detail = (
                _("%(code)s moves from %(source)s to %(target)s only when its review is decided, not by hand.") % names
            )
        else:
            detail = _("%(code)s cannot move from %(source)s to %(target)s.") % names
        return JsonResponse({"detail": detail, "code": "transition_not_allowed"}, status=409)
    name = by_user[0].name
    if name in WIN_LOSS_TRANSITIONS:
        url = reverse("projects:detail", args=[project.pk]) + f"?tab=overview&transition={name}#transition-{name}"
        detail = _("%(action)s needs a comment and a win/loss record: fill in the form on the project page.") % {
            "action": transition_label(name)
        }
        return JsonResponse({"ok": False, "redirect": url, "detail": detail, "code": "form_required"})
    try:
        project = services.project_transition(project_id=project.pk, name=name, actor=request.user)
    except SERVICE_ERRORS as exc:
        return JsonResponse(
            {"detail": _message_of(exc), "code": getattr(exc, "code", "conflict")}, status=_status_of(exc)
        )
    card = _board_cards(request.user, Project.objects.filter(pk=project.pk))[0]
    html = render_to_string(
        "projects/_board_card.html",
        {"project": card, "board_url": request.POST.get("next") or reverse("projects:board")},
        request=request,
    )
    return JsonResponse(
        {
            "ok": True,
            "status": project.status,
            "detail": _("%(code)s moved to %(state)s.") % {"code": project.code, "state": project.get_status_display()},
            "card": html,
        }
    )


# --- the project page ------------------------------------------------------------------------------------


def _checklist_groups(project: Project, items: list[StageChecklistItem]) -> list[dict[str, Any]]:
    order = {value: i for i, value in enumerate(Status.values)}
    stages = sorted({item.stage for item in items}, key=lambda s: (s != project.status, order.get(s, 99)))
    groups = []
    for stage in stages:
        in_stage = [item for item in items if item.stage == stage]
        groups.append(
            {
                "stage": stage,
                "label": status_label(stage),
                "current": stage == project.status,
                "items": in_stage,
                "open_required": sum(1 for item in in_stage if item.required and not item.done),
            }
        )
    return groups


def _history(project: Project, events: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    timeline = [
        {
            "event": event,
            "label": (_("Created") if event.kind == EventKind.CREATED else transition_label(event.transition)),
            "source": status_label(event.source) if event.source else "",
            "target": status_label(event.target) if event.target else "",
        }
        for event in reversed(events)
    ]
    standard = {}
    if project.process_template_id:
        standard = dict(project.process_template.stages.values_list("stage", "standard_days"))
    durations: list[dict[str, Any]] = []
    for span in selectors.stage_durations(project=project):
        if durations and durations[-1]["stage"] == span["stage"]:
            # a step decision that did not end the review stays in the same state: one span, not two
            durations[-1]["end"] = span["end"]
            durations[-1]["days"] = round((span["end"] - durations[-1]["start"]).total_seconds() / 86400, 1)
            continue
        durations.append({**span, "label": status_label(span["stage"]), "standard_days": standard.get(span["stage"])})
    for span in durations:
        span["over"] = bool(span["standard_days"]) and span["days"] > span["standard_days"]
    return timeline, durations


def _plugin_tab(request: HttpRequest, project: Project, tab: str) -> tuple[dict[str, Any], str | None]:
    """A tab provided by another app (bids, delivery, documents, knowledge), when that app provides it."""
    function_path, template = PLUGIN_TABS[tab]
    module_name, function_name = function_path.rsplit(".", 1)
    try:
        function = getattr(import_module(module_name), function_name)
        get_template(template)
    except (ImportError, AttributeError, TemplateDoesNotExist):
        return {}, None
    return dict(function(request, project) or {}), template


def render_project_page(
    request: HttpRequest, project: Project, *, tab: str | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    """Render the project page on ``tab``. ``extra`` overrides forms (a bound form with its errors) or adds
    context — other apps posting to their own views may re-render the page with it."""
    user = request.user
    tab = tab or request.GET.get("tab") or "overview"
    if tab not in TABS:
        tab = "overview"
    related = selectors.project_related(project=project)
    editable = can_edit(project, user)
    context: dict[str, Any] = {
        "project": project,
        "tab": tab,
        "tabs": TABS,
        "can_edit": editable,
        "pending_reviews": list(project.reviews.filter(status="pending").select_related("gate")),
        "open_required": sum(
            1 for i in related["checklist"] if i.stage == project.status and i.required and not i.done
        ),
        **related,
    }
    if tab == "overview":
        posted = extra.pop("transition_form", None)
        open_name = posted.name if posted is not None else request.GET.get("transition", "")
        available = list(project.get_available_user_status_transitions(user))
        names = sorted((t.name for t in available), key=lambda n: n in ENDING_TRANSITIONS)
        if posted is not None and posted.name not in names and posted.name in _user_transition_names():
            names.append(posted.name)
        context["transitions"] = [
            {
                "name": name,
                "label": transition_label(name),
                "form": posted
                if posted is not None and posted.name == name
                else TransitionForm(name=name, project=project),
                "open": name == open_name,
            }
            for name in names
        ]
        context["blocked_transitions"] = [
            {"name": t.name, "label": transition_label(t.name)}
            for t in project.get_all_status_transitions()
            if t.source == project.status
            and t.permission is not fired_by_gate_only
            and t.name not in names
            and editable
            and context["open_required"]
        ]
    elif tab == "team":
        context["member_form"] = extra.pop("member_form", None) or MemberForm(prefix="member")
    elif tab == "competitors":
        edit_forms = extra.pop("competitor_edit_forms", {})
        note_forms = extra.pop("competitor_note_forms", {})
        for entry in related["competitors"]:
            entry.edit_form = edit_forms.get(entry.pk) or CompetitorEditForm(instance=entry, prefix=f"pc{entry.pk}")
            entry.note_form = note_forms.get(entry.pk) or CompetitorNoteForm(
                prefix=f"note{entry.pk}", initial={"stage": project.status}
            )
        context["competitor_form"] = extra.pop("competitor_form", None) or CompetitorAddForm(prefix="competitor")
        context["partner_form"] = extra.pop("partner_form", None) or PartnerAddForm(prefix="partner")
    elif tab == "checklist":
        context["checklist_groups"] = _checklist_groups(project, related["checklist"])
    elif tab == "history":
        context["timeline"], context["durations"] = _history(project, related["events"])
    elif tab in PLUGIN_TABS:
        plugin_context, plugin_template = _plugin_tab(request, project, tab)
        context = {**plugin_context, **context, "plugin_template": plugin_template}
    context.update(extra)
    return render(request, "projects/detail.html", context, status=status)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_project_page(request, _project_or_404(request, pk))


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = TransitionForm(request.POST, name=name, project=project)
    next_url = _safe_next(request)
    status = 400
    if form.is_valid():
        try:
            project = services.project_transition(
                project_id=project.pk, name=name, actor=request.user, **form.service_kwargs()
            )
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            _form_error(form, exc)
            if next_url or name not in _user_transition_names():
                messages.error(request, _message_of(exc))
        else:
            messages.success(
                request,
                _("%(code)s: %(action)s — now %(state)s.")
                % {"code": project.code, "action": transition_label(name), "state": project.get_status_display()},
            )
            return redirect(next_url or reverse("projects:detail", args=[project.pk]))
    elif next_url:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    if next_url:
        return redirect(next_url)
    return render_project_page(request, project, tab="overview", status=status, transition_form=form)


# --- team, competitors, partners, checklist --------------------------------------------------------------


def _redirect_tab(project: Project, tab: str, anchor: str = "") -> HttpResponse:
    url = reverse("projects:detail", args=[project.pk]) + f"?tab={tab}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = MemberForm(request.POST, prefix="member")
    status = 400
    if form.is_valid():
        try:
            member = services.member_add(actor=request.user, project=project, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s joined the team as %(role)s.") % {"user": member.user, "role": member.get_role_display()},
            )
            return _redirect_tab(project, "team")
    return render_project_page(request, project, tab="team", status=status, member_form=form)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    member = get_object_or_404(ProjectMember.objects.select_related("user", "project"), pk=member_pk, project=project)
    try:
        services.member_remove(actor=request.user, member=member)
    except SERVICE_ERRORS as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("%(user)s left the team.") % {"user": member.user})
    return _redirect_tab(project, "team")


@login_required
@require_POST
def competitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = CompetitorAddForm(request.POST, prefix="competitor")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.competitor_add(
                actor=request.user,
                project=project,
                competitor=data["competitor"],
                competitor_name=data["competitor_name"],
                threat_level=data["threat_level"],
                solution=data["solution"],
                estimated_price=data["estimated_price"],
            )
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            if isinstance(exc, ValidationFailed) and "competitor" in exc.fields and not data["competitor"]:
                exc.fields = {"competitor_name": exc.fields["competitor"]}
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s added as a competitor.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(request, project, tab="competitors", status=status, competitor_form=form)


def _competitor_entry(project: Project, entry_pk: int) -> ProjectCompetitor:
    return get_object_or_404(
        ProjectCompetitor.objects.select_related("competitor", "project"), pk=entry_pk, project=project
    )


@login_required
@require_POST
def competitor_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    entry = _competitor_entry(project, entry_pk)
    form = CompetitorEditForm(request.POST, instance=ProjectCompetitor.objects.get(pk=entry.pk), prefix=f"pc{entry.pk}")
    status = 400
    if form.is_valid():
        try:
            services.competitor_update(actor=request.user, entry=entry, data=form.cleaned_data)
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(
        request, project, tab="competitors", status=status, competitor_edit_forms={entry.pk: form}
    )


@login_required
@require_POST
def competitor_note_add(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    entry = _competitor_entry(project, entry_pk)
    form = CompetitorNoteForm(request.POST, prefix=f"note{entry.pk}")
    status = 400
    if form.is_valid():
        try:
            services.competitor_note_add(actor=request.user, entry=entry, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("Note added on %(name)s.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(
        request, project, tab="competitors", status=status, competitor_note_forms={entry.pk: form}
    )


@login_required
@require_POST
def partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = PartnerAddForm(request.POST, prefix="partner")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.partner_add(
                actor=request.user,
                project=project,
                partner=data["partner"],
                partner_name=data["partner_name"],
                role=data["role"],
                scope=data["scope"],
                amount=data["amount"],
            )
        except SERVICE_ERRORS as exc:
            status = _status_of(exc)
            if isinstance(exc, ValidationFailed) and "partner" in exc.fields and not data["partner"]:
                exc.fields = {"partner_name": exc.fields["partner"]}
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s added as a partner.") % {"name": entry.partner.name})
            return _redirect_tab(project, "competitors", "partners")
    return render_project_page(request, project, tab="competitors", status=status, partner_form=form)


@login_required
@require_POST
def checklist_toggle(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    item = get_object_or_404(StageChecklistItem.objects.select_related("project"), pk=item_pk, project=project)
    done = request.POST.get("done", "") in ("1", "true", "on", "True")
    try:
        services.checklist_set_done(actor=request.user, item=item, done=done)
    except SERVICE_ERRORS as exc:
        messages.error(request, _message_of(exc))
    else:
        text = _("Done: %(action)s") if done else _("Reopened: %(action)s")
        messages.success(request, text % {"action": item.text})
    return _redirect_tab(project, "checklist", f"item-{item.pk}")
