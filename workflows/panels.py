"""Panels other apps add to the review page (the initiation scorecard, say): each registers a template and a
function giving its context for a review and the reader, or None to show nothing. The gate engine never learns
what a panel shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PanelContext = Callable[[Any, Any], dict[str, Any] | None]
_panels: list[tuple[str, PanelContext]] = []


def review_panel(template: str) -> Callable[[PanelContext], PanelContext]:
    def register(function: PanelContext) -> PanelContext:
        _panels.append((template, function))
        return function

    return register


def panels_for(*, review: Any, user: Any) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for template, function in _panels:
        context = function(review, user)
        if context is not None:
            found.append((template, context))
    return found
