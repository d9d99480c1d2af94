"""Background work of the analytics, thin: each task takes ids and calls a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def compute_scorecard(review_id: int) -> None:
    from reports.services import scorecard_compute
    from workflows.models import Review

    review = Review.objects.select_related("project").filter(pk=review_id).first()
    if review is not None:
        scorecard_compute(project=review.project, review=review)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def take_forecast_snapshot() -> int:
    from reports.services import forecast_snapshot_take

    return forecast_snapshot_take()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_customer_tiers() -> dict[str, int]:
    from reports.services import customer_tiers_recompute

    return customer_tiers_recompute()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_weekly_digests() -> int:
    from reports.digest import digests_send

    return digests_send()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def keep_overview() -> int:
    from reports.kept import keep_overview

    return keep_overview()
