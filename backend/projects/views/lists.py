"""The project list, create and edit, and the kanban board."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.accounts.models import User
from backend.core import lists
from backend.core.pagination import DeferredPaginator as Paginator
from backend.core.pagination import keyset_page
from backend.core.refusals import refused
from backend.projects import selectors, services
from backend.projects.choices import (
    BOARD_COLUMNS,
    Status,
)
from backend.projects.filtersets import ProjectFilterSet
from backend.projects.forms import (
    WIN_LOSS_TRANSITIONS,
    ProjectCreateForm,
    ProjectEditForm,
)
from backend.projects.lists import PROJECTS
from backend.projects.models import (
    Project,
    can_edit,
    fired_by_gate_only,
    required_checklist_done,
)
from backend.projects.pages import project_or_404
from backend.projects.views.common import (
    BOARD_LIMIT,
    ENDING_TRANSITIONS,
    PAGE_SIZE,
    _graph,
    _label_empty_choices,
    status_label,
    transition_label,
)

# --- list and create -------------------------------------------------------------------------------------


@login_required
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    queryset = selectors.project_list_visible(user=request.user).select_related("routing_rule")
    filterset = ProjectFilterSet(request.GET or None, queryset=queryset, request=request)
    status = 200
    with refused(request) as outcome:  # a drill-down link from a report that names no figure of it
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if outcome:
        queryset, status = filterset.queryset.none(), outcome.status
    listing, queryset = lists.listing(request, PROJECTS, queryset)
    if lists.wants_export(request):
        return lists.export_xlsx(PROJECTS, queryset)
    page = keyset_page(
        Paginator(queryset, PAGE_SIZE),
        request.GET.get("page"),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    context = {
        "filterset": filterset,
        "page": page,
        "query": listing.query,
        "listing": listing,
        "status_choices": Status.choices,
        "selected_statuses": request.GET.getlist("status"),
        "mine": request.GET.get("mine") in ("true", "on", "1", "True"),
        "drill": getattr(filterset, "drilled", None),
        # the report's own parameters, kept when the list's filters change
        "drill_params": [
            (key, value)
            for key, value in request.GET.items()
            if key not in {"q", "status", "industry", "region", "mine", "page", "after", "before", "sort", "export"}
        ],
    }
    _label_empty_choices(filterset)
    template = "projects/_project_table.html" if request.headers.get("HX-Request") else "projects/list.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer", "").isdigit() else {}
    form = ProjectCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            project = services.project_create(actor=request.user, **form.cleaned_data)
            text = _("Project %(code)s created.") % {"code": project.code}
            if project.routing_rule is not None:
                text += " " + _("Assigned by routing rule: %(rule)s") % {"rule": project.routing_rule.name}
            messages.success(request, text)
            return redirect("projects:detail", pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "projects/form.html", {"form": form, "project": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    if not can_edit(project, request.user):
        messages.error(request, _("You may not change project %(code)s.") % {"code": project.code})
        return redirect("projects:detail", pk=project.pk)
    form = ProjectEditForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.project_update(actor=request.user, project=project, data=form.cleaned_data)
            messages.success(request, _("Project %(code)s saved.") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "projects/form.html", {"form": form, "project": project}, status=status)


# --- kanban board ----------------------------------------------------------------------------------------


def _board_cards(user: User, queryset: QuerySet[Project]) -> Sequence[Project]:
    """Up to BOARD_LIMIT cards per state in one query, each with the menu of transitions ``user`` may call
    now (the same answer as ``get_available_user_status_transitions``, computed in SQL for all cards)."""
    cards = selectors.board_cards(user=user, queryset=queryset, columns=BOARD_COLUMNS, limit=BOARD_LIMIT)
    boss = user.is_superuser or user.has_role("director", "admin")
    by_source: dict[str, list[Any]] = {}
    for transition in _graph():
        if transition.permission is not fired_by_gate_only:
            by_source.setdefault(transition.source, []).append(transition)
    detail, move = _pk_url("projects:detail"), _pk_url("projects:board-move")
    actions: dict[str, Callable[[int], str]] = {}
    for card in cards:
        editable = boss or card.owner_id == user.pk or card.member_can_edit
        card.detail_url, card.move_url = detail(card.pk), move(card.pk)
        menu = []
        for transition in by_source.get(card.status, []) if editable else []:
            conditions = [c for c in transition.conditions if c is not required_checklist_done]
            if required_checklist_done in transition.conditions and card.checklist_blocked:
                continue
            if all(condition(card) for condition in conditions):
                name = transition.name
                if name in WIN_LOSS_TRANSITIONS:  # asks for the win/loss record on the project page
                    url = f"{card.detail_url}?tab=overview&transition={name}#transition-{name}"
                else:
                    if name not in actions:
                        actions[name] = _pk_url("projects:transition", name)
                    url = actions[name](card.pk)
                menu.append(
                    {
                        "name": name,
                        "label": transition_label(name),
                        "needs_form": name in WIN_LOSS_TRANSITIONS,
                        "url": url,
                    }
                )
        card.menu = sorted(menu, key=lambda item: item["name"] in ENDING_TRANSITIONS)
        card.can_move = editable
    return cards


_PK = 2_147_483_123  # stands for a project's id while a URL pattern is reversed


def _pk_url(name: str, *args: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk, *args])`` for many ids at the cost of one ``reverse`` (the board links 160
    cards several times each; reversing each link was a fifth of the page's time)."""
    head, mark, tail = reverse(name, args=[_PK, *args]).partition(str(_PK))
    if not mark:
        raise AssertionError(f"{name} does not carry the id in its path")
    return lambda pk: f"{head}{int(pk)}{tail}"


def _board_filters(request: AuthenticatedRequest) -> tuple[ProjectFilterSet, QuerySet[Project], bool]:
    data = request.GET.copy()
    for key in ("status", "page"):  # the board shows every column, all on one page
        data.pop(key, None)
    filterset = ProjectFilterSet(data or None, queryset=selectors.board_projects(user=request.user), request=request)
    _label_empty_choices(filterset)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return filterset, queryset, request.GET.get("mine") in ("true", "on", "1", "True")


@login_required
def project_board(request: AuthenticatedRequest) -> HttpResponse:
    filterset, queryset, mine = _board_filters(request)
    sums = selectors.status_sums(queryset=queryset)
    cards = _board_cards(request.user, queryset)
    # "n more…" opens the list with the board's filters (without state and page) and the column's state
    filters = filterset.data.urlencode() if filterset.is_bound else ""
    columns = []
    for state in BOARD_COLUMNS:
        in_column = [card for card in cards if card.status == state]
        total, amount = sums.get(state, (0, Decimal(0)))
        columns.append(
            {
                "status": state,
                "label": status_label(state),
                "count": total,
                "amount": amount,
                "cards": in_column,
                "more": max(total - len(in_column), 0),
                "more_url": f"{reverse('projects:list')}?{filters}{'&' if filters else ''}status={state}",
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
def board_move(request: AuthenticatedRequest, pk: int) -> JsonResponse:
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
    with refused(request, message=False) as outcome:
        project = services.project_transition(project_id=project.pk, name=name, actor=request.user)
    if outcome.refusal:
        return JsonResponse({"detail": outcome.refusal.message, "code": outcome.refusal.code}, status=outcome.status)
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
