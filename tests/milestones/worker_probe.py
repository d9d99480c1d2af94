"""The Celery app for the worker-kill test, with a probe: every SQL statement a task starts is written to the
file named by ``SICRM_TASK_PROBE`` *before* it runs, so the test knows from inside the task that it is waiting
on the database (a statement logged and not finished), not merely that the worker received it."""

from __future__ import annotations

import os
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.db import connections
from django.db.backends.signals import connection_created

from backend.celery import app

__all__ = ["app"]

_running: dict[str, str] = {}


def _write(line: str) -> None:
    with open(os.environ["SICRM_TASK_PROBE"], "a", encoding="utf-8") as probe:
        probe.write(line + "\n")
        probe.flush()
        os.fsync(probe.fileno())


@task_prerun.connect
def _task_started(task: Any = None, **kwargs: Any) -> None:
    for connection in connections.all():  # a connection kept open from before the task (CONN_MAX_AGE)
        _probe_connection(connection)
    _running["task"] = task.name if task is not None else "?"
    _write(f"task started {_running['task']}")


@task_postrun.connect
def _task_ended(**kwargs: Any) -> None:
    _write(f"task ended {_running.pop('task', '?')}")


def _log_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if "task" in _running:
        _write(f"sql {' '.join(str(sql).split())[:4000]}")
    return execute(sql, params, many, context)


def _probe_connection(connection: Any, **kwargs: Any) -> None:
    if _log_statement not in connection.execute_wrappers:  # a reconnection reuses the same wrapper object
        connection.execute_wrappers.append(_log_statement)


connection_created.connect(_probe_connection, weak=False)
