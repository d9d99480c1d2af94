"""Forms posted from the project page: team, competitors, partners, checklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.refusals import refused
from backend.projects import services
from backend.projects.forms import (
    CompetitorAddForm,
    CompetitorEditForm,
    CompetitorNoteForm,
    MemberForm,
    PartnerAddForm,
)
from backend.projects.models import (
    Project,
    ProjectCompetitor,
    ProjectMember,
    StageChecklistItem,
)
from backend.projects.pages import project_or_404
from backend.projects.views.page import render_project_page

# --- team, competitors, partners, checklist --------------------------------------------------------------


def _redirect_tab(project: Project, tab: str, anchor: str = "") -> HttpResponse:
    url = reverse("projects:detail", args=[project.pk]) + f"?tab={tab}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def member_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = MemberForm(request.POST, prefix="member")
    outcome = refused(request, form=form)
    if form.is_valid():
        with outcome:
            member = services.member_add(actor=request.user, project=project, **form.cleaned_data)
            messages.success(
                request,
                _("%(user)s joined the team as %(role)s.") % {"user": member.user, "role": member.get_role_display()},
            )
            return _redirect_tab(project, "team")
    return render_project_page(request, project, tab="team", status=outcome.status, member_form=form)


@login_required
@require_POST
def member_remove(request: AuthenticatedRequest, pk: int, member_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    member = get_object_or_404(ProjectMember.objects.select_related("user", "project"), pk=member_pk, project=project)
    with refused(request):
        services.member_remove(actor=request.user, member=member)
        messages.success(request, _("%(user)s left the team.") % {"user": member.user})
    return _redirect_tab(project, "team")


@login_required
@require_POST
def competitor_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = CompetitorAddForm(request.POST, prefix="competitor")
    outcome = refused(request, form=form)
    if form.is_valid():
        data = form.cleaned_data
        # a new competitor is typed by name: a refusal of "competitor" is about that name
        outcome = refused(request, form=form, fields={} if data["competitor"] else {"competitor": "competitor_name"})
        with outcome:
            entry = services.competitor_add(
                actor=request.user,
                project=project,
                competitor=data["competitor"],
                competitor_name=data["competitor_name"],
                threat_level=data["threat_level"],
                solution=data["solution"],
                estimated_price=data["estimated_price"],
            )
            messages.success(request, _("%(name)s added as a competitor.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(request, project, tab="competitors", status=outcome.status, competitor_form=form)


def _competitor_entry(project: Project, entry_pk: int) -> ProjectCompetitor:
    return get_object_or_404(
        ProjectCompetitor.objects.select_related("competitor", "project"), pk=entry_pk, project=project
    )


@login_required
@require_POST
def competitor_edit(request: AuthenticatedRequest, pk: int, entry_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    entry = _competitor_entry(project, entry_pk)
    form = CompetitorEditForm(request.POST, instance=ProjectCompetitor.objects.get(pk=entry.pk), prefix=f"pc{entry.pk}")
    outcome = refused(request, form=form)
    if form.is_valid():
        with outcome:
            services.competitor_update(actor=request.user, entry=entry, data=form.cleaned_data)
            messages.success(request, _("%(name)s saved.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(
        request, project, tab="competitors", status=outcome.status, competitor_edit_forms={entry.pk: form}
    )


@login_required
@require_POST
def competitor_note_add(request: AuthenticatedRequest, pk: int, entry_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    entry = _competitor_entry(project, entry_pk)
    form = CompetitorNoteForm(request.POST, prefix=f"note{entry.pk}")
    outcome = refused(request, form=form)
    if form.is_valid():
        with outcome:
            services.competitor_note_add(actor=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("Note added on %(name)s.") % {"name": entry.competitor.name})
            return _redirect_tab(project, "competitors", f"competitor-{entry.pk}")
    return render_project_page(
        request, project, tab="competitors", status=outcome.status, competitor_note_forms={entry.pk: form}
    )


@login_required
@require_POST
def partner_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = PartnerAddForm(request.POST, prefix="partner")
    outcome = refused(request, form=form)
    if form.is_valid():
        data = form.cleaned_data
        # a new partner is typed by name: a refusal of "partner" is about that name
        outcome = refused(request, form=form, fields={} if data["partner"] else {"partner": "partner_name"})
        with outcome:
            entry = services.partner_add(
                actor=request.user,
                project=project,
                partner=data["partner"],
                partner_name=data["partner_name"],
                role=data["role"],
                scope=data["scope"],
                amount=data["amount"],
            )
            messages.success(request, _("%(name)s added as a partner.") % {"name": entry.partner.name})
            return _redirect_tab(project, "competitors", "partners")
    return render_project_page(request, project, tab="competitors", status=outcome.status, partner_form=form)


@login_required
@require_POST
def checklist_toggle(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    item = get_object_or_404(StageChecklistItem.objects.select_related("project"), pk=item_pk, project=project)
    done = request.POST.get("done", "") in ("1", "true", "on", "True")
    with refused(request):
        services.checklist_set_done(actor=request.user, item=item, done=done)
        text = _("Done: %(action)s") if done else _("Reopened: %(action)s")
        messages.success(request, text % {"action": item.text})
    return _redirect_tab(project, "checklist", f"item-{item.pk}")
