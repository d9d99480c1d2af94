"""The health check every load balancer shares (the dashboard, made of every app's parts, is
``backend.dashboard``)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from backend.core.models import WorkerHeartbeat


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
