"""``sicrm resume-work``: queue again every stalled background job now (what beat does every minute)."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue again the background jobs whose worker died (lease expired): document batches, digests ..."

    def handle(self, *args: Any, **opts: Any) -> None:
        from backend.core.recovery import resume_work

        counts = resume_work()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        if any(count < 0 for count in counts.values()):
            self.stderr.write("a resumer failed; see the log")
