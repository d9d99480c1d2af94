"""Who may decide a review: an approver of its active step who has not decided that step yet — and, when
the gate segregates duties (the default), never the user who submitted it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from backend.accounts.models import User
from backend.core.permissions import action_rule
from workflows.choices import ReviewStatus, StepStatus
from workflows.models import Review, ReviewStep


def decide_q(user: User) -> Q:
    mine = ReviewStep.objects.filter(review=OuterRef("pk"), status=StepStatus.ACTIVE, approvers=user).exclude(
        approvals__approver=user
    )
    own = Q(submitted_by=user) & ~Q(gate__options__segregate_duties=False)
    return Q(status=ReviewStatus.PENDING) & Q(Exists(mine)) & ~own


@action_rule(Review, "decide", rows=decide_q)
def may_decide(user: User, review: Review) -> bool:
    from workflows.services import segregates_duties

    if review.status != ReviewStatus.PENDING:
        return False
    if review.submitted_by_id == user.pk and segregates_duties(review.gate):
        return False
    active = next((s for s in review.steps.all() if s.status == StepStatus.ACTIVE), None)
    return (
        active is not None
        and any(a.pk == user.pk for a in active.approvers.all())
        and not any(a.approver_id == user.pk for a in active.approvals.all())
    )
