"""Choices of the channel partners: a grade's support level and the criteria a grade is measured by."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SupportLevel(models.TextChoices):
    ROUND_THE_CLOCK = "24x7", pgettext_lazy("support level", "7×24")
    BUSINESS_HOURS = "5x8", pgettext_lazy("support level", "5×8")
    BEST_EFFORT = "best_effort", pgettext_lazy("support level", "Best effort")


class Criterion(models.TextChoices):
    """What a grade's thresholds measure, in the order the reasons list them."""

    TRAININGS = "trainings", _("Trainings in the last 12 months")
    YEARS = "years", _("Years of cooperation")
    VOLUME = "volume", _("Volume won in the last 12 months")
    CERTIFICATIONS = "certifications", _("Valid certifications")
