"""Base models shared by every app, and the worker heartbeat the scheduler keeps fresh."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.core.recovery import LeasedJob


class SearchDirtyQuerySet(models.QuerySet):
    """For a model with a ``search_dirty`` flag (its search index names it as ``dirty_field``): a bulk
    ``update()`` bypasses the signals that re-index, so it flags the rows and the periodic flush (every few
    minutes) indexes them, rather than the hourly reconcile. Passing ``search_dirty=`` explicitly wins."""

    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault("search_dirty", True)
        return super().update(**kwargs)


class TimeStampedModel(models.Model):
    """Adds created/updated times to a model."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """Last time the background worker ran the periodic heartbeat task (proof that beat and worker run)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("seen at"))
    beats = models.PositiveBigIntegerField(_("beats"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Sequence(models.Model):
    """Gapless counters for human-readable codes (P-2026-0001), one row per key; incremented under a row lock."""

    key = models.CharField(_("key"), max_length=50, unique=True)
    value = models.PositiveIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Notification(models.Model):
    """An in-app notification. ``kind`` and ``params`` are rendered in the reader's language at display
    time (``backend.core.notifications``), so the same row reads well in English and 简体中文."""

    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # One delivery's idempotency key: a retried delivery task finds its rows and writes none twice.
    key = models.CharField(_("delivery key"), max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class PendingNotification(LeasedJob):
    """A notification queued by ``notify`` and not yet delivered: written in the transaction that caused it and
    deleted by the delivery, so a delivery whose task was lost (worker killed; the filesystem broker keeps no
    message) is found here and queued again (``notifications.notifications_resume``)."""

    key = models.CharField(_("delivery key"), max_length=64, unique=True)
    user_ids = models.JSONField(_("recipients"), default=list)
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending notification")
        verbose_name_plural = _("pending notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_ids}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday on a weekday, or a weekend day that is
    worked (China's adjusted working days, 调休). Working-day arithmetic reads these."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class SavedFilter(models.Model):
    """A user's named filter of one list page (``list_key`` names the list, ``backend.core.lists``): the
    query string of its filters and sort, applied by opening the list with it. Only its owner sees it."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_filters"
    )
    list_key = models.CharField(pgettext_lazy("saved filter", "list"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(pgettext_lazy("saved filter", "query"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="saved_filter_unique_name"),
        ]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self) -> str:
        return f"{self.list_key}: {self.name}"
