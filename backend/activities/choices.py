"""The kinds, priorities and states of an activity."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    TODO = "todo", _("To-do")
    CALL = "call", pgettext_lazy("activity kind", "Call")
    VISIT = "visit", pgettext_lazy("activity kind", "Visit")
    MEETING = "meeting", pgettext_lazy("activity kind", "Meeting")
    DEMO = "demo", pgettext_lazy("activity kind", "Demo")


# Completing one of these records an Interaction of the same kind on the customer.
INTERACTION_KINDS = frozenset({ActivityKind.CALL, ActivityKind.VISIT})


class Priority(models.IntegerChoices):
    LOW = 1, pgettext_lazy("priority", "Low")
    NORMAL = 2, pgettext_lazy("priority", "Normal")
    HIGH = 3, pgettext_lazy("priority", "High")


class ActivityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("activity status", "Open")
    DONE = "done", pgettext_lazy("activity status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("activity status", "Cancelled")
