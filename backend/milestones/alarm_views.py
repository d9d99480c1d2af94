"""The alarms page (mounted at ``/delivery/alarms/``): the alarms sent to me and, for a department head, those
of my department, each with who acknowledged it and when; and the acknowledge action. Thin: the selector reads
(with the acknowledge permission per row), the service decides and refuses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.accounts.selectors import headed_department_ids
from backend.core.notifications import render as render_notification
from backend.core.pagination import DeferredPaginator as Paginator
from backend.core.refusals import refused, safe_back
from backend.milestones import selectors, services
from backend.milestones.views import alarm_url

PAGE_SIZE = 50


@login_required
@require_GET
def alarm_list(request: AuthenticatedRequest) -> HttpResponse:
    heads = bool(headed_department_ids(request.user))
    scope = "department" if heads and request.GET.get("scope") == "department" else "mine"
    page = Paginator(selectors.alarm_list(user=request.user, scope=scope), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "alarm": alarm,
            "text": render_notification(f"alarm_{alarm.kind}", alarm.params) if alarm.params else alarm.kind,
            "url": alarm_url(alarm),
        }
        for alarm in page.object_list
    ]
    context = {"page": page, "rows": rows, "scope": scope, "is_head": heads}
    return render(request, "milestones/alarms.html", context)


@login_required
@require_POST
def alarm_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    with refused(request):
        services.alarm_acknowledge(actor=request.user, alarm_id=pk)
        messages.success(request, _("Alarm acknowledged."))
    return redirect(safe_back(request) or reverse("milestones:alarms"))
