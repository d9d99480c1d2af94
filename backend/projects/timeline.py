"""The project's activity stream: one timeline merging what happened on the deal — state changes, review
decisions, documents, discussion posts and activities — newest first, filterable by kind.

``projects`` contributes its own events (transitions, creation, changes) and decisions; the apps above add
theirs in their ``AppConfig.ready()`` with ``timeline_source``, so this app imports none of them. Each
source answers with at most ``limit`` entries in a fixed number of queries, whatever the project holds;
the stream takes the newest ``limit`` of their union.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from backend.accounts.models import User


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the stream. ``title`` and ``detail`` are already in the reader's language."""

    kind: str
    at: datetime
    title: str
    actor: User | None = None
    detail: str = ""
    url: str = ""


# fetch(project=, user=, limit=) -> the newest ``limit`` entries of this kind the user may see
Fetch = Callable[..., list[TimelineEntry]]


# kind → the sources that contribute entries of that kind (several apps may add documents)
SOURCES: dict[str, list[Fetch]] = {}

# The kinds the stream knows, in the order the filter shows them; an app registers one of these.
KINDS: dict[str, str | Promise] = {
    "event": pgettext_lazy("timeline kind", "Stage changes"),
    "decision": pgettext_lazy("timeline kind", "Review decisions"),
    "document": pgettext_lazy("timeline kind", "Documents"),
    "post": pgettext_lazy("timeline kind", "Discussion"),
    "activity": pgettext_lazy("timeline kind", "Activities"),
}


def timeline_source(kind: str, fetch: Fetch) -> None:
    """Add ``fetch`` as a source of ``kind`` entries (one of ``KINDS``); registering it again is a no-op."""
    if kind not in KINDS:
        raise ValueError(f"unknown timeline kind {kind!r}; the stream knows {list(KINDS)}")
    sources = SOURCES.setdefault(kind, [])
    if fetch not in sources:
        sources.append(fetch)


def available_kinds() -> list[tuple[str, Any]]:
    return [(kind, label) for kind, label in KINDS.items() if kind in SOURCES]


def project_timeline(
    *, project: Any, user: User, kinds: list[str] | None = None, limit: int = 100
) -> list[TimelineEntry]:
    """The newest ``limit`` entries of ``project`` that ``user`` may see, of ``kinds`` (all when None or
    empty). The caller has already established that ``user`` sees the project."""
    wanted = [kind for kind in KINDS if kind in SOURCES and (not kinds or kind in kinds)]
    entries: list[TimelineEntry] = []
    for kind in wanted:
        for fetch in SOURCES[kind]:
            entries.extend(fetch(project=project, user=user, limit=limit))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


# --- what projects itself contributes ------------------------------------------------------------------


def _events(*, project: Any, user: User, limit: int, decisions: bool) -> list[TimelineEntry]:
    from backend.projects.choices import EventKind, status_label, transition_label
    from backend.projects.models import ProjectEvent

    qs = ProjectEvent.objects.filter(project=project).select_related("actor", "review__gate")
    qs = qs.filter(kind=EventKind.DECISION) if decisions else qs.exclude(kind=EventKind.DECISION)
    entries = []
    for event in qs.order_by("-created_at", "-pk")[:limit]:
        if event.kind == EventKind.CREATED:
            title = str(_("Created"))
        elif event.kind in (EventKind.TRANSITION, EventKind.DECISION) and event.transition:
            title = str(transition_label(event.transition))
        else:
            title = str(event.get_kind_display())
        if event.review_id and event.review is not None:
            title = f"{event.review.gate.name} · {title}"
        move = " → ".join(str(status_label(s)) for s in (event.source, event.target) if s)
        detail = " · ".join(part for part in (move, event.comment) if part)
        entries.append(
            TimelineEntry(
                kind="decision" if decisions else "event",
                at=event.created_at,
                title=title,
                actor=event.actor,
                detail=detail,
            )
        )
    return entries


def _stage_changes(*, project: Any, user: User, limit: int) -> list[TimelineEntry]:
    return _events(project=project, user=user, limit=limit, decisions=False)


def _decisions(*, project: Any, user: User, limit: int) -> list[TimelineEntry]:
    return _events(project=project, user=user, limit=limit, decisions=True)


timeline_source("event", _stage_changes)
timeline_source("decision", _decisions)
