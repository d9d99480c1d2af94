"""Bounded input fields shared by the API's serializers: ids that fit a database key, lists of bounded length."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.core.bounds import MAX_ITEMS

MAX_ID = 2**63 - 1


def IdField(**kwargs: Any) -> serializers.IntegerField:  # noqa: N802 — reads like the field class it returns
    """A primary key: 1 … 2⁶³−1 (a larger number is a 400 naming the field, not an overflow)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def IdListField(**kwargs: Any) -> serializers.ListField:  # noqa: N802
    """A list of primary keys, at most ``MAX_ITEMS`` long."""
    return serializers.ListField(child=IdField(), max_length=MAX_ITEMS, **kwargs)
