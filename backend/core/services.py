"""Small write helpers every app's services use. No business rules here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.core.localized import companions
from backend.core.models import SavedFilter, WorkerHeartbeat

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


def saved_filter_create(*, user: Any, list_key: str, name: str, query: str) -> SavedFilter:
    """Save ``query`` (a list's filters and sort) under ``name`` for ``user``. Refused: an unknown list, an
    empty or over-long name or query, a name the user already has for this list (409)."""
    from backend.core.lists import LISTS, clean_query  # noqa: PLC0415  (lists reads the selectors)

    if list_key not in LISTS:
        raise NotFound(_("There is no such list."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give the filter a name."), fields={"name": [_("This field is required.")]})
    if len(name) > SavedFilter._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationFailed(_("The name is too long (at most 100 characters)."))
    query = clean_query(query or "")
    if len(query) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ValidationFailed(_("The filter is too long to be saved."))
    with transaction.atomic():
        if SavedFilter.objects.filter(user=user, list_key=list_key, name=name).exists():
            raise Conflict(
                _("You already have a saved filter named “%(name)s” for this list; choose another name.")
                % {"name": name},
                code="duplicate_name",
            )
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(user=user, list_key=list_key, name=name, query=query)
        except IntegrityError:  # saved at the same moment by another request
            raise Conflict(
                _("You already have a saved filter named “%(name)s” for this list; choose another name.")
                % {"name": name},
                code="duplicate_name",
            ) from None


def saved_filter_delete(*, user: Any, pk: int) -> SavedFilter:
    """Delete one of ``user``'s saved filters; another user's is not found (404)."""
    saved = SavedFilter.objects.filter(user=user, pk=pk).first()
    if saved is None:
        raise NotFound(_("There is no such saved filter."))
    saved.delete()
    return saved
