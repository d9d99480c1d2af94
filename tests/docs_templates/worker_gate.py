"""The Celery app for the batch-recovery test's first worker, with a gate: the worker makes ``SICRM_GATE_AFTER``
generated documents, then stops inside the transaction of the next one, just before its INSERT, and says so in
the file named by ``SICRM_GATE_FILE``. The test waits for that line (a signal from inside the task, not a sleep)
and kills the worker there: mid-batch, mid-item, every time."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.db.backends.signals import connection_created

from backend.celery import app

__all__ = ["app"]

_inserts = {"count": 0}


def _gate(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if str(sql).lstrip().upper().startswith('INSERT INTO "DOCS_TEMPLATES_GENERATEDDOCUMENT"'):
        if _inserts["count"] >= int(os.environ["SICRM_GATE_AFTER"]):
            with open(os.environ["SICRM_GATE_FILE"], "a", encoding="utf-8") as signal_file:
                signal_file.write(f"blocked before document {_inserts['count'] + 1}\n")
            threading.Event().wait()  # until the test kills this process
        _inserts["count"] += 1
    return execute(sql, params, many, context)


def _install(connection: Any, **kwargs: Any) -> None:
    if _gate not in connection.execute_wrappers:
        connection.execute_wrappers.append(_gate)


connection_created.connect(_install, weak=False)
