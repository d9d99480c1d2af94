"""Shared fixtures: users by role, API clients, query counting, and a real Celery worker process.

Under CI (the CI environment variable set) a skipped test fails: a missing service or browser must be
seen, not silently passed over.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """pytest's temporary folders (``tmp_path``) go in a folder of this run's own, named after its
    ``SICRM_VAR_DIR`` (one per checkout unless set, one per suite in CI), not under the ``pytest-of-USER``
    folder every checkout shares, where a run cleaning up its oldest folders can delete those of another run
    still going."""
    if not config.option.basetemp:
        import hashlib
        import tempfile

        import backend.settings_test  # noqa: F401  (gives SICRM_VAR_DIR its per-checkout default)

        # named after the var dir but short: a Unix socket path under tmp_path must stay within 108 bytes
        run = hashlib.sha1(os.environ["SICRM_VAR_DIR"].encode()).hexdigest()[:10]
        config.option.basetemp = str(Path(tempfile.gettempdir()) / f"sicrm-pytest-{run}")


def require(available: object, reason: str) -> None:
    """A test's outside part (a browser, a service, a tool) must be there: without it the test skips on a
    developer's machine and fails under CI, where nothing may be missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test on the demo data may be the session's first, which loads the demo (minutes on PostgreSQL when the
    machine is busy): it gets 900 s, not the 300 s every other test has, unless it names its own limit."""
    for item in items:
        if "demo_data" in getattr(item, "fixturenames", ()) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(900))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # the safety net for any other skip (a marker, a library's own): under CI it is reported as a failure
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI, which counts as a failure: {reason}"


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request in another language must not leak its active language into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reports_computed_on_each_view(settings):
    """Report pages compute on every view in tests (tests/reports/test_kept.py turns keeping on): a kept
    report would be renewed by a thread on its own connection, which cannot see a test's uncommitted rows."""
    settings.REPORT_KEPT_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a test's rows are rolled back at its end, and a count cached
    from them (``backend.core.counts``) must not answer the same query in the next test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def user_factory():
    return UserFactory


@pytest.fixture
def make_user(db) -> Callable[..., object]:
    def make(username: str | None = None, *roles: str, **kwargs):
        if username:
            kwargs["username"] = username
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def bidmgr(make_user):
    return make_user("bidmgr", "bid_manager")


@pytest.fixture
def director(make_user):
    return make_user("director", "director")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[object], APIClient]:
    """An API client authenticated as the given user (session-less, like a token client)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def count_queries() -> Callable[[Callable[[], object]], int]:
    """How many queries ``fn`` runs. When ``fn`` returns a response it must be a 200: a redirect to the login
    page, a 404 or a refusal runs few queries whatever the data, and would make any count look flat.

    The cache is emptied first, so ``fn`` runs cold: the counts and totals a list keeps between clicks
    (``backend.core.counts``) are computed, and two measurements compare the same work. (A warm click
    runs fewer: tests/core/test_counts.py.) ``keep_cache=True`` measures with the cache as it is."""

    def run(fn: Callable[[], object], keep_cache: bool = False) -> int:
        if not keep_cache:
            from django.core.cache import cache

            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        status = getattr(result, "status_code", None)
        if status is not None:
            assert status == 200, f"counted queries of a {status} answer ({result.get('Location', '')})"  # type: ignore[attr-defined]
        return len(ctx.captured_queries)

    return run


# --- a real Celery worker ------------------------------------------------------------------------------


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def _purge_broker() -> None:
    from backend.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        shutil.rmtree(queue, ignore_errors=True)
        queue.mkdir(parents=True, exist_ok=True)
    else:
        app.control.purge()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` process consuming from the configured broker, on the test database."""
    with django_db_blocker.unblock():
        database_url = _database_url_for_worker()
    _purge_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings_test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(Path(settings.VAR_DIR) / "test-worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--loglevel",
            "INFO",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--hostname",
            f"test-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    log_path = Path(log.name)
    while "ready" not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def real_worker(celery_worker_process, transactional_db) -> Iterator[subprocess.Popen]:
    """Tasks go through the broker to the worker process instead of running inline."""
    from backend.celery import app

    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    _wait_for_idle_worker(app)


def _wait_for_idle_worker(app, timeout: float = 20) -> None:
    """Let tasks still running finish before the test's tables are flushed: a task holding a lock while the
    flush truncates is a deadlock (seen on PostgreSQL)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            inspector = app.control.inspect(timeout=1.0)
            busy = [*(inspector.active() or {}).values(), *(inspector.reserved() or {}).values()]
        except Exception:  # a broker that cannot answer: nothing to wait for
            return
        if not any(busy):
            return
        time.sleep(0.2)


def wait_until(predicate: Callable[[], object], *, timeout: float = 20, message: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(message or "condition not met in time")


# --- presales fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def templates(db):
    """The shipped process templates, loaded as `sicrm load-templates` does."""
    from workflows.loader import templates_load_all

    return {t.code: t for t in templates_load_all()}


@pytest.fixture
def reasons(db):
    from backend.bids.reasons import reasons_ensure

    return reasons_ensure()


@dataclass
class _Snapshot:
    """Every row of every table, as the database returned it, and a copy of the generated files."""

    tables: list[tuple[str, list[str], set[int], list[tuple[object, ...]]]]  # table, columns, JSON columns, rows
    models: list[type]
    media: Path
    checksums: dict[str, dict[str, object]]  # per table, as a backup's manifest has them


_DEMO: list[_Snapshot] = []


def _demo_snapshot(media_root: Path, keep: Path) -> _Snapshot:
    from backend.core.backup import backed_up_models, table_checksums

    quote_name = connection.ops.quote_name
    tables = []
    with connection.cursor() as cursor:
        for model in backed_up_models():
            cursor.execute(f"SELECT * FROM {quote_name(model._meta.db_table)}")
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            if rows:
                json = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
                tables.append((model._meta.db_table, columns, {columns.index(c) for c in json}, rows))
    if media_root.exists():
        shutil.copytree(media_root, keep / "media")
    return _Snapshot(tables=tables, models=backed_up_models(), media=keep / "media", checksums=table_checksums())


def _stored(value: object, is_json: bool) -> object:
    """A value as read back, ready to be written again: JSON as JSON (PostgreSQL returns it as text, which
    would go back as a JSON string), a time as text (SQLite returns it parsed by Django's converters but has
    no adapter to store one)."""
    if value is None:
        return None
    if is_json and connection.vendor == "postgresql":  # Django reads jsonb as its text and decodes it itself
        import json

        from psycopg.types.json import Jsonb

        return Jsonb(json.loads(value) if isinstance(value, str) else value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _demo_restore(snapshot: _Snapshot, media_root: Path) -> None:
    """The snapshot back into the emptied database, each table in one ``executemany`` inside one transaction
    (foreign keys are checked at its end), the sequences moved past the keys, the files copied and the
    search index rebuilt."""
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import transaction

    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    quote_name = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, json, rows in snapshot.tables:
            names, marks = ", ".join(quote_name(c) for c in columns), ", ".join(["%s"] * len(columns))
            stored = [tuple(_stored(v, i in json) for i, v in enumerate(row)) for row in rows]
            cursor.executemany(f"INSERT INTO {quote_name(table)} ({names}) VALUES ({marks})", stored)
        for statement in connection.ops.sequence_reset_sql(no_style(), snapshot.models):
            cursor.execute(statement)
    from backend.core.backup import table_checksums

    restored = table_checksums()  # every row read back through the ORM, as the command left it
    assert restored == snapshot.checksums, [t for t in snapshot.checksums if restored.get(t) != snapshot.checksums[t]]
    if snapshot.media.exists():
        shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)
    call_command("reindex", no_progress=True, verbosity=0, stdout=io.StringIO())


@pytest.fixture
def demo_data(settings, tmp_path, tmp_path_factory, templates, reasons) -> None:
    """The demo installation (`sicrm demo`: rows, generated files, search index). The session's first user runs
    the command and keeps a snapshot of every table and file; later users get that snapshot back (flush,
    every table in one statement, files, reindex): the same data as the command gives, in a fraction of its
    time. Tests of the command itself still run the command, and tests/core/test_backup.py restores a real
    backup of it."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path / "media")
    if not _DEMO:
        call_command("demo", verbosity=0, stdout=io.StringIO())
        _DEMO.append(_demo_snapshot(Path(settings.MEDIA_ROOT), tmp_path_factory.mktemp("demo")))
        return
    _demo_restore(_DEMO[0], Path(settings.MEDIA_ROOT))


@pytest.fixture
def org(db, make_user, templates, reasons):
    """A small organisation: a sales department headed by `head`, a bid manager in it, and the approvers."""
    from tests.factories import DepartmentFactory

    sales = DepartmentFactory(name="Sales")
    people = {
        "head": make_user("head", "bid_manager", department=sales),
        "bidmgr": make_user("bidmgr", "bid_manager", department=sales),
        "director": make_user("director", "director"),
        "legal": make_user("legal", "legal"),
        "finance": make_user("finance", "finance"),
        "exec": make_user("exec", "exec"),
        "outsider": make_user("outsider", "bid_manager"),
    }
    sales.head = people["head"]
    sales.save()
    people["department"] = sales
    return people
