"""Work a request starts and does not wait for: renewing a kept figure (list counts, reports) in a background
thread of the process that noticed it was old.

``renew(key, work)`` runs ``work()`` once per key at a time: not again while this process is at it, nor while
another process is (a lock in the shared cache, which lapses by itself after ``LOCK_SECONDS`` should the
process die). One thread per process does the work, so a burst of old figures queues instead of competing with
the requests for the cores; the thread closes its own database connections after each piece of work.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.core.cache import cache
from django.db import connections

log = logging.getLogger(__name__)
LOCK_SECONDS = 300

_pending: dict[str, Future[None]] = {}  # this process's work under way, by key
_lock = threading.Lock()
_executor: tuple[int, ThreadPoolExecutor] | None = None  # (the process that made it: a fork needs its own)


def renew(key: str, work: Callable[[], None]) -> bool:
    """Start ``work`` in the background unless work under ``key`` is already under way here or elsewhere;
    True when it was started. A cache that cannot be reached starts nothing (the next request tries again)."""
    global _executor
    with _lock:
        if key in _pending:
            return False
        try:
            if not cache.add(f"{key}:renewing", os.getpid(), timeout=LOCK_SECONDS):
                return False
        except Exception:  # noqa: BLE001
            return False
        if _executor is None or _executor[0] != os.getpid():
            _executor = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="sicrm-renew"))
        _pending[key] = _executor[1].submit(_run, key, work)
        return True


def _run(key: str, work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # noqa: BLE001  what was kept stays until it expires; the next request tries again
        log.exception("renewing %s failed", key)
    finally:
        connections.close_all()  # this thread's own connections
        with contextlib.suppress(Exception):  # the lock then lapses by itself
            cache.delete(f"{key}:renewing")
        with _lock:
            _pending.pop(key, None)


def settle(timeout: float = 60) -> None:
    """Wait for this process's background work under way (tests)."""
    with _lock:
        pending = list(_pending.values())
    wait(pending, timeout=timeout)
