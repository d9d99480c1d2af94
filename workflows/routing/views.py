"""The administrators' routing page: the rules in order (move up / down), create, edit, delete, and the test
panel ("which rule would assign this?") that never advances a round-robin turn. Thin: services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can
from backend.core.refusals import refused
from workflows.choices import RoutingAssignee
from workflows.models import RoutingRule
from workflows.routing import services
from workflows.routing.forms import RoutingRuleForm, RoutingTestForm
from workflows.routing.services import group_members, project_role_choices


def _admin_only(request: AuthenticatedRequest) -> None:
    if not can(request.user, "manage", RoutingRule):
        raise Http404


def _rules() -> list[RoutingRule]:
    rules = list(
        RoutingRule.objects.select_related("assign_owner", "customer", "group_department", "cursor")
        .prefetch_related("group_users")
        .order_by("order", "pk")
    )
    roles = dict(project_role_choices())
    for rule in rules:
        rule.assignee_text = _assignee_text(rule, roles)  # type: ignore[attr-defined]
        rule.source_label = services.value_label("source", rule.source)  # type: ignore[attr-defined]
        rule.category_label = services.value_label("category", rule.category)  # type: ignore[attr-defined]
    return rules


def _assignee_text(rule: RoutingRule, roles: dict[str, Any]) -> str:
    if rule.assignee_kind == RoutingAssignee.PROJECT_ROLE:
        return _("The project's %(role)s") % {"role": roles.get(rule.project_role, rule.project_role)}
    if rule.assignee_kind == RoutingAssignee.ROUND_ROBIN:
        names = [str(u) for u in rule.group_users.all()]
        if rule.group_department is not None:
            names.append(_("members of %(department)s") % {"department": rule.group_department})
        return _("In turn: %(group)s") % {"group": "、".join(names)}
    if rule.assign_owner is not None:
        return _("%(user)s (a specific user)") % {"user": rule.assign_owner}
    return "–"


@login_required
def rule_list(request: AuthenticatedRequest) -> HttpResponse:
    _admin_only(request)
    form = RoutingTestForm(request.GET or None)
    context: dict[str, Any] = {"rules": _rules(), "test_form": form, "result": None}
    status = 200
    if request.GET and form.is_valid():
        data = dict(form.cleaned_data)
        target, kind, code = data.pop("target"), data.pop("record_kind"), data.pop("record")
        with refused(request, form=form) as refusal:
            decision, record = services.routing_test(
                actor=request.user, target=target, values=data, record_kind=kind, record_code=code
            )
            context["result"] = {"decision": decision, "record": record}
        status = refusal.status if refusal.refusal else 200
    elif request.GET:
        status = 400
    return render(request, "workflows/routing_rules.html", context, status=status)


def _edit(request: AuthenticatedRequest, rule: RoutingRule | None) -> HttpResponse:
    _admin_only(request)
    form = RoutingRuleForm(request.POST or None, instance=rule)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            with refused(request, form=form) as refusal:
                if rule is None:
                    saved = services.routing_rule_create(actor=request.user, **data)
                    messages.success(request, _("Routing rule %(name)s added.") % {"name": saved.name})
                else:
                    saved = services.routing_rule_update(actor=request.user, rule=rule, **data)
                    messages.success(request, _("Routing rule %(name)s saved.") % {"name": saved.name})
                return redirect("routing:list")
            status = refusal.status
        else:
            status = 400
    members = group_members(rule) if rule is not None else []
    return render(
        request, "workflows/routing_rule_form.html", {"form": form, "rule": rule, "members": members}, status=status
    )


@login_required
def rule_create(request: AuthenticatedRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def rule_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    return _edit(request, get_object_or_404(RoutingRule, pk=pk))


@login_required
@require_POST
def rule_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    with refused(request):
        services.routing_rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("Routing rule %(name)s deleted.") % {"name": rule.name})
    return redirect("routing:list")


@login_required
@require_POST
def rule_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    rule = get_object_or_404(RoutingRule, pk=pk)
    with refused(request):
        services.routing_rule_move(actor=request.user, rule=rule, direction=request.POST.get("direction", ""))
    return redirect("routing:list")
