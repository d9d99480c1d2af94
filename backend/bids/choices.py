from django.db import models
from django.utils.translation import gettext_lazy as _


class BidResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    AWARDED = "awarded", _("Awarded")
    LOST = "lost", _("Lost")
    VOID = "void", _("Void")


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    ABANDONED = "abandoned", _("Abandoned")
