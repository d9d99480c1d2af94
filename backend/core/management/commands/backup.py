"""``sicrm backup [--output FILE]``: the whole installation (database as JSON lines, media files, a manifest
with a checksum per table) in one .tar.gz; ``sicrm restore FILE`` loads it into an empty installation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.core import backup
from backend.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Write a backup archive: the database in a portable format, the media files and a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Archive path (default: sicrm-backup-<time>.tar.gz here).")
        # For tests and checks: print each table's row count and checksum as JSON and write nothing.
        parser.add_argument("--checksums", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["checksums"]:
            self.stdout.write(json.dumps(backup.table_checksums(), sort_keys=True))
            return
        output = Path(opts["output"] or f"sicrm-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        if output.exists():
            raise CommandError(f"{output} exists; choose another --output.")
        try:
            backup.backup_write(path=output, log=self.stdout.write)
        except (ApplicationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
