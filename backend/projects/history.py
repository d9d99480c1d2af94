"""The audit history of a project: its own field changes and those of the records that belong to it.

Apps above ``projects`` (bids, milestones, payments) register, in their ``AppConfig.ready()``, a source per
audited model: a function from a project id to that model's historical records. ``projects`` itself
never imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from backend.core.audit import Entry, history_entries

HistorySource = Callable[[int], QuerySet]
_SOURCES: list[HistorySource] = []


def register_history_source(source: HistorySource) -> HistorySource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def project_history(project, *, limit: int = 200) -> list[Entry]:
    """Newest first: the project's changes and its quotations', contract terms', milestones' and payments'."""
    from backend.projects.models import Project

    sources = [Project.history.filter(id=project.pk), *(source(project.pk) for source in _SOURCES)]
    return history_entries(sources, limit=limit)
