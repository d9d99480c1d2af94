"""What the analytics keep of their own: sales targets, weekly forecast snapshots, KPI dimensions and scores,
the contact frequency each customer tier expects, initiation scorecards and the weekly digests sent.

Everything else a report shows is computed from the other apps' tables when it is asked for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend.core.models import TimeStampedModel
from backend.customers.choices import Tier
from reports.choices import KpiMetric, TargetPeriod


class SalesTarget(TimeStampedModel):
    """A quota: the amount a person or a department is expected to win in one month or quarter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    period = models.CharField(_("period"), max_length=10, choices=TargetPeriod.choices)
    period_start = models.DateField(_("period start"), help_text=_("The first day of the month or quarter."))
    amount = models.DecimalField(
        _("target amount"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("99999999999999.99"))],
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["period_start", "period", "pk"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, department__isnull=True)
                | models.Q(user__isnull=True, department__isnull=False),
                name="target_for_person_xor_department",
            ),
            models.UniqueConstraint(
                fields=["user", "period", "period_start"],
                condition=models.Q(user__isnull=False),
                name="uniq_target_per_person_period",
            ),
            models.UniqueConstraint(
                fields=["department", "period", "period_start"],
                condition=models.Q(department__isnull=False),
                name="uniq_target_per_department_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.department} {self.period} {self.period_start}: {self.amount}"


class ForecastSnapshot(models.Model):
    """One open deal as it stood on the day of a weekly snapshot (what was committed, for how much, when)."""

    taken_on = models.DateField(_("taken on"))
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="forecast_snapshots", db_constraint=True
    )
    status = models.CharField(_("status"), max_length=30)
    category = models.CharField(_("forecast category"), max_length=20)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-taken_on", "project_id"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        constraints = [models.UniqueConstraint(fields=["taken_on", "project"], name="uniq_snapshot_per_day")]
        indexes = [models.Index(fields=["taken_on", "expected_close_date"], name="snapshot_day_close")]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.project_id} {self.category}"


class KpiDimension(models.Model):
    """One dimension of the employee scorecard: a computed metric, or a soft score a manager enters (创新性,
    协作性 …), each with its weight in the composite score. Names come in both languages (product data)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    metric = models.CharField(
        _("computed metric"),
        max_length=30,
        choices=KpiMetric.choices,
        blank=True,
        help_text=_("Empty: a soft score entered by managers."),
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=10, validators=[MaxValueValidator(1000)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("KPI dimension")
        verbose_name_plural = _("KPI dimensions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def is_soft(self) -> bool:
        return not self.metric


class KpiScore(models.Model):
    """A manager's score of one person on one soft dimension for one quarter. Never edited: a new score is a
    new row, and the latest counts, so who scored what and when stays on record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="kpi_scores"
    )
    dimension = models.ForeignKey(
        KpiDimension, verbose_name=_("dimension"), on_delete=models.PROTECT, related_name="scores"
    )
    period_start = models.DateField(_("quarter"), help_text=_("The first day of the quarter scored."))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    comment = models.TextField(_("comment"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scored by"), on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(_("scored at"), auto_now_add=True)

    class Meta:
        ordering = ["-scored_at", "-pk"]
        verbose_name = _("KPI score")
        verbose_name_plural = _("KPI scores")
        indexes = [models.Index(fields=["user", "dimension", "period_start"], name="kpi_score_lookup")]

    def __str__(self) -> str:
        return f"{self.user} {self.dimension.code} {self.period_start}: {self.score}"


class TierPolicy(models.Model):
    """How often a customer of each tier expects to hear from us (the going-cold report reads it)."""

    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, unique=True)
    contact_days = models.PositiveSmallIntegerField(
        _("contact at least every (days)"), validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )

    class Meta:
        ordering = ["tier"]
        verbose_name = _("tier contact policy")
        verbose_name_plural = _("tier contact policies")

    def __str__(self) -> str:
        return f"{self.tier}: {self.contact_days}"


class Scorecard(models.Model):
    """The win probability computed when a project was submitted for initiation (立项), with the factors that
    pushed it up or down, kept as shown to the approvers."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="scorecards")
    review = models.OneToOneField(
        "workflows.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="scorecard"
    )
    probability = models.FloatField(_("win probability"))
    baseline = models.FloatField(_("overall win rate"))
    factors = models.JSONField(_("factors"), default=list)
    training_deals = models.PositiveIntegerField(_("closed deals learned from"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("initiation scorecard")
        verbose_name_plural = _("initiation scorecards")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.probability:.0%}"

    def shown_factors(self) -> list[dict[str, Any]]:
        """The factors kept, each named in the reader's language (not the language of whoever submitted)."""
        from reports.scoring import feature_label, value_label

        return [
            {**row, "label": feature_label(row["factor"]), "value_label": value_label(row["factor"], row["value"])}
            for row in self.factors
        ]


class DigestSent(models.Model):
    """One weekly digest to one person; the unique week makes sending it exactly once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "week_start"], name="uniq_digest_per_week")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week_start}"
