"""``sicrm demo``: the demo users of DESIGN.md §1 and realistic data. Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.demo import demo_load


class Command(BaseCommand):
    help = "Load demo users and data (idempotent: a second run changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default="demo", help="Password for demo users created by this run.")

    def handle(self, *args: Any, **opts: Any) -> None:
        demo_load(password=opts["password"], log=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
