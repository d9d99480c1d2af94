"""The project page with its tabs, and the transition and forecast forms posted from it."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.refusals import refused
from backend.projects import selectors, services
from backend.projects.choices import (
    PRESALES_OPEN,
    EventKind,
    ForecastCategory,
    Status,
    default_forecast_category,
)
from backend.projects.forms import (
    CompetitorAddForm,
    CompetitorEditForm,
    CompetitorNoteForm,
    MemberForm,
    PartnerAddForm,
    TransitionForm,
)
from backend.projects.models import (
    Project,
    StageChecklistItem,
    can_edit,
    fired_by_gate_only,
)
from backend.projects.pages import project_or_404
from backend.projects.timeline import available_kinds, project_timeline
from backend.projects.views.common import (
    ENDING_TRANSITIONS,
    OWN_TABS,
    PLUGIN_TABS,
    TAB_BADGES,
    TABS,
    _safe_next,
    _user_transition_names,
    status_label,
    transition_label,
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
    if project.process_template is not None:
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


def _plugin_tab(request: AuthenticatedRequest, project: Project, tab: str) -> tuple[dict[str, Any], str | None]:
    """A tab provided by another app (bids, delivery, documents, knowledge), when that app provides it."""
    function_path, template = PLUGIN_TABS[tab]
    module_name, function_name = function_path.rsplit(".", 1)
    try:
        function = getattr(import_module(module_name), function_name)
        get_template(template)
    except (ImportError, AttributeError, TemplateDoesNotExist):
        return {}, None
    return dict(function(request, project) or {}), template


def _tab_badges(request: AuthenticatedRequest, project: Project) -> dict[str, int]:
    badges = {}
    for name, function_path in TAB_BADGES.items():
        module_name, function_name = function_path.rsplit(".", 1)
        badges[name] = getattr(import_module(module_name), function_name)(request, project)
    return badges


def render_project_page(
    request: AuthenticatedRequest, project: Project, *, tab: str | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    """Render the project page on ``tab``. ``extra`` overrides forms (a bound form with its errors) or adds
    context — other apps posting to their own views may re-render the page with it."""
    user = request.user
    tab = tab or request.GET.get("tab") or "overview"
    if tab not in TABS or (tab not in OWN_TABS and tab not in PLUGIN_TABS):
        tab = "overview"
    related = selectors.project_related(project=project)
    editable = can_edit(project, user)
    context: dict[str, Any] = {
        "project": project,
        "tab": tab,
        "tabs": [name for name in TABS if name in OWN_TABS or name in PLUGIN_TABS],
        "tab_badges": _tab_badges(request, project),
        "can_edit": editable,
        "pending_reviews": list(project.reviews.filter(status="pending").select_related("gate")),
        "open_required": sum(
            1 for i in related["checklist"] if i.stage == project.status and i.required and not i.done
        ),
        **related,
    }
    if tab == "overview":
        if project.status in PRESALES_OPEN:
            context["forecast"] = {
                "category": project.forecast_category,
                "default": default_forecast_category(project.status),
                "can_adjust": services.can_adjust_forecast(project, user),
                "choices": [(c.value, c.label) for c in ForecastCategory if c != ForecastCategory.CLOSED],
            }
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
    elif tab == "timeline":
        kinds = [kind for kind in request.GET.getlist("kind") if kind]
        context["stream"] = project_timeline(project=project, user=user, kinds=kinds)
        context["stream_kinds"] = available_kinds()
        context["stream_selected"] = kinds
    elif tab in PLUGIN_TABS:
        plugin_context, plugin_template = _plugin_tab(request, project, tab)
        context = {**plugin_context, **context, "plugin_template": plugin_template}
    context.update(extra)
    return render(request, "projects/detail.html", context, status=status)


@login_required
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render_project_page(request, project_or_404(request, pk))


@login_required
@require_POST
def project_transition(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    project = project_or_404(request, pk)
    form = TransitionForm(request.POST, name=name, project=project)
    next_url = _safe_next(request)
    # the win/loss record's fields ("win_loss.primary_reason") are the form's own; a refusal posted from
    # elsewhere (next) or of a transition with no form on the page is also a message
    outcome = refused(
        request,
        form=form,
        fields=lambda field: field.removeprefix("win_loss."),
        message=bool(next_url) or name not in _user_transition_names(),
    )
    if form.is_valid():
        with outcome:
            project = services.project_transition(
                project_id=project.pk, name=name, actor=request.user, **form.service_kwargs()
            )
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
    return render_project_page(request, project, tab="overview", status=outcome.status, transition_form=form)


@login_required
@require_POST
def project_forecast(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The owner sets, or a manager adjusts, the forecast category of an open deal."""
    project = project_or_404(request, pk)
    with refused(request):
        services.project_forecast_set(
            actor=request.user,
            project=project,
            category=request.POST.get("forecast_category", ""),
            comment=request.POST.get("comment", "")[:2000],
        )
        messages.success(request, _("Forecast category of %(code)s saved.") % {"code": project.code})
    return redirect("projects:detail", pk=project.pk)
