"""Template filters of the report pages: figures written the way readers expect them (thousands separators in
both languages, 万元 on Chinese pages for long columns of amounts, shares with a per-cent sign)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value: Any) -> str:
    """12600000 → 12,600,000.00 (— when empty)."""
    number = _decimal(value)
    return "—" if number is None else f"{number:,.2f}"


@register.filter
def money_short(value: Any) -> str:
    """A headline amount: 1,260.00万 on Chinese pages, 12.60M in English (exact figures stay in the tables)."""
    number = _decimal(value)
    if number is None:
        return "—"
    if (get_language() or "").startswith("zh"):
        return f"{number / 10000:,.2f}万" if abs(number) >= 10000 else f"{number:,.2f}"
    if abs(number) >= 1_000_000:
        return f"{number / 1_000_000:,.2f}M"
    return f"{number:,.2f}"


@register.filter
def probability(value: Any) -> str:
    """0.7505 → 75%."""
    number = _decimal(value)
    return "—" if number is None else f"{number * 100:.0f}%"


@register.filter
def figure(value: Any, kind: str) -> str:
    """A table cell by its column kind."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(value)
    if kind == "percent":
        return f"{float(value):.1f}%"
    if kind in ("days", "score"):
        return f"{float(value):.1f}"
    if kind == "ratio":
        return f"{float(value):.4f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (None when absent)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
