"""Gate, review and routing vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GateKind(models.TextChoices):
    INITIATION = "initiation", _("Initiation (立项)")
    QUOTATION_MARGIN = "quotation_margin", _("Quotation margin")
    CONTRACT = "contract", _("Contract review (合同评审)")
    ACCEPTANCE = "acceptance", _("Acceptance (验收)")


class StepMode(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("All approvers")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for rework")


class RoutingTarget(models.TextChoices):
    PROJECT = "project", _("Projects")
    TENDER = "tender", _("Tenders")
    BOTH = "both", _("Projects and tenders")
    ACTIVITY = "activity", _("Activities from templates")
    SERVICE_REQUEST = "service_request", _("Service requests")


class RoutingAssignee(models.TextChoices):
    USER = "user", _("A specific user")
    PROJECT_ROLE = "project_role", _("A role within the project")
    ROUND_ROBIN = "round_robin", _("Round-robin across a group")
