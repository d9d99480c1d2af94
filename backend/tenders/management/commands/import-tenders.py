"""``sicrm import-tenders FILE``: import tender notices from a CSV or XLSX file (all rows or none)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.accounts.models import User
from backend.core.errors import ApplicationError, ValidationFailed
from backend.tenders.importer import MAX_FILE_BYTES, tenders_import


class Command(BaseCommand):
    help = (
        "Import tenders from a CSV or XLSX file with a header row (English or Chinese column names). "
        "Every row is checked first; if any row is bad, each problem is printed with its line number and "
        "nothing is imported."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Path of the .csv or .xlsx file.")
        parser.add_argument(
            "--user",
            help="Username the tenders are registered by (and owned by, unless a routing rule "
            "assigns an owner). Default: the first superuser.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = self._actor(opts.get("user"))
        path = Path(opts["file"])
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        try:
            result = tenders_import(actor=actor, filename=path.name, content=content)
        except ValidationFailed as exc:
            lines = exc.message.splitlines()
            for line in lines[1:]:
                self.stderr.write(line)
            raise CommandError(lines[0] if lines else exc.message) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if result.ignored_columns:
            self.stdout.write(self.style.WARNING(f"Columns not used: {', '.join(result.ignored_columns)}"))
        self.stdout.write(self.style.SUCCESS(f"Imported {result.count} tender{'s' if result.count != 1 else ''}."))

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username!r}.")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No superuser exists: create one (sicrm createsuperuser) or pass --user USERNAME.")
        return user
