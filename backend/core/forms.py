"""The one date-time input field (and list filter) every page form and filter set uses. (A service's refusal
reaches a form through ``backend.core.refusals``.)"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from backend.core.bounds import as_utc, date_outside, date_range_message


class DateTimeField(forms.DateTimeField):
    """A date and time within the stored range, as the same instant in UTC whatever offset it was written with
    (``+23:04`` parses in Python and is refused by PostgreSQL)."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        utc = as_utc(result)
        if utc is None or date_outside(utc):
            raise ValidationError(date_range_message(), code="out_of_range")
        return utc


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = DateTimeField
