"""The application as ``backend.wsgi`` serves it, plus three response headers for ``sicrm bench api``:
``X-Bench-Queries`` (SQL statements the request ran), ``X-Bench-Pid`` and ``X-Bench-Rss-Kb`` (the worker's
resident memory after the request). Only the benchmark starts gunicorn with it; it changes nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection  # noqa: E402  (after Django is set up by backend.wsgi)

from backend.wsgi import application as django_application


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    captured: list[tuple[str, list[tuple[str, str]], Any]] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured.append((status, headers, exc_info))
        return lambda data: None

    with connection.execute_wrapper(count):
        response = django_application(environ, capture)
        try:
            body = b"".join(response)
        finally:
            close = getattr(response, "close", None)
            if close:
                close()
    status, headers, exc_info = captured[0]
    headers = [
        *headers,
        ("X-Bench-Queries", str(queries)),
        ("X-Bench-Pid", str(os.getpid())),
        ("X-Bench-Rss-Kb", str(_rss_kb())),
    ]
    start_response(status, headers, exc_info)
    return [body]
