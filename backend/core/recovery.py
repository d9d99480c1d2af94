"""Background work that survives a killed worker, whatever the broker.

A broker cannot be trusted to hand a task back after its worker died: the embedded filesystem broker deletes a
message when a worker picks it up, so ``acks_late`` has nothing to redeliver, and Redis only redelivers after
its visibility timeout. So every job whose loss a user would notice is recoverable from the database itself.

The generic part (this module): a job row carries a **lease** (``LeasedJob``: ``lease_until``, the
``lease_owner`` that holds it and how often it was ``resumed``). A worker claims the row before it works
(``lease_claim``: one claimant wins), renews the lease as it makes progress (``lease_renew``, which also tells
it whether it still holds the job) and the job records its progress in the database, so a resumed run skips
what is done. Each app registers a **resumer** in its ``AppConfig.ready()`` (``register_resumer``): a function
that finds its stalled jobs — unfinished, lease expired — and queues them again (``lease_release_for_resume``
picks each one once, however many beats race). ``resume_work`` runs every resumer; beat calls it every minute
(task ``backend.core.tasks.resume_work``) and ``sicrm resume-work`` runs it by hand. Core imports no app: the
apps register into it.

Which mechanism covers which job:

- **Document batches** (docs_templates): a lease on ``DocumentBatch`` and a resumer here. Each generated document
  is unique per (batch, project) and written in the same transaction as the batch's progress, so a resumed batch
  makes each document exactly once.
- **Indexing** (search): already recoverable. A change marks its row ``search_dirty`` in the writing transaction;
  the ``search-flush-dirty`` beat indexes the flagged rows and ``search-reconcile`` compares the index with the
  database, so a lost indexing task is redone by the next flush.
- **Alarms** (milestones): already recoverable. An ``Alarm`` row is written by the scan before it is sent and
  marked ``delivered_at`` in the delivering transaction; every ``alarms`` scan queues each undelivered alarm
  again, and delivery under a row lock happens once.
- **Notifications** (core): ``notify`` writes a ``PendingNotification`` in the transaction that causes it, and the
  delivery deletes it; the core resumer queues again each one still pending a lease period later. Delivery is
  idempotent by the call's key (unique per recipient), so each notification is written once however often it is
  delivered. (Alarms write their notifications in their own delivering transaction, above.)
- **Weekly digests** (reports): a ``DigestSent`` row per person and week is written before the e-mail; the
  reports app registers a resumer that queues the run again when it sent some of this week's digests, then
  nothing for a lease period, and someone is still missing one: each person still gets one digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# name -> function(now) returning how many stalled jobs it queued again
Resumer = Callable[[datetime], int]
_resumers: dict[str, Resumer] = {}


def register_resumer(name: str, resumer: Resumer) -> None:
    """Called from an app's ``ready()``; registering the same name again replaces it."""
    _resumers[name] = resumer


def resumers() -> dict[str, Resumer]:
    return dict(_resumers)


def resume_work(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered resumer; returns how many jobs each queued again. One failing resumer is logged and
    does not stop the others."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for name, resumer in sorted(_resumers.items()):
        try:
            counts[name] = resumer(now)
        except Exception:
            logger.exception("resumer %s failed", name)
            counts[name] = -1
    return counts


def lease_seconds() -> int:
    return int(getattr(settings, "WORK_LEASE_SECONDS", 300))


def lease_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=lease_seconds())


class LeasedJob(models.Model):
    """A job row that a worker holds for a while (its lease) and renews as it makes progress. A job whose lease
    expired before it finished is stalled: its worker is gone, and a resumer queues it again."""

    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    lease_owner = models.CharField(_("lease held by"), max_length=100, blank=True, default="")
    resumed = models.PositiveIntegerField(_("times resumed"), default=0)

    class Meta:
        abstract = True


def lease_claim(queryset: models.QuerySet, *, pk: Any, owner: str, now: datetime | None = None) -> bool:
    """Take the job ``pk`` (among ``queryset``, the unfinished jobs) for ``owner``: it must be free (no owner —
    new or released for a resume) or its lease expired. One claimant wins (a single conditional UPDATE)."""
    now = now or timezone.now()
    free = Q(lease_owner="") | Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(queryset.filter(free, pk=pk).update(lease_owner=owner, lease_until=lease_deadline(now)))


def lease_renew(queryset: models.QuerySet, *, pk: Any, owner: str, now: datetime | None = None, **changes: Any) -> bool:
    """Extend ``owner``'s lease (and write ``changes``, e.g. progress, in the same statement); False when the job
    is no longer this owner's (a resume gave it to another worker): the caller stops."""
    return bool(queryset.filter(pk=pk, lease_owner=owner).update(lease_until=lease_deadline(now), **changes))


def stalled(queryset: models.QuerySet, *, now: datetime) -> models.QuerySet:
    """The unfinished jobs among ``queryset`` whose worker is gone: lease expired, or never claimed for a whole
    lease period (its message was lost before a worker took it)."""
    never_claimed = Q(lease_until__isnull=True, created_at__lt=now - timedelta(seconds=lease_seconds()))
    return queryset.filter(Q(lease_until__lt=now) | never_claimed)


def lease_release_for_resume(queryset: models.QuerySet, *, pk: Any, now: datetime) -> bool:
    """Pick a stalled job for a resume, once: it loses its owner (the next worker to claim it wins) and gets a
    fresh lease period to be picked up in, so the next beats leave it alone unless that message is lost too."""
    return bool(
        stalled(queryset, now=now)
        .filter(pk=pk)
        .update(lease_owner="", lease_until=lease_deadline(now), resumed=models.F("resumed") + 1)
    )
