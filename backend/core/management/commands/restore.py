"""``sicrm restore FILE``: load a ``sicrm backup`` archive into an empty installation (after ``sicrm migrate``),
restore the media files, rebuild the search index and check every table against the backup's checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.core import backup
from backend.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore a backup archive into an empty installation and rebuild the search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="A file written by `sicrm backup`.")
        parser.add_argument("--no-reindex", action="store_true", help="Leave the search index to `sicrm reindex`.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            report = backup.restore_read(
                path=Path(opts["archive"]), log=self.stdout.write, reindex=not opts["no_reindex"]
            )
        except (ApplicationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if report.mismatches:
            raise CommandError("restored, but these tables differ from the backup:\n" + "\n".join(report.mismatches))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.rows} rows in {report.tables} tables and {report.media_files} media files; "
                "every table matches the backup."
            )
        )
