"""Tender notices (招标公告) and their attachments."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.choices import Industry, Region
from backend.core.models import SearchDirtyQuerySet, TimeStampedModel
from backend.core.uploads import UploadField


class Tender(TimeStampedModel):
    """A tender notice (招标公告) as published by the buyer."""

    number = models.CharField(_("tender number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    buyer = models.CharField(_("buyer"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenders",
    )
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, default=Industry.OTHER)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    publish_date = models.DateField(_("publish date"), null=True, blank=True)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"), null=True, blank=True)
    opening_date = models.DateTimeField(_("opening date"), null=True, blank=True)
    qualification_requirements = models.TextField(_("qualification requirements"), blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="tenders"
    )
    routing_rule = models.ForeignKey(
        "workflows.RoutingRule",
        verbose_name=_("assigned by rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenders",
    )
    search_dirty = models.BooleanField(_("needs re-indexing"), default=False, editable=False, db_index=True)

    objects = SearchDirtyQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_date", "-pk"]
        # the tender list (newest published first, undated last) reads its pages off the index
        # tender_newest_first, created by migration 0002 in each database's own syntax (issue 15); the list's
        # "next deadlines" read the five nearest off the deadline index
        indexes = [models.Index(fields=["bid_deadline"], name="tenders_deadline_idx")]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        """Deadlines fall on or after the publish date, and bids are opened no earlier than they close."""
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        errors: dict[str, Any] = {}  # message strings, some lazy
        if self.publish_date:
            for name in ("registration_deadline", "bid_deadline", "opening_date"):
                value = getattr(self, name)
                if value and timezone.localdate(value) < self.publish_date:
                    errors[name] = _("%(field)s cannot be before the publish date.") % {
                        "field": cast(models.Field, self._meta.get_field(name)).verbose_name
                    }
        if self.bid_deadline and self.opening_date and self.opening_date < self.bid_deadline:
            errors.setdefault("opening_date", _("Bids cannot be opened before the bid deadline."))
        if errors:
            raise ValidationError(errors)


class TenderAttachment(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="attachments")
    file = UploadField(_("file"), upload_to="tenders/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["tender_id", "pk"]
        verbose_name = _("tender attachment")
        verbose_name_plural = _("tender attachments")

    def __str__(self) -> str:
        return self.name
