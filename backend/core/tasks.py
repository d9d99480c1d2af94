"""Periodic housekeeping tasks. Thin: each calls a service."""

from celery import shared_task


@shared_task
def heartbeat() -> None:
    """Run by beat on a schedule; the dashboard and /healthz/ show when it last ran."""
    from backend.core.services import heartbeat_record

    heartbeat_record()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_notifications(user_ids: list[int], kind: str, params: dict[str, str], url: str) -> None:
    from backend.core.notifications import deliver

    deliver(user_ids=user_ids, kind=kind, params=params, url=url)
