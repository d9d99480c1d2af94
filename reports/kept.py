"""Reports kept between views (issue 15): at 1,000,000 projects a report takes seconds to compute (win/loss
3 s, the funnel half a minute, the executive overview's five reports about two minutes), so the pages show the
last computation and say when it was made, as a dashboard of Salesforce does.

``kept_report(report, user=, params=)`` is the report's ``as_dict()`` with ``kept``: when it was computed and
whether it is still current. It is kept in the cache per report, language, filters (the period included) and
user (one for all the users who see every project: their figures are the same), together with the tables the
computation read and their versions (``backend.core.counts``):

- no write to those tables since: the kept figures are current and are shown as they are;
- a write since: the kept figures are shown with their time, and a background thread of the process renews
  them (``backend.core.background``), so the next view is current without anyone waiting for the seconds;
- nothing kept, older than ``REPORT_KEPT_SECONDS`` (900; 0 turns this off), or "refresh" asked: computed now.

The worker keeps the executive overview's reports computed for the see-all users (``keep_overview``), so the
first view of the day does not wait either.

The API and the exports always compute (an integration or a download wants the figures of the moment).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import User
from backend.core import background, counts
from reports.base import Report
from reports.registry import OVERVIEW_REPORTS, report_get

log = logging.getLogger(__name__)
PREFIX = "sicrm:reports:"
_clock = time.time


def _seconds() -> int:
    return int(getattr(settings, "REPORT_KEPT_SECONDS", 900))


def kept_report(report: Report, *, user: User, params: Any, refresh: bool = False) -> dict[str, Any]:
    """The report's figures for ``user``, kept as the module says; bad filters raise as ``run`` does."""
    seconds = _seconds()
    if seconds <= 0:
        return report.run(user=user, params=params).as_dict()
    key, language = _key(report, user, params)
    kept, current = (None, False) if refresh else _kept(key)
    if kept is None:
        kept, current = _compute(key, report, user, params, seconds), True
    elif not current:
        prefix = get_script_prefix()

        def renew() -> None:
            set_script_prefix(prefix)
            with translation.override(language):
                _compute(key, report, user, params, seconds)

        background.renew(key, renew)
    at = datetime.fromtimestamp(kept["at"], tz=UTC)
    return {**kept["body"], "kept": {"at": at, "current": current}}


def _key(report: Report, user: User, params: Any) -> tuple[str, str]:
    filters = report.filters(params)  # the period as resolved today: tomorrow is another key
    language = translation.get_language() or settings.LANGUAGE_CODE
    viewer = "all" if user.has_role(*SEE_ALL_ROLES) else user.pk  # see-all users see the same figures
    text = repr((report.name, language, viewer, sorted(filters.as_params().items())))
    return f"{PREFIX}{hashlib.sha1(text.encode()).hexdigest()}", language


def _kept(key: str) -> tuple[dict[str, Any] | None, bool]:
    """What is kept under ``key`` and whether it is current (nothing, for a cache that cannot be reached)."""
    try:
        kept = cache.get(key)
        return kept, kept is not None and counts.versions(kept["tables"]) == kept["versions"]
    except Exception:  # noqa: BLE001  computed now, as without the cache
        log.warning("reports: the cache cannot be read")
        return None, False


def overview_viewed(language: str) -> None:
    """Note that the executive overview was opened in ``language`` by a see-all user (for a day)."""
    with contextlib.suppress(Exception):
        cache.set(f"{PREFIX}overview-viewed:{language}", 1, timeout=24 * 3600)


def keep_overview() -> int:
    """The worker's part (every ``REPORT_KEPT_SECONDS`` × 2/3): the overview's reports, as every see-all user
    sees them, computed again wherever they are not kept or no longer current, in each language the overview
    was opened in during the last day. So an executive's first view of the day does not wait for them (at
    1,000,000 projects they take about two minutes together). Returns how many it computed."""
    seconds = _seconds()
    viewer = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=SEE_ALL_ROLES))
        .order_by("pk")
        .first()
    )
    if seconds <= 0 or viewer is None:
        return 0
    computed = 0
    for language, _name in settings.LANGUAGES:
        if cache.get(f"{PREFIX}overview-viewed:{language}") is None:
            continue
        with translation.override(language):
            for name in OVERVIEW_REPORTS:
                report = report_get(name)
                key, _language = _key(report, viewer, {})
                kept, current = _kept(key)
                if kept is None or not current:
                    _compute(key, report, viewer, {}, seconds)
                    computed += 1
    return computed


def _compute(key: str, report: Report, user: User, params: Any, seconds: int) -> dict[str, Any]:
    """Compute the report, note the tables its statements read, and keep it under their versions as they
    were before it started (a write during the computation makes it out of date at once)."""
    read: set[str] = set()

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if isinstance(sql, str):
            read.update(counts.tables_of(sql))
        return execute(sql, params, many, context)

    started = _clock()
    every = sorted(counts.known_tables())
    try:
        before: dict[str, str | None] | None = dict(zip(every, counts.versions(every), strict=True))
    except Exception:  # noqa: BLE001  a cache that cannot be reached: computed, not kept
        before = None
    with connection.execute_wrapper(note):
        body = report.run(user=user, params=params).as_dict()
    log.info("reports: computed %s in %.1f s", report.name, _clock() - started)
    kept: dict[str, Any] = {"body": body, "at": started, "tables": sorted(read)}
    if before is not None:
        kept["versions"] = [before[table] for table in kept["tables"]]
        try:
            cache.set(key, kept, timeout=seconds)
        except Exception:  # noqa: BLE001
            log.warning("reports: the cache cannot be written")
    return kept
