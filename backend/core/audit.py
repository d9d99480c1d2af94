"""Audit history: who changed which field of a record, when, from what to what.

The records are written by django-simple-history (a ``history = HistoricalRecords()`` on each audited
model: customers, contacts, projects, quotations and their lines, contract terms, milestones, payment
terms, invoices, receipts and knowledge articles); its middleware notes the user of the request, pages
and API alike. This module only reads: it turns the stored snapshots into entries of field changes,
in the reader's language, with a constant number of queries whatever the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Bookkeeping the reader never needs to see as a change.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "search_dirty", "body_html", "version"})


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime
    user: Any
    action: str  # "created", "changed" or "deleted"
    model: str  # the record's kind, in the reader's language
    record: str  # the record itself, as its __str__ reads
    object_id: int
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {
            "created": pgettext("audit action", "Created"),
            "changed": pgettext("audit action", "Changed"),
            "deleted": pgettext("audit action", "Deleted"),
        }[self.action]

    @property
    def user_name(self) -> str:
        return self.user.get_full_name() or self.user.username if self.user is not None else _("System")


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    # fields nobody edits (normalised keys, denormalised figures) follow from the ones that changed
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in IGNORED_FIELDS]


def _display(value: Any, fld: models.Field, names: dict[tuple[type[models.Model] | None, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if fld.is_relation:
        return names.get((fld.related_model, value), f"#{value}")
    if fld.flatchoices:
        return str(dict(fld.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, Decimal):
        return floatformat(value, "2g")  # as the pages show amounts
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _record_label(row: Any) -> str:
    """What the record is called, read from the snapshot itself (never a query: ``__str__`` may follow
    foreign keys)."""
    values = {name: getattr(row, name, None) for name in ("code", "name", "title", "number", "description")}
    if values["code"] and values["name"]:
        return f"{values['code']} {values['name']}"
    for name in ("name", "title", "number", "description"):
        if values[name]:
            return str(values[name])[:80]
    version = getattr(row, "version", None)
    return f"v{version}" if version else f"#{row.id}"


def history_entries(sources: Iterable[QuerySet], *, limit: int = 200) -> list[Entry]:
    """The newest ``limit`` entries of the historical querysets ``sources`` (``Model.history.filter(...)``),
    newest first, each with the fields that changed against the same record's previous snapshot.
    One query per source, plus one per related model whose names the changes show."""
    snapshots: list[tuple[type[models.Model], Any]] = []
    for source in sources:
        model = source.model.instance_type  # the audited model behind the historical one
        rows = list(source.select_related("history_user").order_by("history_date", "history_id"))
        snapshots += [(model, row) for row in rows]

    pending: list[tuple[type[models.Model], Any, Any]] = []  # (model, snapshot, previous snapshot)
    previous: dict[tuple[type, Any], Any] = {}
    for model, row in sorted(snapshots, key=lambda pair: (pair[1].history_date, pair[1].history_id)):
        key = (model, row.id)
        pending.append((model, row, previous.get(key)))
        previous[key] = row

    entries: list[tuple[type[models.Model], Any, Any, list[tuple[models.Field, Any, Any]]]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model, row, before in reversed(pending):
        if len(entries) >= limit:
            break
        diffs = []
        if row.history_type == "~" and before is not None:
            for fld in _tracked_fields(model):
                old, new = getattr(before, fld.attname), getattr(row, fld.attname)
                if old != new:
                    diffs.append((fld, old, new))
            if not diffs:
                continue  # only bookkeeping changed
        elif row.history_type == "+":
            diffs = [
                (fld, None, getattr(row, fld.attname))
                for fld in _tracked_fields(model)
                if getattr(row, fld.attname) not in (None, "")
            ]
        for fld, old, new in diffs:
            if fld.is_relation and fld.related_model is not None:
                wanted[fld.related_model].update(v for v in (old, new) if v is not None)
        entries.append((model, row, before, diffs))

    names: dict[tuple[type[models.Model] | None, Any], str] = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            label = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
            names[(related, obj.pk)] = label or str(obj)

    result = []
    for model, row, _before, diffs in entries:
        action = {"+": "created", "~": "changed", "-": "deleted"}[row.history_type]
        result.append(
            Entry(
                at=row.history_date,
                user=row.history_user,
                action=action,
                model=str(model._meta.verbose_name),
                record=_record_label(row),
                object_id=row.id,
                changes=[
                    Change(fld.name, str(fld.verbose_name), _display(old, fld, names), _display(new, fld, names))
                    for fld, old, new in diffs
                ],
            )
        )
    return result
