"""Hooks the analytics hang on the apps below them: a scorecard is computed (on the worker, after commit) when a
project is submitted for initiation, and shown as a panel on the review page."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from workflows.panels import review_panel
from workflows.signals import review_opened


@receiver(review_opened, dispatch_uid="reports-scorecard-on-initiation")
def _score_initiation(sender: Any, review: Any, **kwargs: Any) -> None:
    if review.gate.kind != "initiation":
        return
    review_id = review.pk

    def schedule() -> None:
        from reports.tasks import compute_scorecard

        compute_scorecard.delay(review_id)

    transaction.on_commit(schedule)


@review_panel("reports/_scorecard_panel.html")
def _scorecard_panel(review: Any, user: Any) -> dict[str, Any] | None:
    if review.gate.kind != "initiation":
        return None
    from reports.models import Scorecard

    scorecard = Scorecard.objects.filter(review=review).first()
    return {"scorecard": scorecard, "pending": scorecard is None}
