"""Small write helpers every app's services use. No business rules here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

from backend.core.localized import companions
from backend.core.models import WorkerHeartbeat

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, data: dict[str, Any], fields: Iterable[str]) -> tuple[M, bool]:
    """Set the allowed ``fields`` present in ``data``, validate the instance, save only what changed.
    Returns (instance, changed). A value a field refuses raises Django's ValidationError (→ 400)."""
    changed = [f for f in fields if f in data and getattr(instance, f) != data[f]]
    for field in changed:
        setattr(instance, field, data[field])
    if changed:
        # validate what changed (a full clean would re-set protected fields such as an FSM status)
        instance.full_clean(
            exclude=[f.name for f in instance._meta.fields if f.name not in changed], validate_unique=False
        )
        if any(f.name == "updated_at" for f in instance._meta.fields):
            changed.append("updated_at")
        instance.save(update_fields=companions(instance, changed))
    return instance, bool(changed)


def heartbeat_record(*, name: str = "worker") -> WorkerHeartbeat:
    """Note that the background worker is alive."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(seen_at=now, beats=F("beats") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": now, "beats": 1})
    return WorkerHeartbeat.objects.get(name=name)


def sequence_next(*, key: str) -> int:
    """The next value of counter ``key``; call inside the transaction that uses it (the row stays locked)."""
    from django.db import transaction

    from backend.core.models import Sequence

    with transaction.atomic():
        Sequence.objects.get_or_create(key=key)
        row = Sequence.objects.select_for_update().get(key=key)
        row.value = F("value") + 1
        row.save(update_fields=["value"])
        row.refresh_from_db(fields=["value"])
        return row.value
