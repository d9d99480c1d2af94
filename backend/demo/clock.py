"""The simulated clock the demo plays history on: while a story plays, ``timezone.now`` returns the moment of
the story, and notifications of the replayed past are muted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone

from backend.core import notifications
from backend.core.notifications import both_languages
from backend.projects.models import (
    Project,
)
from workflows.choices import ReviewStatus, StepStatus
from workflows.models import Review

# --- the clock -------------------------------------------------------------------------------------------


class _Clock:
    """What ``timezone.now`` returns while a deal plays."""

    def __init__(self) -> None:
        self.current: datetime | None = None

    def __call__(self) -> datetime:
        assert self.current is not None
        return self.current


class _Muted:
    """Stands in for ``transaction`` inside ``backend.core.notifications`` while history is replayed: the
    notifications of a story months old would only flood the inboxes (pending reviews are re-announced)."""

    @staticmethod
    def on_commit(func: Callable[[], None], using: str | None = None, robust: bool = False) -> None:
        return None


@contextmanager
def _simulated(clock: _Clock) -> Iterator[None]:
    with mock.patch.object(timezone, "now", clock), mock.patch.object(notifications, "transaction", _Muted):
        yield


def _announce_pending_reviews(projects: list[Project]) -> None:
    """Tell the approvers of the reviews still waiting (the one notification of the replayed story that matters)."""
    reviews = Review.objects.filter(project__in=projects, status=ReviewStatus.PENDING).select_related("gate", "project")
    for review in reviews:
        step = review.steps.filter(status=StepStatus.ACTIVE).first()
        if step is not None:
            notifications.notify(
                recipients=step.approvers.all(),
                kind="review_requested",
                params={"project": review.project, "gate": both_languages(review.gate), "step": both_languages(step)},
                url=f"/reviews/{review.pk}/",
            )
