"""The background worker is real: a task sent through the broker runs in a separate worker process."""

import pytest
from django.conf import settings

from backend.core.models import WorkerHeartbeat
from backend.core.tasks import heartbeat
from tests.conftest import wait_until

pytestmark = pytest.mark.worker


def test_a_task_sent_through_the_broker_runs_in_the_worker_process(real_worker):
    assert not WorkerHeartbeat.objects.exists()
    heartbeat.delay()
    beat = wait_until(
        lambda: WorkerHeartbeat.objects.filter(name="worker").first(),
        timeout=30,
        message="the worker never ran the heartbeat task",
    )
    assert beat.beats == 1
    assert real_worker.poll() is None


def test_broker_is_the_configured_one():
    from backend.celery import app

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
