"""``sicrm bench generate|transitions|api|documents|alarms|search``: synthetic data and timed scenarios (``bench/``).

Runs on whatever DATABASE_URL points at; each scenario prints a plain table and asserts nothing.
Never point it at production data: the generator adds rows and the transition benchmark moves and resets
benchmark projects.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def table(rows: Sequence[tuple[str, ...]]) -> str:
    """A plain text table; the first row is the header when ``rows`` has more than two columns."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    if len(rows[0]) > 2:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Benchmarks: synthetic data, concurrent transitions, the project API, documents, alarms, search."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="scenario", required=True)
        generate = sub.add_parser("generate", help="Add a batch of synthetic users, customers and projects.")
        generate.add_argument("--size", choices=["S", "M", "L"], default="S", help="S≈500, M≈5,000, L≈50,000 projects")
        # Hidden, for tests: an exact project count instead of a size.
        generate.add_argument("--projects", type=int, default=None, help=argparse.SUPPRESS)
        generate.add_argument("--seed", type=int, default=42)
        transitions = sub.add_parser("transitions", help="Concurrent lifecycle transitions.")
        transitions.add_argument("--clients", type=int, default=8)
        transitions.add_argument("--seconds", type=float, default=10.0)
        api = sub.add_parser("api", help="Latency of the project list and detail endpoints.")
        api.add_argument("--size", choices=["S", "M", "L"], default="M", help="generate up to this size first")
        api.add_argument("--requests", type=int, default=200)
        documents = sub.add_parser("documents", help="Render the quotation template with many lines.")
        documents.add_argument("--lines", type=int, default=200)
        documents.add_argument("--documents", type=int, default=30)
        sub.add_parser("alarms", help="One full alarm scan over every milestone (generate first).")
        search = sub.add_parser("search", help="Search index throughput, latency and size.")
        from bench.search import add_arguments as add_search_arguments

        add_search_arguments(search)

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
        getattr(self, f"_{opts['scenario']}")(opts)

    def _generate(self, opts: dict[str, Any]) -> None:
        from bench.data import SIZES, generate, size_for_projects

        size = size_for_projects(opts["projects"]) if opts.get("projects") else SIZES[opts["size"]]
        result = generate(size=size, seed=opts["seed"], log=lambda line: self.stdout.write(line))
        self.stdout.write(
            table(
                [
                    ("batch", str(result.batch)),
                    ("users", str(result.users)),
                    ("customers", str(result.customers)),
                    ("projects", str(result.projects)),
                    ("members", str(result.members)),
                    ("events", str(result.events)),
                    ("checklist items", str(result.checklist)),
                    ("seconds", f"{result.seconds:.1f}"),
                    ("projects/s", f"{result.projects / result.seconds:.0f}" if result.seconds else "-"),
                ]
            )
        )

    def _documents(self, opts: dict[str, Any]) -> None:
        from bench.documents import run

        self.stdout.write(table(run(lines=opts["lines"], documents=opts["documents"])))

    def _alarms(self, opts: dict[str, Any]) -> None:
        from bench.alarms import run

        self.stdout.write(table(run()))

    def _search(self, opts: dict[str, Any]) -> None:
        from bench.search import handle

        handle(opts, write=self.stdout.write)

    def _transitions(self, opts: dict[str, Any]) -> None:
        from bench.transitions import report, run

        if opts["clients"] < 1 or opts["seconds"] <= 0:
            raise CommandError("--clients must be at least 1 and --seconds positive.")
        try:
            result = run(clients=opts["clients"], seconds=opts["seconds"], log=lambda line: self.stdout.write(line))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(table(report(result)))

    def _api(self, opts: dict[str, Any]) -> None:
        from bench.api import report, run
        from bench.data import SIZES, bench_projects, generate, size_for_projects

        wanted = SIZES[opts["size"]].projects
        have = bench_projects().count()
        if have < wanted:
            self.stdout.write(f"{have} benchmark projects; generating {wanted - have} more for size {opts['size']}")
            generate(size=size_for_projects(wanted - have), log=lambda line: self.stdout.write(line))
        try:
            results = run(requests=opts["requests"], log=lambda line: self.stdout.write(line))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(table(report(results)))
