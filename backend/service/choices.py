"""The channels, categories, priorities, states and coverage of a service request (工单)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How the request reached the service desk."""

    HOTLINE = "hotline", _("Hotline call")
    EMAIL = "email", pgettext_lazy("service channel", "E-mail")
    WEB = "web", _("Web form")
    ONSITE = "onsite", _("On site")


class Category(models.TextChoices):
    HARDWARE = "hardware", _("Hardware fault")
    SOFTWARE = "software", _("Software issue")
    NETWORK = "network", _("Network fault")
    CONSULTATION = "consultation", _("Consultation")
    CHANGE = "change", _("Change request")
    OTHER = "other", pgettext_lazy("service category", "Other")


class ServicePriority(models.TextChoices):
    """P1 stops the customer's business; P4 can wait. SLA targets are set per customer tier and priority."""

    URGENT = "p1", pgettext_lazy("service priority", "P1 urgent")
    HIGH = "p2", pgettext_lazy("service priority", "P2 high")
    NORMAL = "p3", pgettext_lazy("service priority", "P3 normal")
    LOW = "p4", pgettext_lazy("service priority", "P4 low")


class RequestStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("service request status", "New")
    ASSIGNED = "assigned", pgettext_lazy("service request status", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("service request status", "In progress")
    WAITING = "waiting", pgettext_lazy("service request status", "Waiting for customer")
    RESOLVED = "resolved", pgettext_lazy("service request status", "Resolved")
    CLOSED = "closed", pgettext_lazy("service request status", "Closed")


# States in which the request is still the desk's work (the SLA scan reads these).
OPEN_STATES = (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.WAITING)
# States in which the SLA clocks run (waiting for the customer pauses them).
RUNNING_STATES = (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)


class Coverage(models.TextChoices):
    """Whether the work is owed under the project's warranty or is billed."""

    WARRANTY = "warranty", _("Under warranty")
    BILLABLE = "billable", _("Billable")


class SlaTarget(models.TextChoices):
    RESPONSE = "response", _("First response")
    RESOLUTION = "resolution", pgettext_lazy("sla target", "Resolution")


# What each event of a request's log says (transitions and the other recorded changes).
EVENT_LABELS = {
    "create": _("Logged"),
    "assign": pgettext_lazy("service event", "Assigned"),
    "reassign": _("Reassigned"),
    "start": _("Work started"),
    "wait_for_customer": _("Waiting for the customer"),
    "resolve": pgettext_lazy("service event", "Resolved"),
    "close": pgettext_lazy("service event", "Closed"),
    "reopen": pgettext_lazy("service event", "Reopened"),
    "link_article": _("Knowledge article linked"),
    "unlink_article": _("Knowledge article unlinked"),
}
