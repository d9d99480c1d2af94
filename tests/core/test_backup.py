"""`sicrm backup` and `sicrm restore`: the demo data round-trips through one archive into an empty installation
(a second database of the same kind: SQLite here, PostgreSQL in CI) with every table's row count and row
checksum unchanged, the media files byte for byte, and a search index rebuilt to match. Restore refuses an
installation that is not empty and a file that is not a backup, and changes nothing then."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from backend.core import backup
from backend.core.errors import Conflict
from tests.conftest import ROOT, _database_url_for_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _empty_database_url() -> tuple[str, callable]:
    """A new, empty database of the same kind as the test database, and how to drop it."""
    source = _database_url_for_worker()
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"]).with_name("restore-target.sqlite3")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return source.rsplit("/", 1)[0] + f"/{name}", drop


def _sicrm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"sicrm {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.timeout(900)  # subprocesses migrating and loading the demo: minutes on a busy machine
def test_the_demo_round_trips_into_an_empty_installation(tmp_path, settings, demo_data):
    # given the demo data, with its generated documents and uploads under MEDIA_ROOT
    source = backup.table_checksums()
    assert source["accounts_user"]["rows"] == 14
    assert source["projects_project"]["rows"] == 129  # 45 deals in every state and 84 of the last two years
    assert source["knowledge_article"]["rows"] == 31
    media = _files(Path(settings.MEDIA_ROOT))
    assert len(media) >= 20

    # when it is backed up into one archive
    archive = tmp_path / "sicrm-backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "database/projects.project.jsonl" in names
    assert sum(n.startswith("media/") for n in names) == len(media)

    # and restored into a new installation: a new database, migrated, with its own media folder and index
    database_url, drop = _empty_database_url()
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "SEARCH_BACKEND")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "backend.settings",
                "DATABASE_URL": database_url,
                "SICRM_VAR_DIR": str(tmp_path / "target-var"),
                "MEDIA_ROOT": str(tmp_path / "media-target"),
                "SEARCH_INDEX_DIR": str(tmp_path / "target-index"),
            }
        )
        _sicrm(env, "migrate", "--noinput", "-v0")
        restored = _sicrm(env, "restore", str(archive))
        target = json.loads(_sicrm(env, "backup", "--checksums").stdout)
        index = _sicrm(env, "reindex", "--check").stdout
    finally:
        drop()

    # then every table has the same rows, the media files are identical, and the search index matches
    assert "every table matches the backup" in restored.stdout
    assert target.keys() == source.keys()
    differing = [table for table in source if source[table] != target[table]]
    assert differing == []
    assert target["projects_project"] == source["projects_project"]
    assert _files(tmp_path / "media-target") == media
    checked = int(index.split("checked ")[1].split(";")[0])
    assert checked > 45 + 31 and "repaired 0" in index


def test_restore_refuses_an_installation_that_is_not_empty(tmp_path, make_user, settings):
    # given a backup of a database with one user, and that same (non-empty) database
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_user("someone")
    archive = tmp_path / "b.tar.gz"
    backup.backup_write(path=archive)
    before = backup.table_checksums()
    # when it is restored over it
    with pytest.raises(Conflict) as refused:
        backup.restore_read(path=archive, reindex=False)
    # then it is refused, saying why and what to do, and nothing changed
    assert refused.value.message.startswith("Restore needs an empty installation, but the database has 1 user.")
    assert "sicrm migrate" in refused.value.message
    assert backup.table_checksums() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        data = b'{"format": "something else"}'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="not a sicrm backup"):
        backup.restore_read(path=not_a_backup, reindex=False)
    text = tmp_path / "plain.txt"
    text.write_text("hello")
    with pytest.raises(backup.BackupError, match="not a sicrm backup"):
        backup.restore_read(path=text, reindex=False)


def test_a_backup_with_an_unsafe_path_is_refused_before_anything_is_written(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = tmp_path / "evil.tar.gz"
    backup.backup_write(path=archive)  # an empty database: a valid manifest
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
        evil = tarfile.TarInfo("media/../../escaped.txt")
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    with pytest.raises(backup.BackupError, match="unsafe path"):
        backup.restore_read(path=archive, reindex=False)
    assert not (tmp_path / "escaped.txt").exists()


def test_a_backup_from_another_schema_is_refused_and_nothing_changes(tmp_path, settings):
    # given a valid backup whose manifest lacks this version's last accounts migration (an older sicrm)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = tmp_path / "b.tar.gz"
    backup.backup_write(path=archive)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    manifest["migrations"] = [m for m in manifest["migrations"] if m != ["accounts", "0003_api_token"]]
    older = tmp_path / "older.tar.gz"
    with tarfile.open(older, "w:gz") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    before = backup.table_checksums()
    with pytest.raises(Conflict) as refused:
        backup.restore_read(path=older, reindex=False)
    assert "made by an older sicrm (it lacks migrations accounts.0003_api_token" in refused.value.message
    # and one from a newer sicrm names the migration it does not know
    manifest["migrations"].append(["accounts", "9999_future"])
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(newer, "w:gz") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(Conflict, match="newer sicrm .unknown migrations: accounts.9999_future"):
        backup.restore_read(path=newer, reindex=False)
    assert backup.table_checksums() == before
