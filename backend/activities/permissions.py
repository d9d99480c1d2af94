"""Who may act on an activity: its owner changes, completes, cancels and reopens it; an attendee may complete
it too (the one who held the call records it). The see-all roles and superusers are not special here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from backend.activities.models import Activity
from backend.core.permissions import action_rule


def _owner_rows(user: Any) -> Q:
    return Q(owner_id=user.pk)


@action_rule(Activity, "change", rows=_owner_rows)
def _change(user: Any, activity: Activity) -> bool:
    return bool(user.is_superuser or activity.owner_id == user.pk)


@action_rule(Activity, "complete")
def _complete(user: Any, activity: Activity) -> bool:
    return _change(user, activity) or activity.attendees.filter(pk=user.pk).exists()
