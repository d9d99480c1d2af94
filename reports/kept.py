"""Reports kept between views (issue 15): at 1,000,000 projects a report takes seconds to compute (win/loss
3 s, the executive overview's four reports about 18 s), so the pages show the last computation and say when it
was made, as a dashboard of Salesforce does.

``kept_report(report, user=, params=)`` is the report's ``as_dict()`` with ``kept``: when it was computed and
whether it is still current. It is kept in the cache per report, language, filters (the period included) and
user (one for all the users who see every project: their figures are the same), together with the tables the
computation read and their versions (``backend.core.counts``):

- no write to those tables since: the kept figures are current and are shown as they are;
- a write since: the kept figures are shown with their time, and a background thread of the process renews
  them (``backend.core.background``), so the next view is current without anyone waiting for the seconds;
- nothing kept, older than ``REPORT_KEPT_SECONDS`` (900; 0 turns this off), or "refresh" asked: computed now.

The API and the exports always compute (an integration or a download wants the figures of the moment).
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import User
from backend.core import background, counts
from reports.base import Report

log = logging.getLogger(__name__)
PREFIX = "sicrm:reports:"


def _seconds() -> int:
    return int(getattr(settings, "REPORT_KEPT_SECONDS", 900))


def kept_report(report: Report, *, user: User, params: Any, refresh: bool = False) -> dict[str, Any]:
    """The report's figures for ``user``, kept as the module says; bad filters raise as ``run`` does."""
    seconds = _seconds()
    if seconds <= 0:
        return report.run(user=user, params=params).as_dict()
    filters = report.filters(params)  # the period as resolved today: tomorrow is another key
    language = translation.get_language() or settings.LANGUAGE_CODE
    viewer = "all" if user.has_role(*SEE_ALL_ROLES) else user.pk  # see-all users see the same figures
    text = repr((report.name, language, viewer, sorted(filters.as_params().items())))
    key = f"{PREFIX}{hashlib.sha1(text.encode()).hexdigest()}"
    kept = None
    if not refresh:
        try:
            kept = cache.get(key)
            current = kept is not None and counts.versions(kept["tables"]) == kept["versions"]
        except Exception:  # noqa: BLE001  a cache that cannot be reached: computed now, as without it
            log.warning("reports: the cache cannot be read; computing %s", report.name)
            kept = None
    if kept is None:
        kept = _compute(key, report, user, params, seconds)
        current = True
    elif not current:
        prefix = get_script_prefix()

        def renew() -> None:
            set_script_prefix(prefix)
            with translation.override(language):
                _compute(key, report, user, params, seconds)

        background.renew(key, renew)
    at = datetime.fromtimestamp(kept["at"], tz=UTC)
    return {**kept["body"], "kept": {"at": at, "current": current}}


def _compute(key: str, report: Report, user: User, params: Any, seconds: int) -> dict[str, Any]:
    """Compute the report, note the tables its statements read, and keep it under their versions as they
    were before it started (a write during the computation makes it out of date at once)."""
    read: set[str] = set()

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if isinstance(sql, str):
            read.update(counts.tables_of(sql))
        return execute(sql, params, many, context)

    started = time.time()
    every = sorted(counts.known_tables())
    try:
        before: dict[str, str | None] | None = dict(zip(every, counts.versions(every), strict=True))
    except Exception:  # noqa: BLE001  a cache that cannot be reached: computed, not kept
        before = None
    with connection.execute_wrapper(note):
        body = report.run(user=user, params=params).as_dict()
    kept: dict[str, Any] = {"body": body, "at": started, "tables": sorted(read)}
    if before is not None:
        kept["versions"] = [before[table] for table in kept["tables"]]
        try:
            cache.set(key, kept, timeout=seconds)
        except Exception:  # noqa: BLE001
            log.warning("reports: the cache cannot be written")
    return kept
