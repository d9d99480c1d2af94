"""Payment terms (instalments of the contract price), invoices and receipts. Amounts that are sums
(collected, invoiced, outstanding) are computed in SQL by the selectors, never stored."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backend.core.localized import LocalizedCharField
from backend.core.models import TimeStampedModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PaymentTerm(TimeStampedModel):
    """An instalment of the contract price, due on a date or N days after a milestone is accepted."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="payment_terms")
    milestone = models.ForeignKey(
        "milestones.Milestone", null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_terms"
    )
    name = LocalizedCharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    percent = models.DecimalField(
        _("percent"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, help_text=_("Fixed by date, or set when the milestone is accepted.")
    )
    days_after_acceptance = models.PositiveSmallIntegerField(_("days after acceptance"), default=30)
    written_off = models.DecimalField(_("written off"), max_digits=16, decimal_places=2, default=Decimal(0))
    write_off_reason = models.TextField(_("write-off reason"), blank=True)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    if TYPE_CHECKING:  # set on the rows the payments pages show (backend/payments/views.py) for their templates
        state_label: StrOrPromise
        state_badge: str
        days_late: int | None

    class Meta:
        ordering = ["project_id", "order", "pk"]
        # receivables list the terms past due the oldest first: a page is a walk of this index (issue 15)
        indexes = [models.Index(fields=["due_date", "id"], name="payments_term_due_idx")]
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class Invoice(TimeStampedModel):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="invoices")
    payment_term = models.ForeignKey(
        PaymentTerm, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=50, unique=True)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["project_id", "issued_on", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number


class Receipt(TimeStampedModel):
    """Money received (partial payments are several receipts against one term)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="receipts")
    payment_term = models.ForeignKey(PaymentTerm, on_delete=models.PROTECT, related_name="receipts")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts")
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["project_id", "received_on", "pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.amount} @ {self.received_on}"
