"""Channel partners' grades (金牌/银牌/注册), each partner's profile with the grade the periodic re-grading
gave it and why, the trainings and certifications it is measured by, and the history of its grade changes.
The catalogue itself (``projects.Partner``) and the projects a partner works on stay in backend.projects."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.localized import LocalizedCharField
from backend.core.models import TimeStampedModel
from backend.partners.choices import SupportLevel

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class PartnerGrade(models.Model):
    """A grade and its terms. A partner gets the highest-ranked grade whose every threshold it meets."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = LocalizedCharField(_("name"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("Higher is better."))
    # thresholds
    min_trainings = models.PositiveSmallIntegerField(_("min. trainings in 12 months"), default=0)
    min_years = models.PositiveSmallIntegerField(_("min. years of cooperation"), default=0)
    min_volume = models.DecimalField(
        _("min. volume won in 12 months (CNY)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    min_certifications = models.PositiveSmallIntegerField(_("min. valid certifications"), default=0)
    # terms
    credit_limit = models.DecimalField(_("credit limit (CNY)"), max_digits=16, decimal_places=2, default=Decimal(0))
    discount_ceiling = models.DecimalField(
        _("discount ceiling (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Quotation lines for this grade's partners above this discount need the margin approval."),
    )
    support_level = models.CharField(
        _("support level"), max_length=20, choices=SupportLevel.choices, default=SupportLevel.BEST_EFFORT
    )

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("partner grade")
        verbose_name_plural = _("partner grades")

    def __str__(self) -> str:
        return str(self.name)


class PartnerProfile(TimeStampedModel):
    """A catalogue partner as a channel partner: since when we cooperate, and its grade with the reasons."""

    partner = models.OneToOneField(
        "projects.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="profile"
    )
    cooperation_since = models.DateField(_("cooperating since"), null=True, blank=True)
    grade = models.ForeignKey(
        PartnerGrade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade_manual = models.BooleanField(
        _("grade set by hand"), default=False, help_text=_("The periodic re-grading leaves a grade set by hand alone.")
    )
    # [{"grade": code, "criterion": Criterion, "value": str, "threshold": str, "met": bool}, ...]: the criteria
    # of the grade given and of the grade just above it, as the last re-grading measured them.
    grade_reasons = models.JSONField(_("grade reasons"), default=list, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")

    def __str__(self) -> str:
        return str(self.partner)


class PartnerTraining(models.Model):
    partner = models.ForeignKey(
        "projects.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="trainings"
    )
    course = models.CharField(_("course"), max_length=200)
    held_on = models.DateField(_("date"))
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=1, validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["partner", "held_on"])]
        verbose_name = _("partner training")
        verbose_name_plural = _("partner trainings")

    def __str__(self) -> str:
        return f"{self.course} ({self.held_on})"


class PartnerCertification(models.Model):
    partner = models.ForeignKey(
        "projects.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="certifications"
    )
    name = models.CharField(_("certification"), max_length=200)
    issued = models.DateField(_("issued"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: does not expire."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued", "-pk"]
        indexes = [models.Index(fields=["partner", "valid_until"])]
        verbose_name = _("partner certification")
        verbose_name_plural = _("partner certifications")

    def __str__(self) -> str:
        return self.name


class PartnerGradeChange(models.Model):
    """The history of a partner's grade: old → new, when, by whom (nobody: the periodic re-grading)."""

    partner = models.ForeignKey(
        "projects.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="grade_changes"
    )
    old_grade = models.ForeignKey(
        PartnerGrade, verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_grade = models.ForeignKey(
        PartnerGrade, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("partner grade change")
        verbose_name_plural = _("partner grade changes")

    def __str__(self) -> str:
        return f"{self.partner}: {self.old_grade} → {self.new_grade}"
