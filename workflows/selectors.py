"""Reads for reviews: the inbox of a user and a review with its steps and decisions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from backend.accounts.models import User
from backend.core.permissions import can, restrict, visible_to
from workflows.choices import StepStatus
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
    """Pending reviews whose active step ``user`` may decide and has not decided yet (never their own
    submission when the gate segregates duties): the permission layer's ``decide`` rows."""
    return restrict(user, "decide", review_list_visible(user=user))


def review_deciders(*, review: Review) -> list[User]:
    """Who may decide the active step of ``review`` now (by username): its approvers who have not decided,
    never the submitter when the gate segregates duties."""
    review = Review.objects.select_related("gate").get(pk=review.pk)
    step = review.steps.filter(status=StepStatus.ACTIVE).first()
    if step is None:
        return []
    return [user for user in step.approvers.order_by("username") if can(user, "decide", review)]
