"""Partner tasks. Thin: the nightly run re-grades every partner; the service is idempotent (a rerun on the
same day changes nothing and records no change)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def regrade_partners() -> int:
    from backend.partners.services import partner_regrade

    return len(partner_regrade())
