"""``sicrm bench generate|transitions|api|load|documents|alarms|sla|search|broker|reports``: synthetic data and
timed scenarios (``bench/``).

Runs on whatever DATABASE_URL points at; each scenario prints a plain table and asserts nothing.
Never point it at production data: the generator adds rows and the transition benchmark moves and resets
benchmark projects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def _database_size() -> str:
    """The size of the database on disk, for the generator's summary."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return f"database {cursor.fetchone()[0]}"
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and os.path.exists(name):
        return f"database {os.path.getsize(name) / 2**20:,.0f} MB"
    return ""


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
        generate = sub.add_parser(
            "generate", help="Fill the database with synthetic benchmark data up to a size (resumable)."
        )
        generate.add_argument(
            "--size",
            choices=["S", "M", "L"],
            default="S",
            help="S: 1,000 customers / 5,000 projects; M: 20,000 / 100,000; L: 100,000 / 1,000,000",
        )
        generate.add_argument("--projects", type=int, default=None, help="an exact project count instead of a size")
        generate.add_argument("--articles", type=int, default=None, help="this many knowledge articles instead")
        generate.add_argument("--seed", type=int, default=42)
        generate.add_argument("--no-progress", action="store_true", help="no progress bar")
        transitions = sub.add_parser("transitions", help="Concurrent lifecycle transitions.")
        transitions.add_argument("--clients", type=int, default=8)
        transitions.add_argument("--seconds", type=float, default=10.0)
        api = sub.add_parser(
            "api", help="Pages and API lists through gunicorn (2 workers): p50/p95/p99, queries, worker RSS."
        )
        api.add_argument("--size", choices=["S", "M", "L"], default="M", help="generate up to this size first")
        api.add_argument("--projects", type=int, default=None, help="an exact project count instead of a size")
        api.add_argument("--rounds", type=int, default=50, help="requests per case, after one warm-up round")
        api.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
        api.add_argument(
            "--slow-ms", type=float, default=2000.0, help="a case slower than this in the warm-up is measured less"
        )
        api.add_argument("--slow-rounds", type=int, default=3, help="rounds a slow case is measured in")
        api.add_argument("--case", default="", help="only the cases whose name this regular expression finds")
        load = sub.add_parser(
            "load", help="Main pages and API lists under concurrent clients: throughput, p50/p95/p99, errors."
        )
        load.add_argument("--size", choices=["S", "M", "L"], default="M", help="generate up to this size first")
        load.add_argument("--clients", type=int, default=20)
        load.add_argument("--seconds", type=float, default=60.0, help="measured time with every client")
        load.add_argument("--single-seconds", type=float, default=30.0, help="per user, one client alone first")
        load.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
        documents = sub.add_parser("documents", help="Render the quotation template with many lines.")
        documents.add_argument("--lines", type=int, default=200)
        documents.add_argument("--documents", type=int, default=30)
        sub.add_parser("alarms", help="One full alarm scan over every milestone (generate first).")
        sla = sub.add_parser("sla", help="The SLA escalation scan over many open service requests.")
        sla.add_argument("--size", type=int, default=100_000, help="service requests to write (default 100,000)")
        sla.add_argument("--seed", type=int, default=42)
        reports = sub.add_parser("reports", help="Every report against hand-written SQL computing the same figures.")
        reports.add_argument("--rounds", type=int, default=3)
        reports.add_argument("--report", action="append", dest="names", help="only this report (repeatable)")
        broker = sub.add_parser("broker", help="Embedded broker transports: throughput, latency, a publish race.")
        broker.add_argument("--messages", type=int, default=2000)
        broker.add_argument("--race-messages", type=int, default=300, help="per publisher (2 publishers)")
        broker.add_argument("--race-kb", type=int, default=256, help="size of each race message")
        broker.add_argument("--transport", action="append", dest="transports", help="repeat; default all")
        search = sub.add_parser("search", help="Search index throughput, latency and size.")
        from bench.search import add_arguments as add_search_arguments

        add_search_arguments(search)

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
        getattr(self, f"_{opts['scenario']}")(opts)

    def _generate(self, opts: dict[str, Any]) -> None:
        from bench.data import SIZES, generate, size_for_projects, totals

        if opts.get("projects") is not None and opts["projects"] < 1:
            raise CommandError("--projects must be at least 1.")
        if opts.get("articles") is not None and opts["articles"] < 0:
            raise CommandError("--articles must be 0 or more.")
        size = size_for_projects(opts["projects"]) if opts.get("projects") else SIZES[opts["size"]]
        if opts.get("articles") is not None:
            size = replace(size, articles=opts["articles"])
        self.stdout.write(
            f"target: {size.users:,} users, {size.customers:,} customers, {size.projects:,} projects, "
            f"{size.articles:,} articles"
        )
        result = generate(
            size=size,
            seed=opts["seed"],
            progress=not opts.get("no_progress"),
            log=lambda line: self.stdout.write(line),
        )
        written = sum(result.written.values())
        rows = [("table", "rows now", "written by this run")]
        rows += [(name, f"{n:,}", f"{result.written.get(name, 0):,}") for name, n in totals().items()]
        rows.append(("all tables", "", f"{written:,}"))
        self.stdout.write(table(rows))
        self.stdout.write(
            f"{result.seconds:.1f} s, {written / result.seconds if result.seconds else 0:,.0f} rows/s"
            + (f", {_database_size()}" if _database_size() else "")
        )

    def _broker(self, opts: dict[str, Any]) -> None:
        from bench.broker import VARIANTS, run

        unknown = set(opts["transports"] or []) - set(VARIANTS)
        if unknown:
            raise CommandError(f"unknown transport {', '.join(sorted(unknown))}; choose from {', '.join(VARIANTS)}")
        rows = run(
            variants=opts["transports"] or VARIANTS,
            messages=opts["messages"],
            race_messages=opts["race_messages"],
            race_size=opts["race_kb"] * 1024,
            log=lambda line: self.stdout.write(line),
        )
        self.stdout.write(table(rows))

    def _documents(self, opts: dict[str, Any]) -> None:
        from bench.documents import run

        self.stdout.write(table(run(lines=opts["lines"], documents=opts["documents"])))

    def _reports(self, opts: dict[str, Any]) -> None:
        from bench.reports import run
        from reports.registry import REPORTS

        unknown = [name for name in opts.get("names") or [] if name not in REPORTS]
        if unknown:
            raise CommandError(f"Unknown report {unknown}; choose from {sorted(REPORTS)}")
        if opts["rounds"] < 1:
            raise CommandError("--rounds must be at least 1.")
        self.stdout.write(table(run(rounds=opts["rounds"], names=opts.get("names"), log=self.stdout.write)))

    def _alarms(self, opts: dict[str, Any]) -> None:
        from bench.alarms import run

        try:
            self.stdout.write(table(run()))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

    def _sla(self, opts: dict[str, Any]) -> None:
        from bench.sla import run

        if opts["size"] < 1:
            raise CommandError("--size must be at least 1.")
        self.stdout.write(table(run(size=opts["size"], seed=opts["seed"])))

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

    def _ensure_size(self, size_name: str, projects: int | None = None) -> None:
        from bench.data import SIZES, bench_projects, generate, size_for_projects

        size = size_for_projects(projects) if projects else SIZES[size_name]
        have = bench_projects().count()
        if have < size.projects:
            self.stdout.write(f"{have:,} benchmark projects; generating up to {size.projects:,}")
            generate(size=size, log=lambda line: self.stdout.write(line))
        elif have > size.projects:
            self.stdout.write(
                f"note: the database holds {have:,} benchmark projects, more than the {size.projects:,} asked for"
            )
        call_command("collectstatic", interactive=False, verbosity=0)  # the pages need the static manifest

    def _load(self, opts: dict[str, Any]) -> None:
        from bench.load import report, run, summary

        if opts["clients"] < 1 or opts["seconds"] <= 0 or opts["single_seconds"] <= 0:
            raise CommandError("--clients must be at least 1, --seconds and --single-seconds positive.")
        self._ensure_size(opts["size"])
        try:
            result = run(
                clients=opts["clients"],
                seconds=opts["seconds"],
                single_seconds=opts["single_seconds"],
                timeout=opts["timeout"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(table(report(result)))
        for line in summary(result):
            self.stdout.write(line)

    def _api(self, opts: dict[str, Any]) -> None:
        from bench.api import report, run, summary

        if opts["rounds"] < 1 or (opts.get("projects") is not None and opts["projects"] < 1):
            raise CommandError("--rounds and --projects must be at least 1.")
        try:
            re.compile(opts["case"])
        except re.error as exc:
            raise CommandError(f"--case is not a regular expression: {exc}") from exc
        self._ensure_size(opts["size"], opts.get("projects"))
        try:
            result = run(
                rounds=opts["rounds"],
                timeout=opts["timeout"],
                slow_ms=opts["slow_ms"],
                slow_rounds=opts["slow_rounds"],
                only=opts["case"],
                log=lambda line: self.stdout.write(line),
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(table(report(result)))
        for line in summary(result):
            self.stdout.write(line)
