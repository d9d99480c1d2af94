from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """ABC segmentation by trailing three-year won amount (A: top 80 % of revenue, B: next 15 %, C: rest)."""

    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class InteractionKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
