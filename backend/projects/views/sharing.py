"""The sharing rules page (administrators): the rules with what each opens, a form to create or edit one with
a live preview (htmx, or the Preview button without script), and delete. Thin: the selectors read and
preview, the services validate and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can
from backend.core.refusals import refused
from backend.projects.sharing import selectors, services
from backend.projects.sharing.forms import SharingRuleForm
from backend.projects.sharing.models import ProjectSharingRule
from backend.projects.sharing.selectors import Preview


def _guard(request: AuthenticatedRequest) -> None:
    if not can(request.user, "manage", ProjectSharingRule):
        raise Http404


def _preview_of(request: AuthenticatedRequest, form: SharingRuleForm, editing: ProjectSharingRule | None) -> Any:
    """(rule, preview) for the form's unsaved rule, or None with the refusal put on the form."""
    if not form.is_valid():
        return None
    data = form.data_for_service()
    with refused(request, form=form):
        services.sharing_rule_validate(data=data)
        rule = ProjectSharingRule(pk=editing.pk if editing else None, **data)
        (preview,) = selectors.sharing_rule_previews(rules=[rule])
        return rule, preview
    return None


@login_required
def sharing_rules(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    _guard(request)
    rules = list(selectors.sharing_rule_list(user=request.user))
    editing = None
    if pk is not None:
        editing = next((rule for rule in rules if rule.pk == pk), None)
        if editing is None:
            raise Http404
    form = SharingRuleForm(request.POST or None, instance=editing)
    status = 200
    draft: tuple[ProjectSharingRule, Preview] | None = None
    if request.method == "POST":
        if request.POST.get("action") == "preview":
            draft = _preview_of(request, form, editing)
            status = 200 if draft else 400
        elif form.is_valid():
            with refused(request, form=form) as refusal:
                if editing is None:
                    services.sharing_rule_create(actor=request.user, data=form.data_for_service())
                    messages.success(request, _("The sharing rule is saved."))
                else:
                    services.sharing_rule_update(actor=request.user, rule_id=editing.pk, data=form.data_for_service())
                    messages.success(request, _("The sharing rule is changed."))
                return redirect("projects:sharing-rules")
            status = refusal.status
        else:
            status = 400
    context = {
        "rows": list(zip(rules, selectors.sharing_rule_previews(rules=rules), strict=True)),
        "form": form,
        "editing": editing,
        "draft": draft,
    }
    return render(request, "projects/sharing_rules.html", context, status=status)


@login_required
@require_POST
def sharing_rule_preview(request: AuthenticatedRequest) -> HttpResponse:
    """The live preview (htmx): the form's rule, not saved."""
    _guard(request)
    pk = request.POST.get("rule")
    editing = ProjectSharingRule.objects.filter(pk=int(pk)).first() if pk and pk.isdigit() else None
    form = SharingRuleForm(request.POST, instance=editing)
    draft = _preview_of(request, form, editing)
    return render(request, "projects/_sharing_preview.html", {"draft": draft, "form": form})


@login_required
@require_POST
def sharing_rule_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _guard(request)
    with refused(request):
        services.sharing_rule_delete(actor=request.user, rule_id=pk)
        messages.success(request, _("The sharing rule is deleted."))
    return redirect("projects:sharing-rules")
