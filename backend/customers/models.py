"""Customers, their contacts and interactions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from backend.core.choices import Industry, Region
from backend.core.models import SearchDirtyQuerySet, TimeStampedModel
from backend.customers.choices import DecisionRole, InteractionKind, Tier


class Customer(TimeStampedModel):
    """An organisation we sell to. ``name_key`` (the normalized name) and ``credit_code`` are unique, so
    the duplicate guard holds even under concurrent creates."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("normalized name"), max_length=200, unique=True, editable=False)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("统一社会信用代码: 18 characters, checked with its check character."),
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, default=Industry.OTHER)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="customers"
    )
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, blank=True)
    tier_manual = models.BooleanField(
        _("tier set by hand"),
        default=False,
        help_text=_("The nightly ABC ranking leaves a tier set by hand alone."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_dirty = models.BooleanField(_("needs re-indexing"), default=False, editable=False, db_index=True)

    objects = SearchDirtyQuerySet.as_manager()

    # audit: who changed which field, when (backend/core/audit.py); the search flag is bookkeeping, not history
    history = HistoricalRecords(excluded_fields=["search_dirty"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["industry", "region"]), models.Index(fields=["owner"])]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at a customer, with the part they play in buying decisions."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    decision_role = models.CharField(
        _("decision role"), max_length=20, choices=DecisionRole.choices, default=DecisionRole.USER
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    class Meta:
        ordering = ["customer_id", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})" if self.customer_id else self.name


class Interaction(TimeStampedModel):
    """A visit, call, meeting or e-mail with a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("date"))
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True, related_name="interactions")
    summary = models.CharField(_("summary"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="interactions"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        # the last contact of each customer (the going-cold report) is read off this index
        indexes = [models.Index(fields=["customer", "occurred_at"], name="interaction_customer_time")]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}: {self.summary}"
