"""Templates ask the permission layer, never re-derive a rule::

{% load permissions %}
{% if user|can:"change"|on:project %}…{% endif %}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from backend.core.permissions import can as _can

register = template.Library()


@dataclass(frozen=True)
class _Asking:
    user: Any
    action: str


@register.filter
def can(user: Any, action: str) -> _Asking:
    return _Asking(user, action)


@register.filter
def on(asking: _Asking, obj: Any) -> bool:
    if not isinstance(asking, _Asking):
        raise template.TemplateSyntaxError('"on" follows "can": user|can:"change"|on:object')
    return _can(asking.user, asking.action, obj)
