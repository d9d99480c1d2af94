"""Exactly-once alarm delivery across a worker crash, with real processes on Redis: a worker takes the
alarm task (acks_late) and is killed with SIGKILL in the middle of it — the test waits until the task itself
has started its locking statement (a probe inside the worker logs each statement before it runs) — and a new
worker gets the redelivered task and delivers the alarm, once."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from backend.core.models import Notification
from backend.milestones.alarms import alarms_raise
from backend.milestones.models import Alarm
from tests.conftest import ROOT, _database_url_for_worker, require, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("SICRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        reachable = bool(client.ping())
    except redis.exceptions.ConnectionError:
        reachable = False
    require(reachable, f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def start_worker(name: str, log: Path, probe: Path) -> subprocess.Popen:
    env = {
        "SICRM_TASK_PROBE": str(probe),
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
            "tests.milestones.worker_probe",
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
    victim_probe, rescuer_probe = tmp_path / "victim.probe", tmp_path / "rescuer.probe"
    victim_probe.touch()
    rescuer_probe.touch()
    # The statement the task blocks on: SELECT ... FOR UPDATE of the alarm (PostgreSQL), BEGIN IMMEDIATE (SQLite).
    locking = "FOR UPDATE" if connection.vendor == "postgresql" else "BEGIN IMMEDIATE"

    def blocked_inside_the_task() -> bool:
        lines = victim_probe.read_text().splitlines()
        started = "task started backend.milestones.tasks.deliver_alarm" in lines
        return started and any(line.startswith("sql ") and locking in line for line in lines)

    workers: list[subprocess.Popen] = []
    try:
        with transaction.atomic():
            # Hold the alarm's row (PostgreSQL) / the write lock (SQLite): the worker blocks inside the task.
            Alarm.objects.select_for_update().get(pk=alarm.pk)
            victim = start_worker("victim", victim_log, victim_probe)
            workers.append(victim)
            sender.send_task("backend.milestones.tasks.deliver_alarm", args=[alarm.pk])
            try:
                wait_until(blocked_inside_the_task, timeout=60)
            except AssertionError:
                pytest.fail(
                    f"the victim never started the task's locking statement:\n{victim_probe.read_text()[-2000:]}\n"
                    f"{victim_log.read_text()[-2000:]}"
                )
            assert "task ended" not in victim_probe.read_text()  # still inside alarm_deliver, waiting for the lock
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        alarm.refresh_from_db()
        assert alarm.delivered_at is None, "the killed worker must not have delivered anything"

        rescuer = start_worker("rescuer", rescuer_log, rescuer_probe)
        workers.append(rescuer)
        try:
            wait_until(lambda: Alarm.objects.get(pk=alarm.pk).delivered_at is not None, timeout=90)
        except AssertionError:
            pytest.fail(f"the redelivered task never ran:\n{rescuer_log.read_text()[-3000:]}")
        # the redelivered task has run to its end (any further run finds the alarm delivered)
        wait_until(lambda: "task ended backend.milestones.tasks.deliver_alarm" in rescuer_probe.read_text(), timeout=30)
    finally:
        for worker in workers:  # never leave a worker behind to consume another run's tasks
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
    notes = Notification.objects.filter(kind="alarm_milestone_overdue")
    assert notes.count() == 1 and notes.get().recipient == kicked_off["pm"]
    assert "deliver_alarm" in rescuer_log.read_text()

    assert settings.CELERY_TASK_ACKS_LATE
