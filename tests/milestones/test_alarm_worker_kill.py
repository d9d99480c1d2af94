"""Exactly-once alarm delivery across a worker crash, with real processes on Redis: a worker takes the
alarm task (acks_late) and is killed with SIGKILL in the middle of it; a new worker gets the redelivered
task and delivers the alarm — once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.core.models import Notification
from backend.milestones.alarms import alarms_raise
from backend.milestones.models import Alarm
from tests.conftest import ROOT, _database_url_for_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("SICRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def start_worker(name: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings_test",
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_alarm_delivered_exactly_once_after_sigkill(redis_broker, kicked_off, tmp_path, monkeypatch):
    from celery import Celery

    first = kicked_off["project"].milestones.order_by("order").first()
    Alarm.objects.all().delete()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a: first.planned_end + timedelta(days=1))
        alarms_raise()
    alarm = Alarm.objects.get(kind="milestone_overdue", object_id=first.pk, level=1)
    assert alarm.delivered_at is None

    # Celery prefers the CELERY_BROKER_URL environment variable over the broker given here (in CI it names the
    # suite's own broker, whose worker must not take this task).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    sender = Celery("sicrm-test-sender", broker=REDIS_URL)
    assert sender.conf.broker_url == REDIS_URL
    victim_log, rescuer_log = tmp_path / "victim.log", tmp_path / "rescuer.log"
    workers: list[subprocess.Popen] = []
    try:
        with transaction.atomic():
            # Hold the alarm's row (PostgreSQL) / the write lock (SQLite): the worker blocks inside the task.
            Alarm.objects.select_for_update().get(pk=alarm.pk)
            victim = start_worker("victim", victim_log)
            workers.append(victim)
            sender.send_task("backend.milestones.tasks.deliver_alarm", args=[alarm.pk])
            try:
                wait_until(lambda: "received" in victim_log.read_text(), timeout=60)
            except AssertionError:
                pytest.fail(f"the victim worker never received the task:\n{victim_log.read_text()[-2000:]}")
            time.sleep(1.0)  # it is now inside alarm_deliver, waiting for the lock
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        alarm.refresh_from_db()
        assert alarm.delivered_at is None, "the killed worker must not have delivered anything"

        rescuer = start_worker("rescuer", rescuer_log)
        workers.append(rescuer)
        try:
            wait_until(lambda: Alarm.objects.get(pk=alarm.pk).delivered_at is not None, timeout=90)
        except AssertionError:
            pytest.fail(f"the redelivered task never ran:\n{rescuer_log.read_text()[-3000:]}")
        time.sleep(4)  # give a duplicate delivery every chance to show up
    finally:
        for worker in workers:  # never leave a worker behind to consume another run's tasks
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
    notes = Notification.objects.filter(kind="alarm_milestone_overdue")
    assert notes.count() == 1 and notes.get().recipient == kicked_off["pm"]
    assert "deliver_alarm" in rescuer_log.read_text()
    assert settings.CELERY_TASK_ACKS_LATE
