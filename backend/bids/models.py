"""Bids, quotations, contract terms and win/loss records."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backend.bids.choices import BidResult, Outcome, QuotationStatus
from backend.core.localized import LocalizedCharField
from backend.core.models import TimeStampedModel
from backend.core.uploads import UploadField

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Bid(TimeStampedModel):
    """One bid round of a project: submission, bid bond (保证金) and result."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="bids")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    submitted_on = models.DateField(_("submission date"), null=True, blank=True)
    bond_amount = models.DecimalField(_("bid bond"), max_digits=16, decimal_places=2, null=True, blank=True)
    bond_paid_on = models.DateField(_("bond paid on"), null=True, blank=True)
    bond_refunded_on = models.DateField(_("bond refunded on"), null=True, blank=True)
    proposal = UploadField(_("proposal document"), upload_to="bids/%Y/%m/", blank=True)
    our_price = models.DecimalField(_("our price"), max_digits=16, decimal_places=2, null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=BidResult.choices, default=BidResult.PENDING)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["project_id", "round"]
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="uniq_bid_round")]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")

    def __str__(self) -> str:
        return f"{self.project.code} round {self.round}"


class BidOpeningEntry(models.Model):
    """One bidder's price and rank at the bid opening (开标记录); ``is_us`` marks our own line."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="opening")
    competitor = models.ForeignKey(
        "projects.Competitor",
        verbose_name=_("competitor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="openings",
    )
    is_us = models.BooleanField(_("our bid"), default=False)
    price = models.DecimalField(_("price"), max_digits=16, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    technical_score = models.DecimalField(_("technical score"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["bid_id", "rank", "price"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_us=True, competitor__isnull=True)
                | models.Q(is_us=False, competitor__isnull=False),
                name="opening_entry_is_us_xor_competitor",
            ),
            models.UniqueConstraint(fields=["bid", "competitor"], name="uniq_opening_competitor"),
        ]
        verbose_name = _("opening record entry")
        verbose_name_plural = _("opening record entries")

    def __str__(self) -> str:
        return f"{'us' if self.is_us else self.competitor}: {self.price}"


class Quotation(TimeStampedModel):
    """A version of the price offered; totals and margin are computed in SQL from the lines."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="quotations")
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=20, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # A quotation for a channel partner: its grade's discount ceiling applies to the lines (quotation_submit).
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("channel partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotations",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["project_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="uniq_quotation_version")]
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"


class QuotationLine(models.Model):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    discount = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=13, validators=PERCENT)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["quotation_id", "position", "pk"]
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")

    def __str__(self) -> str:
        return self.description


class ContractTerms(TimeStampedModel):
    """What the contract-review gate reviews."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="contract_terms")
    amount = models.DecimalField(_("contract amount"), max_digits=16, decimal_places=2)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    penalties = models.TextField(_("penalties"), blank=True)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        verbose_name = _("contract terms")
        verbose_name_plural = _("contract terms")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.amount}"


class WinLossReason(models.Model):
    """A configurable reason deals are won or lost (price, technology, relationship ...)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = LocalizedCharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("win/loss reason")
        verbose_name_plural = _("win/loss reasons")

    def __str__(self) -> str:
        return self.name


class WinLossRecord(TimeStampedModel):
    """Why a deal was won, lost or abandoned; required to enter those states."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="win_loss")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    primary_reason = models.ForeignKey(
        WinLossReason, verbose_name=_("primary reason"), on_delete=models.PROTECT, related_name="+"
    )
    secondary_reasons = models.ManyToManyField(
        WinLossReason, verbose_name=_("secondary reasons"), blank=True, related_name="+"
    )
    winning_competitor = models.ForeignKey(
        "projects.Competitor",
        verbose_name=_("winning competitor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wins_against_us",
    )
    winning_price = models.DecimalField(_("winning price"), max_digits=16, decimal_places=2, null=True, blank=True)
    our_price = models.DecimalField(_("our price"), max_digits=16, decimal_places=2, null=True, blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("win/loss record")
        verbose_name_plural = _("win/loss records")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_outcome_display()}"
