"""Demo data, one package: a module per part of the story, each with ``load(*, password, log)``; ``sicrm demo``
runs them in this order. Every loader is idempotent (natural keys, get-or-create): a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.db import transaction
from django.utils import translation

DEMO_MODULES = [
    "backend.demo.accounts",
    "backend.demo.customers",
    "backend.demo.workflows",
    "backend.demo.deals",
    "backend.demo.bids",
    "backend.demo.partners",
    "backend.demo.delivery",
    "backend.demo.reports",
    "backend.demo.knowledge",
    "backend.demo.discussions",
    "backend.demo.activities",
    "backend.demo.service",
]


@transaction.atomic
def demo_load(*, password: str = "demo", log: Callable[[str], None] = print) -> None:
    from backend.search.queue import suspended

    # No index task per demo row: the knowledge demo rebuilds the whole search index once at the end. The demo
    # team works in Chinese: what the services write in the actor's language (titles, comments) is Chinese.
    with suspended(), translation.override("zh-hans"):
        for module_name in DEMO_MODULES:
            import_module(module_name).load(password=password, log=log)
