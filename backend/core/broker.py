"""The embedded Celery broker: kombu's filesystem transport, with messages that appear whole or not at all.

kombu's own filesystem transport creates a message file under its final name and then writes it, so a worker
listing the queue folder in between reads half a message (``JSONDecodeError`` in ``_get``) and dies. Here a
message is written to a hidden temporary file in the same folder and renamed into place, which POSIX makes
atomic: a ``*.msg`` file is always complete. A worker claims a message by renaming it into the processed
folder (one rename wins when several workers race). A file that still fails to decode (written by something
else, or damaged on disk) is moved to the ``failed`` folder and logged; it never stops the worker.

Chosen over kombu's SQLAlchemy transport on SQLite after measuring both (``sicrm bench broker``, README).
This module only moves bytes; it knows nothing about tasks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from queue import Empty
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"


def write_file(path: str, data: bytes, *, fsync: bool) -> None:
    """Create ``path`` (it must not exist) holding ``data``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


class Channel(filesystem.Channel):
    """Atomic put (write a temporary file, then rename), claim-by-rename get, quarantine of bad files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per queue, the rest of the last sorted listing: one listdir serves many gets on a long queue.
        self._pending: dict[str, list[str]] = {}

    @cached_property
    def failed_folder(self) -> str:
        default = os.path.join(os.path.dirname(os.path.abspath(self.processed_folder)), "failed")
        return self.transport_options.get("failed_folder", default)

    @cached_property
    def claim_folder(self) -> str:
        os.makedirs(self.processed_folder, exist_ok=True)
        return self.processed_folder

    @cached_property
    def fsync(self) -> bool:
        return bool(self.transport_options.get("fsync", False))

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]  # kombu: payload/message
        """Write ``payload`` to a temporary file, then rename it into the queue folder."""
        data = str_to_bytes(dumps(payload))
        # Nanoseconds since the epoch, zero-padded: names sort in publishing order, across restarts too.
        name = f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = os.path.join(self.data_folder_out, f"{TEMP_PREFIX}{name}{TEMP_SUFFIX}")
        try:
            write_file(temporary, data, fsync=self.fsync)
            os.rename(temporary, final)  # atomic: readers see the whole file or nothing
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise filesystem.ChannelError(f"Cannot add message {name!r} to {self.data_folder_out!r}") from exc

    def _candidates(self, queue: str) -> list[str]:
        pending = self._pending.get(queue)
        if not pending:
            suffix = f".{queue}.msg"
            pending = sorted(
                (n for n in os.listdir(self.data_folder_in) if n.endswith(suffix) and not n.startswith(TEMP_PREFIX)),
                reverse=True,  # pop() from the end takes the oldest first
            )
            self._pending[queue] = pending
        return pending

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """Claim the oldest complete message of ``queue`` by renaming it; decode it, or quarantine it."""
        pending = self._candidates(queue)
        while pending:
            name = pending.pop()
            claimed = os.path.join(self.claim_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another worker claimed it first
            try:
                with open(claimed, "rb") as f:
                    raw = f.read()
                message = loads(bytes_to_str(raw))
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                self._quarantine(claimed, name, exc)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()

    def _quarantine(self, path: str, name: str, exc: Exception) -> None:
        os.makedirs(self.failed_folder, exist_ok=True)
        target = os.path.join(self.failed_folder, name)
        try:
            os.replace(path, target)
        except OSError:
            target = path
        logger.error(
            "broker: message %s could not be read (%s: %s); moved to %s", name, type(exc).__name__, exc, target
        )

    def _purge(self, queue: str) -> int:
        self._pending.pop(queue, None)
        return super()._purge(queue)


class Transport(filesystem.Transport):
    """kombu's filesystem transport with :class:`Channel`; the same folders and options, plus ``fsync`` and
    ``failed_folder``."""

    Channel = Channel
    global_state = filesystem.virtual.BrokerState()
    driver_name = "sicrm-filesystem"
