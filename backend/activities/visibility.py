"""Who sees an activity: its owner and attendees; beyond them, whoever sees the project it is linked to,
or the customer it is linked to (directly or through a contact). An activity linked to nothing stays with
its owner and attendees, even for the see-all roles."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.activities.models import Activity
from backend.core.permissions import visibility_rule
from backend.customers.visibility import customer_q
from backend.projects.visibility import project_q


def _linked(q: Q | None, field: str) -> Q:
    """``q`` over the linked object, or every row linked to one when the user sees them all."""
    return Q(**{f"{field}__isnull": False}) if q is None else q


def mine_q(user: User) -> Q:
    """The activities ``user`` owns or attends."""
    attending = Activity.attendees.through.objects.filter(user_id=user.pk).values("activity_id")
    return Q(owner_id=user.pk) | Q(pk__in=attending)


@visibility_rule(Activity)
def _activity(user: User) -> Q:
    return (
        mine_q(user)
        | _linked(project_q(user, "project__"), "project")
        | _linked(customer_q(user, "customer__"), "customer")
        | _linked(customer_q(user, "contact__customer__"), "contact")
    )
