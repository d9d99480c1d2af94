"""Activity tasks. Thin: the nightly run creates the recurring occurrences due in the coming days; the
service is idempotent (unique per recurring template, project and date), so a rerun creates nothing twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def create_recurring_activities() -> int:
    from backend.activities.services import recurring_activities_create

    return recurring_activities_create()
