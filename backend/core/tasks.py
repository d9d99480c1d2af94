"""Periodic housekeeping tasks. Thin: each calls a service."""

from celery import shared_task


@shared_task
def heartbeat() -> None:
    """Run by beat on a schedule; the dashboard and /healthz/ show when it last ran."""
    from backend.core.services import heartbeat_record

    heartbeat_record()
