"""Broker benchmark for the embedded default: kombu's filesystem transport as shipped, sicrm's atomic one
(``backend/core/broker.py``) and kombu's SQLAlchemy transport on SQLite (rollback journal and WAL).

For each: publish rate and drain rate of one process, publish-to-receive latency between two processes,
and a race (2 publishers of large messages, 2 consumers) that counts messages received whole, lost to a
decode error, duplicated or missing. Each run uses a fresh temporary folder; nothing touches ``var/``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from typing import Any

QUEUE = "bench"


class Shared:
    """A counter of messages seen, its lock and a result queue, shared by the consumer processes."""

    def __init__(self, manager: Any) -> None:
        self.state = manager.dict(seen=0)
        self.lock = manager.Lock()
        self.out = manager.Queue()


VARIANTS = ["kombu-fs", "sicrm-fs", "sqla-sqlite", "sqla-sqlite-wal"]
LABELS = {
    "kombu-fs": "filesystem (kombu as shipped)",
    "sicrm-fs": "filesystem, write+rename (sicrm)",
    "sqla-sqlite": "SQLAlchemy on SQLite (journal)",
    "sqla-sqlite-wal": "SQLAlchemy on SQLite (WAL)",
}


def available(variant: str) -> bool:
    if not variant.startswith("sqla"):
        return True
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        return False
    return True


def connection(variant: str, folder: str) -> Any:
    from kombu import Connection

    if variant.endswith("-fs"):
        options = {
            "data_folder_in": os.path.join(folder, "queue"),
            "data_folder_out": os.path.join(folder, "queue"),
            "processed_folder": os.path.join(folder, "processed"),
            "control_folder": os.path.join(folder, "control"),
            "store_processed": False,
        }
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            os.makedirs(str(options[key]), exist_ok=True)
        transport = "backend.core.broker:Transport" if variant == "sicrm-fs" else "filesystem"
        return Connection("filesystem://", transport=transport, transport_options=options)
    path = os.path.join(folder, "broker.sqlite3")
    if variant == "sqla-sqlite-wal" and not os.path.exists(path):
        with sqlite3.connect(path) as db:  # WAL is a property of the file: later connections keep it
            db.execute("PRAGMA journal_mode=WAL")
    return Connection(f"sqla+sqlite:///{path}", transport_options={"connect_args": {"timeout": 30}})


def _body(size: int, **extra: Any) -> dict[str, Any]:
    return {"pad": "x" * size, **extra}


def publish(variant: str, folder: str, count: int, size: int, tag: str = "", spacing: float = 0.0) -> float:
    from kombu import Exchange, Producer, Queue

    queue = Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE)
    with connection(variant, folder) as conn:
        producer = Producer(conn.default_channel)
        start = time.perf_counter()
        for i in range(count):
            producer.publish(
                _body(size, id=f"{tag}{i}", sent=time.time()),
                exchange=queue.exchange,
                routing_key=QUEUE,
                declare=[queue],
                serializer="json",
            )
            if spacing:
                time.sleep(spacing)
        return time.perf_counter() - start


def consume(variant: str, folder: str, until: int, idle_seconds: float, shared: Shared) -> None:
    """Take messages until ``until`` were seen by all consumers together, or nothing came for ``idle_seconds``;
    put (ids, latencies, errors) on the shared result queue."""
    from kombu import Exchange, Queue

    queue = Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE)
    ids: list[str] = []
    latencies: list[float] = []
    errors = 0
    with connection(variant, folder) as conn:
        channel = conn.default_channel
        queue(channel).declare()
        last = time.monotonic()
        while time.monotonic() - last < idle_seconds:
            try:
                message = channel.basic_get(QUEUE, no_ack=True)
            except Exception:  # noqa: BLE001 - the point is to count what the transport throws
                errors += 1
                last = time.monotonic()
                continue
            if message is None:
                if shared.state["seen"] >= until:
                    break
                time.sleep(0.002)
                continue
            body = message.decode()
            latencies.append(time.time() - body["sent"])
            ids.append(body["id"])
            with shared.lock:
                shared.state["seen"] += 1
            last = time.monotonic()
    shared.out.put((ids, latencies, errors))


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


def run_variant(variant: str, *, messages: int, size: int, race_messages: int, race_size: int) -> dict[str, str]:
    ctx = mp.get_context("spawn")
    row: dict[str, str] = {"transport": LABELS[variant]}
    with tempfile.TemporaryDirectory(prefix="sicrm-bench-broker-") as folder:
        # 1. one process publishes, then drains (no competition)
        seconds = publish(variant, folder, messages, size)
        row["publish msg/s"] = f"{messages / seconds:.0f}"
        with ctx.Manager() as manager:
            shared = Shared(manager)
            start = time.perf_counter()
            consume(variant, folder, messages, 1.0, shared)
            ids, _, errors = shared.out.get()
            row["drain msg/s"] = f"{len(ids) / (time.perf_counter() - start):.0f}"

            # 2. latency between two processes, one message every 5 ms
            shared = Shared(manager)
            consumer = ctx.Process(target=consume, args=(variant, folder, 200, 3.0, shared))
            consumer.start()
            time.sleep(1.0)
            publish(variant, folder, 200, size, spacing=0.005)
            consumer.join(60)
            _, latencies, _ = shared.out.get()
            row["latency p50 ms"] = _ms(latencies, 0.5)
            row["latency p95 ms"] = _ms(latencies, 0.95)

    with tempfile.TemporaryDirectory(prefix="sicrm-bench-broker-") as folder:
        # 3. the race: two publishers of large messages, two consumers draining at the same time
        outcome = race(variant, folder, messages=race_messages, size=race_size)
        row["race ok"] = f"{outcome['received']}/{outcome['published']}"
        for key in ("errors", "duplicates", "missing"):
            row[f"race {key}"] = str(outcome[key])
    return row


def race(variant: str, folder: str, *, messages: int, size: int, publishers: int = 2, consumers: int = 2) -> dict:
    """Publishers and consumers in their own processes at once; count what arrived whole, once."""
    ctx = mp.get_context("spawn")
    total = publishers * messages
    with ctx.Manager() as manager:
        shared = Shared(manager)
        consuming = [ctx.Process(target=consume, args=(variant, folder, total, 5.0, shared)) for _ in range(consumers)]
        publishing = [
            ctx.Process(target=publish, args=(variant, folder, messages, size, f"p{n}-")) for n in range(publishers)
        ]
        for p in consuming + publishing:
            p.start()
        for p in publishing + consuming:
            p.join(300)
        received: list[str] = []
        errors = 0
        for _ in consuming:
            ids, _, failed = shared.out.get(timeout=10)
            received += ids
            errors += failed
    unique = set(received)
    return {
        "published": total,
        "received": len(unique),
        "errors": errors,
        "duplicates": len(received) - len(unique),
        "missing": total - len(unique),
    }


def run(
    *,
    variants: list[str],
    messages: int = 2000,
    size: int = 1024,
    race_messages: int = 300,
    race_size: int = 256 * 1024,
    log: Callable[[str], None] = print,
) -> list[tuple[str, ...]]:
    header = (
        "transport",
        "publish msg/s",
        "drain msg/s",
        "latency p50 ms",
        "latency p95 ms",
        "race ok",
        "race errors",
        "race duplicates",
        "race missing",
    )
    rows: list[tuple[str, ...]] = [header]
    for variant in variants:
        if not available(variant):
            log(f"{LABELS[variant]}: skipped, SQLAlchemy is not installed (pip install sqlalchemy)")
            continue
        log(f"{LABELS[variant]} ...")
        result = run_variant(variant, messages=messages, size=size, race_messages=race_messages, race_size=race_size)
        rows.append(tuple(result.get(column, "-") for column in header))
    return rows
