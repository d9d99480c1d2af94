"""Alarm tasks. Thin: the scan raises alarms and fans out one delivery task per undelivered alarm;
delivery is idempotent (``acks_late``: a task whose worker died is redelivered and finds it done), so any error
while delivering is retried; an alarm still undelivered after the retries is fanned out again by the next scan."""

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def scan_alarms() -> dict:
    from backend.milestones.alarms import alarms_raise, alarms_undelivered

    counts = alarms_raise()
    for alarm_id in alarms_undelivered():
        deliver_alarm.delay(alarm_id)
    return counts


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deliver_alarm(alarm_id: int) -> bool:
    from backend.milestones.alarms import alarm_deliver

    return alarm_deliver(alarm_id=alarm_id)
