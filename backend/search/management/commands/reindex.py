"""``sicrm reindex``: rebuild the search index from the database, with a progress bar; ``--check``
compares the index with the database and repairs the drift instead (what the periodic reconcile does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from backend.search.base import get_backend
from backend.search.services import document_total, search_reconcile, search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index from the database (or, with --check, repair only what drifted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Reconcile: compare with the database and repair.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")

    def handle(self, *args: Any, **opts: Any) -> None:
        backend = get_backend()
        if opts["check"]:
            report = search_reconcile(backend=backend)
            self.stdout.write(
                f"checked {report.checked}; repaired {report.repaired} "
                f"({len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra)"
            )
            return
        with tqdm(
            total=document_total(),
            unit="doc",
            desc=f"reindex ({backend.name})",
            disable=opts["no_progress"],
            file=self.stderr._out,
        ) as bar:
            count = search_reindex(backend=backend, progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} documents."))
        for key, value in backend.stats().items():
            self.stdout.write(f"  {key}: {value}")
