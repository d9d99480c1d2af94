"""Reads for reviews: the inbox of a user and a review with its steps and decisions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from backend.accounts.models import User
from backend.core.permissions import visible_to
from workflows.choices import ReviewStatus, StepStatus
from workflows.models import Approval, Review, ReviewStep


def review_list_visible(*, user: User) -> QuerySet[Review]:
    return (
        visible_to(user, Review.objects.all())
        .select_related("gate", "project", "project__customer", "submitted_by", "quotation")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ReviewStep.objects.prefetch_related(
                    "approvers", Prefetch("approvals", queryset=Approval.objects.select_related("approver"))
                ),
            )
        )
    )


def review_inbox(*, user: User) -> QuerySet[Review]:
    """Pending reviews whose active step ``user`` may decide and has not decided yet."""
    mine = ReviewStep.objects.filter(review=OuterRef("pk"), status=StepStatus.ACTIVE, approvers=user).exclude(
        approvals__approver=user
    )
    return review_list_visible(user=user).filter(status=ReviewStatus.PENDING).filter(Exists(mine))
