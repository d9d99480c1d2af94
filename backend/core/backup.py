"""Backup and restore of a whole installation as one ``.tar.gz``: every table as JSON lines (Django's portable
serialisation, with primary keys, so a backup from SQLite restores into PostgreSQL and back), the media files,
and a manifest with the applied migrations and, per table, the row count and a checksum of its rows. The search
index is not in the archive: restore rebuilds it from the database.

Restore only goes into an empty installation (no user, no media file): it never merges with live data. This
module reads and writes the database and MEDIA_ROOT; it is called by ``sicrm backup`` and ``sicrm restore``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.core.errors import ApplicationError, Conflict

FORMAT = "sicrm-backup"
FORMAT_VERSION = 1
CHUNK = 2000


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds (ECMA-262); a backup keeps microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time) and not (isinstance(o, time) and o.utcoffset() is not None):
            return o.isoformat()
        return super().default(o)


class BackupError(ApplicationError):
    code = "backup_invalid"


@dataclass
class RestoreReport:
    tables: int
    rows: int
    media_files: int
    mismatches: list[str]


# --- what is in the database --------------------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model with a table of its own (automatic many-to-many tables included), in a stable order."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return sorted(found, key=lambda m: m._meta.db_table)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return value


def table_checksums() -> dict[str, dict[str, Any]]:
    """Per table: {"rows": count, "sha256": digest of its rows in primary-key order}, read through the ORM so
    the same data gives the same digest on SQLite and PostgreSQL."""
    result: dict[str, dict[str, Any]] = {}
    for model in backed_up_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        rows = model._base_manager.order_by("pk").values_list(*fields)
        for row in rows.iterator(chunk_size=CHUNK):
            digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False, default=str).encode())
            digest.update(b"\n")
            count += 1
        result[model._meta.db_table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of the whole database while other clients go on writing."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred transaction: a WAL read snapshot that takes no write lock (atomic() would BEGIN IMMEDIATE).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            yield


# --- backup ---------------------------------------------------------------------------------------------------


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_write(*, path: Path, log: Callable[[str], None] = lambda line: None) -> dict[str, Any]:
    """Write the archive to ``path`` (through a temporary file, renamed at the end); returns the manifest."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="sicrm-backup-") as work:
        with _snapshot():
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": applied_migrations(),
                "tables": table_checksums(),
            }
            files = []
            for model in backed_up_models():
                if not manifest["tables"][model._meta.db_table]["rows"]:
                    continue
                name = f"{model._meta.label_lower}.jsonl"
                # Concrete fields only: many-to-many rows are saved from their own tables, with their own keys.
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                with open(Path(work) / name, "w", encoding="utf-8") as out:
                    serializers.serialize(
                        "jsonl",
                        model._base_manager.order_by("pk").iterator(chunk_size=CHUNK),
                        stream=out,
                        fields=fields,
                        cls=ExactEncoder,
                    )
                files.append(name)
        manifest["database_files"] = files
        media = _media_files()
        manifest["media"] = [{"path": p.relative_to(media_root).as_posix(), "bytes": p.stat().st_size} for p in media]
        with tarfile.open(temporary, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            for name in files:
                archive.add(Path(work) / name, arcname=f"database/{name}")
            for p in media:
                archive.add(p, arcname=f"media/{p.relative_to(media_root).as_posix()}")
        os.replace(temporary, path)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    log(f"{len(files)} tables with {rows} rows and {len(media)} media files written to {path}")
    return manifest


# --- restore --------------------------------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
        manifest = json.load(member) if member else None
    except (KeyError, ValueError) as exc:
        raise BackupError(_("This file is not a sicrm backup: it has no readable manifest.")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This file is not a sicrm backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup has format version %(found)s; this sicrm reads version %(expected)s.")
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION}
        )
    return manifest


def installation_is_empty() -> list[str]:
    """What makes this installation not empty (users, media files); empty list if it is empty."""
    from django.contrib.auth import get_user_model

    problems = []
    users = get_user_model()._base_manager.count()
    if users:
        problems.append(
            ngettext("the database has %(count)d user", "the database has %(count)d users", users) % {"count": users}
        )
    media = _media_files()
    if media:
        problems.append(
            ngettext("%(root)s holds %(count)d file", "%(root)s holds %(count)d files", len(media))
            % {"root": settings.MEDIA_ROOT, "count": len(media)}
        )
    return problems


def _check_migrations(manifest: dict[str, Any]) -> None:
    """The backup must come from this very schema: rows are loaded through today's models."""
    graph = MigrationExecutor(connection).loader.graph
    backed_up = {(app, name) for app, name in manifest["migrations"]}
    unknown = sorted(f"{app}.{name}" for app, name in backed_up if (app, name) not in graph.nodes)
    if unknown:
        raise Conflict(
            _("This backup was made by a newer sicrm (unknown migrations: %(names)s); upgrade sicrm first.")
            % {"names": ", ".join(unknown[:5])}
        )
    current = {(app, name) for app, name in MigrationRecorder(connection).applied_migrations()}
    missing = sorted(f"{app}.{name}" for app, name in current - backed_up)
    if missing:
        raise Conflict(
            _(
                "This backup was made by an older sicrm (it lacks migrations %(names)s): restore it with that "
                "version, then upgrade and run `sicrm migrate`."
            )
            % {"names": ", ".join(missing[:5])}
        )
    if backed_up - current:
        raise Conflict(_("Run `sicrm migrate` before restoring: this database is not at the current schema."))


def _safe_members(archive: tarfile.TarFile, prefix: str) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        if not member.name.startswith(prefix):
            continue
        relative = member.name[len(prefix) :]
        parts = Path(relative).parts
        if member.isdir() and ".." not in parts:
            continue  # folders come with their files
        if not member.isfile() or not relative or Path(relative).is_absolute() or ".." in parts:
            raise BackupError(_("The backup holds an unsafe path: %(name)s.") % {"name": member.name})
        members.append(member)
    return members


def restore_read(*, path: Path, log: Callable[[str], None] = lambda line: None, reindex: bool = True) -> RestoreReport:
    """Load the archive at ``path`` into this (empty) installation, rebuild the search index and verify every
    table against the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("No backup file at %(path)s.") % {"path": path})
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with-statement below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(_("This file is not a sicrm backup: %(error)s") % {"error": exc}) from exc
    with archive, tempfile.TemporaryDirectory(prefix="sicrm-restore-") as work:
        manifest = _read_manifest(archive)
        database = _safe_members(archive, "database/")
        media = _safe_members(archive, "media/")
        problems = installation_is_empty()
        if problems:
            raise Conflict(
                _(
                    "Restore needs an empty installation, but %(problems)s. Create a new database, run "
                    "`sicrm migrate`, and restore into that."
                )
                % {"problems": "; ".join(problems)}
            )
        _check_migrations(manifest)
        for member in database:
            archive.extract(member, work, filter="data")
        fixtures = [str(Path(work) / m.name) for m in database]
        log(f"loading {len(fixtures)} tables")
        # One transaction: a load that fails leaves the installation as it was. Everything, content types and
        # permissions included, keeps its primary key, so what migrate seeded is cleared first.
        with transaction.atomic():
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            if fixtures:
                call_command("loaddata", *fixtures, verbosity=0)
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        for member in media:
            member = member.replace(name=member.name[len("media/") :])
            archive.extract(member, media_root, filter="data")
        log(f"{len(media)} media files restored into {media_root}")
    mismatches = []
    now = table_checksums()
    for table, expected in manifest["tables"].items():
        got = now.get(table)
        if got != expected:
            mismatches.append(f"{table}: expected {expected['rows']} rows, found {got['rows'] if got else 'none'}")
    if reindex:
        log("rebuilding the search index")
        call_command("reindex", no_progress=True, verbosity=0, stdout=io.StringIO())
    return RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(t["rows"] for t in manifest["tables"].values()),
        media_files=len(media),
        mismatches=mismatches,
    )
