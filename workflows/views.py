"""Review pages: the inbox (reviews waiting for my decision, and every review I may see) and the review
page with its steps, approvers and decisions, where an approver of the active step approves, rejects or
returns. Thin: selectors read, ``review_decide`` writes, its refusals are shown (never a 500)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can
from backend.core.refusals import refused
from workflows.choices import Decision, ReviewStatus, StepStatus
from workflows.forms import DecisionForm
from workflows.models import Review
from workflows.panels import panels_for
from workflows.selectors import review_inbox, review_list_visible
from workflows.services import review_decide

PAGE_SIZE = 25


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    tab = "all" if request.GET.get("tab") == "all" else "inbox"
    waiting = review_inbox(user=user).order_by("created_at", "pk")
    context: dict[str, Any] = {"tab": tab, "status_choices": ReviewStatus.choices, "status": ""}
    if tab == "inbox":
        context["reviews"] = list(waiting)
        context["inbox_count"] = len(context["reviews"])
    else:
        context["inbox_count"] = waiting.count()
        queryset = review_list_visible(user=user)
        status = request.GET.get("status", "")
        if status in ReviewStatus.values:
            queryset = queryset.filter(status=status)
            context["status"] = status
        elif status:
            context["filter_error"] = _("Unknown review status '%(status)s'; showing every review.") % {
                "status": status
            }
        page = Paginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["reviews"] = list(page)
    return render(request, "workflows/inbox.html", context)


def _review_or_404(request: AuthenticatedRequest, pk: int) -> Review:
    try:
        return review_list_visible(user=request.user).get(pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None


def _render_review(
    request: AuthenticatedRequest, review: Review, *, form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    steps = list(review.steps.all())
    active = next((s for s in steps if s.status == StepStatus.ACTIVE), None)
    can_decide = can(user, "decide", review)
    for step in steps:
        decided = {a.approver_id for a in step.approvals.all()}
        step.waiting_on = [a for a in step.approvers.all() if a.pk not in decided] if step is active else []
    context = {
        "review": review,
        "project": review.project,
        "steps": steps,
        "active_step": active,
        "can_decide": can_decide,
        "form": form or DecisionForm(),
        "decisions": Decision.choices,
        "panels": panels_for(review=review, user=user),
    }
    return render(request, "workflows/detail.html", context, status=status)


@login_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_review(request, _review_or_404(request, pk))


@login_required
@require_POST
def decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        with refused(request, form=form) as refusal:
            review = review_decide(
                review_id=review.pk,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
            label = Decision(form.cleaned_data["decision"]).label
            if review.status == ReviewStatus.PENDING:
                text = _("Your decision (%(decision)s) is recorded.") % {"decision": label}
            else:
                text = _("Your decision (%(decision)s) is recorded; the review is now %(status)s.") % {
                    "decision": label,
                    "status": review.get_status_display(),
                }
            messages.success(request, text)
            return redirect("reviews:detail", pk=review.pk)
        status = refusal.status
    else:
        messages.error(request, _("Choose approve, reject or return."))
    return _render_review(request, _review_or_404(request, pk), form=form, status=status)
