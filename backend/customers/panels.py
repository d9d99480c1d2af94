"""The sections of the customer page that other apps draw (the customer 360°). ``customers`` draws its own
(details, contacts, interactions); projects, bids and payments add theirs in their ``AppConfig.ready()`` with
``customer_panel``, naming the context function as a dotted path (imported when the page is shown), so this
app imports none of them. Each context function reads in a fixed number of queries, whatever the customer's
size, and shows only what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Panel:
    name: str
    context_function: str  # "module.function": (request, customer) -> the template's context
    template: str  # a fragment included in customers/detail.html
    order: int


_panels: dict[str, Panel] = {}


def customer_panel(name: str, context_function: str, template: str, *, order: int) -> None:
    """Add section ``name`` to the customer page, drawn by ``template`` with what ``context_function`` returns;
    sections are shown by ``order``, lowest first."""
    _panels[name] = Panel(name=name, context_function=context_function, template=template, order=order)


def panels_for(request: Any, customer: Any) -> list[dict[str, Any]]:
    """Every registered section with its context, in order."""
    return [
        {
            "name": panel.name,
            "template": panel.template,
            "context": import_string(panel.context_function)(request, customer),
        }
        for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name))
    ]
