"""Reads of what core keeps per user: the saved filters of a list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from backend.core.models import SavedFilter


def saved_filters(*, user: Any, list_key: str) -> QuerySet[SavedFilter]:
    """``user``'s own saved filters of the list ``list_key``, by name."""
    return SavedFilter.objects.filter(user=user, list_key=list_key).order_by("name", "pk")
