"""Project states, roles and categories."""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
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
# Deals with a contract: won, in delivery, or delivered (what a customer's contract value sums).
CONTRACTED = [Status.WON, *DELIVERY]
# States a project never leaves: its checklist no longer asks for anything (lists show no open items).
FINISHED = [Status.LOST, Status.ABANDONED, Status.REJECTED, Status.CLOSED]
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
    CHANGE = "change", _("Change")


# Events that move the status (stage durations and conversion are computed from these alone).
STATUS_EVENT_KINDS = (EventKind.CREATED, EventKind.TRANSITION, EventKind.DECISION)
# The deal's outcome: entering one of these sets ``Project.closed_at``; the first three are outcomes of a sale
# (``Project.outcome``); a rejected initiation is not.
OUTCOME_STATES = (Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED)
SALE_OUTCOMES = (Status.WON, Status.LOST, Status.ABANDONED)
# The presales stages in the order a deal moves through them (the funnel).
FUNNEL_STAGES = [
    Status.TENDER,
    Status.INITIATION_REVIEW,
    Status.PURSUIT,
    Status.BIDDING,
    Status.NEGOTIATION,
    Status.CONTRACT_REVIEW,
    Status.WON,
]


class ForecastCategory(models.TextChoices):
    """Salesforce's forecast categories: how sure the owner is that an open deal closes in its month."""

    PIPELINE = "pipeline", pgettext_lazy("forecast", "Pipeline")
    BEST_CASE = "best_case", pgettext_lazy("forecast", "Best case")
    COMMIT = "commit", pgettext_lazy("forecast", "Commit")
    OMITTED = "omitted", pgettext_lazy("forecast", "Omitted")
    CLOSED = "closed", pgettext_lazy("forecast", "Closed")


# The probability each presales stage stands for; an open deal whose owner has not chosen a forecast
# category gets the category of its stage's probability (≥ 90 %: commit, ≥ 50 %: best case, else pipeline).
STAGE_PROBABILITY = {
    Status.TENDER: 10,
    Status.INITIATION_REVIEW: 20,
    Status.PURSUIT: 30,
    Status.BIDDING: 50,
    Status.NEGOTIATION: 70,
    Status.CONTRACT_REVIEW: 90,
}


def category_for_probability(probability: int) -> str:
    if probability >= 90:
        return ForecastCategory.COMMIT
    if probability >= 50:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


def default_forecast_category(status: str) -> str:
    """The category a deal in ``status`` has until its owner picks one."""
    if status not in PRESALES_OPEN:
        return ForecastCategory.CLOSED
    return category_for_probability(STAGE_PROBABILITY[Status(status)])


# Button labels of the transitions users call, and history labels of the ones the gates fire.
TRANSITION_LABELS = {
    "submit_initiation": _("Submit for initiation"),
    "start_bidding": _("Start bidding"),
    "award": _("Mark as awarded"),
    "lose": _("Mark as lost"),
    "submit_contract_review": _("Submit contract review"),
    "abandon": _("Abandon"),
    "approve_initiation": _("Initiation approved"),
    "reject_initiation": _("Initiation rejected"),
    "return_initiation": _("Initiation returned for rework"),
    "approve_contract": _("Contract approved"),
    "reject_contract": _("Contract rejected"),
    "return_contract": _("Contract returned for rework"),
    "kickoff": _("Kick off delivery"),
    "request_acceptance": _("Request acceptance"),
    "start_warranty": _("Start the warranty"),
    "close": _("Close the project"),
    "suspend": _("Suspend the project"),
    "resume": _("Resume the project"),
    "approve_acceptance": _("Acceptance approved"),
    "reject_acceptance": _("Acceptance rejected"),
    "return_acceptance": _("Acceptance returned for rework"),
}
# Shown after the forward moves, in red: they end the deal.
ENDING_TRANSITIONS = frozenset({"lose", "abandon"})
DECISION_LABELS = {
    "approve": _("approved"),
    "reject": _("rejected"),
    "return": _("returned"),
}


def transition_label(name: str) -> str:
    if name in TRANSITION_LABELS:
        return str(TRANSITION_LABELS[name])
    if ":" in name:  # a decision on a step that did not end the review, e.g. "contract:approve"
        decision = name.split(":", 1)[1]
        return gettext("Step %(decision)s") % {"decision": DECISION_LABELS.get(decision, decision)}
    return name.replace("_", " ").capitalize()


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value
