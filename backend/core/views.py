"""Pages and endpoints every user shares: the dashboard and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from backend.core.models import WorkerHeartbeat
from backend.customers.selectors import customer_list_visible


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    heartbeat = WorkerHeartbeat.objects.filter(name="worker").first()
    context = {
        "my_customers": customer_list_visible(user=request.user).filter(owner=request.user).order_by("-updated_at")[:8],
        "heartbeat": heartbeat,
    }
    return render(request, "core/dashboard.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers, and when the worker last beat."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    heartbeat = WorkerHeartbeat.objects.filter(name="worker").first()
    return JsonResponse(
        {
            "database": "ok",
            "worker_seen_at": heartbeat.seen_at.isoformat() if heartbeat else None,
            "worker_age_seconds": round((timezone.now() - heartbeat.seen_at).total_seconds(), 1) if heartbeat else None,
        }
    )
