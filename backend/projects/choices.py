"""Project states, roles and categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The lifecycle of DESIGN.md §3."""

    TENDER = "tender", _("Tender")
    INITIATION_REVIEW = "initiation_review", _("Initiation review")
    REJECTED = "rejected", _("Rejected")
    PURSUIT = "pursuit", _("Pursuit")
    BIDDING = "bidding", _("Bidding")
    NEGOTIATION = "negotiation", _("Negotiation")
    CONTRACT_REVIEW = "contract_review", _("Contract review")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    ABANDONED = "abandoned", _("Abandoned")
    IMPLEMENTATION = "implementation", _("Implementation")
    SUSPENDED = "suspended", _("Suspended")
    ACCEPTANCE_REVIEW = "acceptance_review", _("Acceptance review")
    ACCEPTED = "accepted", _("Accepted")
    WARRANTY = "warranty", _("Warranty")
    CLOSED = "closed", _("Closed")


PRESALES_OPEN = [
    Status.TENDER,
    Status.INITIATION_REVIEW,
    Status.PURSUIT,
    Status.BIDDING,
    Status.NEGOTIATION,
    Status.CONTRACT_REVIEW,
]
PRESALES_CLOSED = [Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED]
DELIVERY = [
    Status.IMPLEMENTATION,
    Status.SUSPENDED,
    Status.ACCEPTANCE_REVIEW,
    Status.ACCEPTED,
    Status.WARRANTY,
    Status.CLOSED,
]
# Columns of the kanban board, in lifecycle order.
BOARD_COLUMNS = [*PRESALES_OPEN, Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED, *DELIVERY]


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    BID_MANAGER = "bid_manager", _("Bid manager")
    PRESALES = "presales", _("Presales")
    PM = "pm", _("Project manager")
    ENGINEER = "engineer", _("Engineer")
    FINANCE = "finance", _("Finance")
    OBSERVER = "observer", _("Observer")


# Members in these roles may edit the project and call its user transitions.
EDITING_ROLES = frozenset({MemberRole.OWNER, MemberRole.BID_MANAGER, MemberRole.PRESALES, MemberRole.PM})


class Source(models.TextChoices):
    TENDER = "tender", _("Public tender")
    REFERRAL = "referral", _("Referral")
    EXISTING_CUSTOMER = "existing_customer", _("Existing customer")
    PARTNER = "partner", _("Partner")
    MARKETING = "marketing", _("Marketing")
    OTHER = "other", _("Other")


class ThreatLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class PartnerKind(models.TextChoices):
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    VENDOR = "vendor", _("Vendor")
    CONSORTIUM = "consortium", _("Consortium member")


class CostCategory(models.TextChoices):
    PRESALES = "presales", _("Presales cost")
    LABOUR = "labour", _("Labour")
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    SUBCONTRACT = "subcontract", _("Subcontract")
    TRAVEL = "travel", _("Travel")


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Transition")
    DECISION = "decision", _("Review decision")
    CREATED = "created", _("Created")
    MILESTONE = "milestone", _("Milestone")
