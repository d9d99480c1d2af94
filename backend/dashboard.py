"""The dashboard every user lands on: my customers, my pending reviews, my projects and my alarms. It is made
of every app's parts, so it lives with the URL map at the top of the house, not in ``core``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from backend.accounts.http import AuthenticatedRequest
from backend.activities.selectors import my_activity_buckets
from backend.core.models import WorkerHeartbeat
from backend.customers.selectors import customer_list_visible
from backend.milestones.views import my_alarms
from backend.projects.models import ProjectMember
from backend.projects.selectors import project_list_visible
from backend.service.selectors import my_open_requests
from workflows.selectors import review_inbox


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    heartbeat = WorkerHeartbeat.objects.filter(name="worker").first()
    buckets = my_activity_buckets(user=user)
    member_of = ProjectMember.objects.filter(user=user).values("project_id")
    context = {
        "my_customers": customer_list_visible(user=user).filter(owner=user).order_by("-updated_at")[:8],
        "my_reviews": list(review_inbox(user=user).order_by("created_at", "pk")[:10]),
        "my_projects": list(
            project_list_visible(user=user)
            .filter(Q(owner=user) | Q(pk__in=member_of))
            .order_by("-updated_at", "-pk")[:10]
        ),
        "heartbeat": heartbeat,
        "my_activities": buckets,
        "activity_buckets": [
            {"key": "overdue", "label": _("Overdue"), "css": "text-danger", "rows": buckets["overdue"]},
            {"key": "today", "label": _("Today"), "css": "", "rows": buckets["today"]},
            {"key": "this_week", "label": _("This week"), "css": "", "rows": buckets["this_week"]},
        ],
        "my_requests": my_open_requests(user=user),
        **my_alarms(user, limit=10),
    }
    return render(request, "core/dashboard.html", context)
