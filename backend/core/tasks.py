"""Periodic housekeeping tasks. Thin: each calls a service."""

from typing import Any

from celery import shared_task


@shared_task
def heartbeat() -> None:
    """Run by beat on a schedule; the dashboard and /healthz/ show when it last ran."""
    from backend.core.services import heartbeat_record

    heartbeat_record()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_notifications(
    user_ids: list[int], kind: str, params: dict[str, Any], url: str, key: str | None = None
) -> None:
    """Retried on any error; ``key`` makes the retry write no row twice (``None``: a message queued before keys)."""
    from backend.core.notifications import deliver

    deliver(user_ids=user_ids, kind=kind, params=params, url=url, key=key)


@shared_task
def resume_work() -> dict[str, int]:
    """Run by beat every minute: each app's resumer queues its stalled jobs again (``core/recovery.py``)."""
    from backend.core.recovery import resume_work as run

    return run()
