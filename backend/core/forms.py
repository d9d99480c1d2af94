"""Helpers for page forms: show a service's ApplicationError on the form instead of a 500."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from backend.core.errors import ApplicationError, ValidationFailed


def add_service_error(form: forms.Form, exc: ApplicationError | ValidationError) -> None:
    """Attach a service error to the fields it names (or to the form as a whole)."""
    if isinstance(exc, ValidationError):
        form.add_error(None, exc) if not hasattr(exc, "error_dict") else _add_dict(form, exc)
        return
    placed = False
    if isinstance(exc, ValidationFailed):
        for field in exc.fields:
            if field in form.fields:
                form.add_error(field, exc.message)
                placed = True
                break
    if not placed:
        form.add_error(None, exc.message)


def _add_dict(form: forms.Form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
