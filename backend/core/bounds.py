"""Range guard for every number and date a model stores, checked before each save.

A value that the database accepts but cannot read back (SQLite keeps decimals as 15-digit floats, so
99,999,999,999,999.99 comes back as 1e14 and no longer fits its column) breaks every list that shows it,
for every user. So each model save is refused — with the field named — when a decimal, integer or date
lies outside what all supported databases store and return exactly, or breaks the field's own validators
(percentages, minimum quantities). Every decimal sicrm stores — money, quantities, percentages, scores — is
never negative. This module only checks; it never changes a value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from backend.core.errors import ValidationFailed

# The largest amount of money stored anywhere: just under one trillion (万亿) yuan. 14 significant
# digits, so it survives SQLite's float storage and sums of a million of them still fit a 20-digit total.
MAX_AMOUNT = Decimal("999999999999.99")
# Dates outside this window are typing mistakes, and before 1901 the time zone database answers with
# local mean time (+08:05:43 for Shanghai).
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2200, 12, 31)
# The most lines a quotation or a list of ids may carry in one request.
MAX_ITEMS = 1000
# The portable integer ranges (SQLite would take 64 bits everywhere; PostgreSQL would not).
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def decimal_limit(field: models.DecimalField) -> Decimal:
    """The largest value ``field`` may hold (the smallest is 0)."""
    digits = min(field.max_digits or 16, 14) - (field.decimal_places or 0)
    quantum = Decimal(1).scaleb(-(field.decimal_places or 0))
    return min(Decimal(10) ** digits - quantum, MAX_AMOUNT)


def integer_range(field: models.Field) -> tuple[int, int] | None:
    return INTEGER_RANGES.get(field.get_internal_type())


def date_outside(value: Any) -> bool:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return isinstance(value, datetime.date) and not (MIN_DATE <= value <= MAX_DATE)


def as_utc(value: datetime.datetime) -> datetime.datetime | None:
    """An aware datetime as the same instant in UTC (None when that instant falls outside what a datetime holds).

    Python accepts offsets up to ±23:59, PostgreSQL only up to ±15:59: a value is sent to the database in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        return None


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}


def field_errors(instance: models.Model, fields: Iterable[models.Field] | None = None) -> dict[str, list[str]]:
    """Field name → messages for every stored number or date of ``instance`` that is out of range."""
    errors: dict[str, list[str]] = {}
    for field in fields if fields is not None else instance._meta.concrete_fields:
        if field.auto_created or isinstance(field, models.ForeignKey | models.AutoField):
            continue
        value = getattr(instance, field.attname, None)
        if value is None or hasattr(value, "resolve_expression"):  # F() updates are checked by their writers
            continue
        if isinstance(field, models.DecimalField):
            limit = decimal_limit(field)
            if not isinstance(value, Decimal | int | float):
                continue
            value = Decimal(str(value))
            if not value.is_finite() or not (0 <= value <= limit):
                errors[field.name] = [_("Enter a value between %(min)s and %(max)s.") % {"min": 0, "max": limit}]
                continue
        elif isinstance(field, models.IntegerField) and not isinstance(field, models.BooleanField):
            bounds = integer_range(field)
            if bounds and isinstance(value, int) and not (bounds[0] <= value <= bounds[1]):
                errors[field.name] = [
                    _("Enter a value between %(min)s and %(max)s.") % {"min": bounds[0], "max": bounds[1]}
                ]
                continue
        elif isinstance(field, models.DateField):  # DateTimeField is a DateField
            if date_outside(value):
                errors[field.name] = [date_range_message()]
            continue
        else:
            continue
        try:
            field.run_validators(value)
        except ValidationError as exc:
            errors[field.name] = list(exc.messages)
    return errors


def check(instance: models.Model, fields: Iterable[models.Field] | None = None) -> None:
    """Refuse (ValidationFailed, field named) a row holding an out-of-range number or date."""
    errors = field_errors(instance, fields)
    if errors:
        name, messages = next(iter(errors.items()))
        label = str(cast(models.Field, instance._meta.get_field(name)).verbose_name)
        raise ValidationFailed(f"{label}: {messages[0]}", fields=errors, code="out_of_range")


def check_many(instances: Iterable[models.Model]) -> None:
    """``check`` for rows written with ``bulk_create`` (which sends no pre_save)."""
    for instance in instances:
        check(instance)


def guard_pre_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """pre_save receiver for every model (fixtures and restores — ``raw`` — load what they hold)."""
    if raw:
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DateTimeField):
            value = getattr(instance, field.attname, None)
            if isinstance(value, datetime.datetime) and (utc := as_utc(value)) is not None:
                setattr(instance, field.attname, utc)
    update_fields = kwargs.get("update_fields")
    fields = None
    if update_fields:
        fields = [f for f in instance._meta.concrete_fields if f.name in update_fields or f.attname in update_fields]
    check(instance, fields)
