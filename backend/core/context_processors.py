"""Template context every page gets: the unread notification count and the number of reviews waiting
for the user's decision (for the navigation bar). Each is one query, run only if a template uses it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _unread(user: Any) -> int:
    from backend.core.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _inbox(user: Any) -> int:
    """Active steps ``user`` approves and has not decided yet (approvers always see their reviews)."""
    from workflows.choices import ReviewStatus, StepStatus
    from workflows.models import ReviewStep

    return (
        ReviewStep.objects.filter(status=StepStatus.ACTIVE, approvers=user, review__status=ReviewStatus.PENDING)
        .exclude(approvals__approver=user)
        .count()
    )


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "inbox_reviews": 0}
    return {
        "unread_notifications": SimpleLazyObject(lambda: _unread(user)),
        "inbox_reviews": SimpleLazyObject(lambda: _inbox(user)),
    }
