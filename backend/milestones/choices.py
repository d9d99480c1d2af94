from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_MILESTONE = [MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.RETURNED]


class DeliverableType(models.TextChoices):
    INITIATION_REQUEST = "initiation_request", _("Initiation request (立项申请表)")
    BID_REVIEW = "bid_review", _("Bid review (投标评审表)")
    QUOTATION = "quotation", _("Quotation (报价单)")
    CONTRACT_REVIEW = "contract_review", _("Contract review record (合同评审表)")
    DESIGN = "design", _("Solution design")
    DELIVERY_CONFIRMATION = "delivery_confirmation", _("Milestone delivery confirmation (里程碑交付确认单)")
    TEST_REPORT = "test_report", _("Test report")
    TRAINING_RECORD = "training_record", _("Training record")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report (验收报告)")
    WEEKLY_REPORT = "weekly_report", _("Weekly report (项目周报)")
    CLOSURE_REPORT = "closure_report", _("Closure report (结项报告)")
    OTHER = "other", _("Other")


class DeliverableStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    CONDITIONAL = "conditional", _("Passed with conditions")
    FAILED = "failed", pgettext_lazy("acceptance result", "Failed")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class AlarmKind(models.TextChoices):
    MILESTONE_DUE = "milestone_due", _("Milestone due soon")
    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
    STAGE_OVERDUE = "stage_overdue", _("Stage over its standard duration")
    REVIEW_PENDING = "review_pending", _("Review waiting too long")
    TENDER_DEADLINE = "tender_deadline", _("Tender deadline approaching")


# What the buttons say, and what refusals call each transition.
TRANSITION_LABELS = {
    "start": _("Start"),
    "submit": _("Submit for acceptance"),
    "accept": _("Accept"),
    "return_for_rework": _("Return for rework"),
    "resume_work": _("Resume work"),
    "cancel": _("Cancel milestone"),
}
