"""The embedded broker (backend/core/broker.py): a consumer never reads a message that is still being written,
a damaged message file is set aside instead of stopping the worker, and publishers and consumers racing in
separate processes deliver every message exactly once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Producer, Queue

from backend.core import broker
from bench.broker import race
from tests.conftest import ROOT

# Bindings live in process memory for the whole transport class, so each test uses a queue of its own.
QUEUE = "broker-test"


@pytest.fixture(autouse=True)
def _own_queue(monkeypatch):
    import uuid

    monkeypatch.setattr(sys.modules[__name__], "QUEUE", f"broker-test-{uuid.uuid4().hex[:8]}")


def _connection(folder: Path) -> Connection:
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "failed_folder": str(folder / "failed"),
    }
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(exist_ok=True)
    return Connection("filesystem://", transport="backend.core.broker:Transport", transport_options=options)


def _queue() -> Queue:
    return Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE)


def _publish(conn: Connection, body: dict) -> None:
    Producer(conn.channel()).publish(body, exchange=_queue().exchange, routing_key=QUEUE, declare=[_queue()])


def test_the_embedded_default_uses_the_atomic_transport(tmp_path):
    # (in a process of its own: the suite may be running on Redis)
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "backend.settings", "SICRM_VAR_DIR": str(tmp_path)})
    code = (
        "import django; django.setup(); from backend.celery import app; "
        "conn = app.connection_for_write(); print(type(conn.transport).__module__, type(conn.transport).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["backend.core.broker", "Transport"], result.stderr[-2000:]


def test_a_message_being_written_is_not_read_until_it_is_complete(tmp_path, monkeypatch):
    # given a publisher stopped halfway through writing a 200 KB message
    half_written, resume = threading.Event(), threading.Event()

    def paused_write(path: str, data: bytes, *, fsync: bool) -> None:
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
        half_written.set()
        assert resume.wait(10)
        with open(path, "ab") as f:
            f.write(data[len(data) // 2 :])

    monkeypatch.setattr(broker, "write_file", paused_write)
    body = {"n": 1, "pad": "写" * 70_000}
    with _connection(tmp_path) as consumer_conn:
        channel = consumer_conn.channel()
        _queue()(channel).declare()
        publisher = threading.Thread(target=lambda: _publish(_connection(tmp_path), body))
        publisher.start()
        assert half_written.wait(10)

        # when a consumer looks at the queue meanwhile
        seen_meanwhile = channel.basic_get(QUEUE, no_ack=True)
        files_meanwhile = os.listdir(tmp_path / "queue")

        # then it sees nothing; the half-written file carries a name no consumer takes
        resume.set()
        publisher.join(10)
        assert seen_meanwhile is None
        assert len(files_meanwhile) == 1 and files_meanwhile[0].startswith(".") and files_meanwhile[0].endswith(".tmp")
        # and once the write is complete the whole message arrives, exactly once
        message = channel.basic_get(QUEUE, no_ack=True)
        assert message is not None and message.decode() == body
        assert channel.basic_get(QUEUE, no_ack=True) is None
    assert os.listdir(tmp_path / "queue") == []
    assert os.listdir(tmp_path / "processed") == []


def test_a_damaged_message_file_is_set_aside_and_the_next_message_delivered(tmp_path, caplog):
    # given a truncated message file at the head of the queue (left by a crashed writer of another version)
    (tmp_path / "queue").mkdir()
    damaged = f"{1:020d}_damaged.{QUEUE}.msg"
    (tmp_path / "queue" / damaged).write_bytes(b'{"body": "eyJuIjog')
    with _connection(tmp_path) as conn:
        channel = conn.channel()
        _queue()(channel).declare()
        _publish(conn, {"n": 2})

        # when a consumer takes the next message
        with caplog.at_level(logging.ERROR, logger="backend.core.broker"):
            message = channel.basic_get(QUEUE, no_ack=True)

        # then it gets the good one; the damaged file waits in failed/ for a human, and the log says so
        assert message is not None and message.decode() == {"n": 2}
        assert os.listdir(tmp_path / "failed") == [damaged]
        assert os.listdir(tmp_path / "queue") == []
        assert f"message {damaged} could not be read (JSONDecodeError" in caplog.text


def test_processes_racing_deliver_every_large_message_exactly_once(tmp_path):
    # given two publisher processes writing 256 KB messages while two consumer processes drain the queue
    outcome = race("sicrm-fs", str(tmp_path), messages=120, size=256 * 1024)
    # then every message arrived whole, once (kombu's own filesystem transport loses most of them here)
    assert outcome == {"published": 240, "received": 240, "errors": 0, "duplicates": 0, "missing": 0}
