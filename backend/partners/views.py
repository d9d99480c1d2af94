"""Pages of the channel partners: the list (filter by grade), a partner's profile (grade with the reasons
met and missed, terms, trainings, certifications, projects, grade history; forms for those who may change
partners) and the grades with their thresholds and terms. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can
from backend.core.refusals import refused
from backend.partners import selectors, services
from backend.partners.forms import CertificationForm, ProfileForm, TrainingForm
from backend.partners.models import PartnerCertification, PartnerProfile, PartnerTraining
from backend.partners.reasons import reasons
from backend.projects.models import Partner


def _years(partner: Partner) -> int:
    profile = getattr(partner, "profile", None)
    return selectors.years_between(profile.cooperation_since if profile else None, timezone.localdate())


@login_required
def partner_list(request: AuthenticatedRequest) -> HttpResponse:
    grades = selectors.grades()
    grade = request.GET.get("grade", "")
    if grade and grade != "none" and grade not in {g.code for g in grades}:
        messages.error(request, _("%(code)s is not a partner grade.") % {"code": grade})
        grade = ""
    rows = list(selectors.partner_list(grade=grade, search=request.GET.get("q", "").strip()))
    for row in rows:
        row.cooperation_years = _years(row)  # type: ignore[attr-defined]
    return render(
        request,
        "partners/list.html",
        {"partners": rows, "grades": grades, "grade": grade, "q": request.GET.get("q", "")},
    )


def _detail_context(request: AuthenticatedRequest, partner: Partner, **forms: Any) -> dict[str, Any]:
    grades = selectors.grades()
    by_code = {g.code: g for g in grades}
    profile = getattr(partner, "profile", None)
    may_change = can(request.user, "change", PartnerProfile)
    today = timezone.localdate()
    certifications = list(PartnerCertification.objects.filter(partner=partner))
    for certification in certifications:
        certification.is_valid = certification.issued <= today and (  # type: ignore[attr-defined]
            certification.valid_until is None or certification.valid_until >= today
        )
    context = {
        "partner": partner,
        "profile": profile,
        "grade": profile.grade if profile else None,
        "cooperation_years": _years(partner),
        "reasons": reasons(profile.grade_reasons if profile else [], by_code),
        "grades": grades,
        "trainings": list(PartnerTraining.objects.filter(partner=partner)),
        "certifications": certifications,
        "projects": list(selectors.partner_projects(partner=partner, user=request.user)),
        "history": list(selectors.grade_history(partner=partner)),
        "window_start": selectors.window_start(today),
        "may_change": may_change,
    }
    if may_change:
        context["training_form"] = forms.get("training_form") or TrainingForm(prefix="training")
        context["certification_form"] = forms.get("certification_form") or CertificationForm(prefix="cert")
        context["profile_form"] = forms.get("profile_form") or ProfileForm(
            prefix="profile",
            grades=grades,
            initial={
                "cooperation_since": profile.cooperation_since if profile else None,
                "grade": profile.grade.code if profile and profile.grade_manual and profile.grade else "",
            },
        )
    return context


def _partner(pk: int) -> Partner:
    return get_object_or_404(selectors.partner_list(), pk=pk)


@login_required
def partner_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partner = _partner(pk)
    return render(request, "partners/detail.html", _detail_context(request, partner))


def _after(request: AuthenticatedRequest, partner: Partner, form: Any, key: str, saved: str) -> HttpResponse:
    if form.errors:
        context = _detail_context(request, _partner(partner.pk), **{key: form})
        return render(request, "partners/detail.html", context, status=400)
    messages.success(request, saved)
    return redirect(reverse("partners:detail", args=[partner.pk]))


@login_required
@require_POST
def training_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    form = TrainingForm(request.POST, prefix="training")
    if form.is_valid():
        with refused(request, form=form):
            services.partner_training_add(actor=request.user, partner=partner, **form.cleaned_data)
    return _after(request, partner, form, "training_form", _("The training was added."))


@login_required
@require_POST
def certification_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    form = CertificationForm(request.POST, prefix="cert")
    if form.is_valid():
        with refused(request, form=form):
            services.partner_certification_add(actor=request.user, partner=partner, **form.cleaned_data)
    return _after(request, partner, form, "certification_form", _("The certification was added."))


@login_required
@require_POST
def profile_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    form = ProfileForm(request.POST, prefix="profile", grades=selectors.grades())
    if form.is_valid():
        with refused(request, form=form):
            services.partner_profile_save(actor=request.user, partner=partner, data=form.cleaned_data)
    return _after(request, partner, form, "profile_form", _("The profile was saved."))


@login_required
@require_POST
def regrade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    with refused(request, heading=_("The partner was not re-graded.")):
        services.require_manage(request.user)
        services.partner_regrade(partner=partner, actor=request.user)
        messages.success(request, _("The partner was re-graded."))
    return redirect(reverse("partners:detail", args=[partner.pk]))


@login_required
def grade_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "partners/grades.html", {"grades": selectors.grades()})
