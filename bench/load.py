"""Throughput and latency under concurrent users: ``sicrm bench load``.

The same gunicorn set-up as ``sicrm bench api`` (2 workers × 4 threads, as ``sicrm serve`` runs it) on
whatever DATABASE_URL points at. Three benchmark users log in over HTTP — the director (sees everything),
the head of a sales department (a subtree) and a salesperson (their own deals) — and the clients share
them round-robin. Each client requests the main pages and API lists in a shuffled order of its own, one
request after the other, for the whole measured time:

1. one client alone for ``single_seconds``: each case's latency without contention, the baseline;
2. ``clients`` clients at once for ``seconds``: throughput, p50/p95/p99 and errors, overall and per case.

Read-only (logins and GETs). Goals (issue 11): 0 errors, p95 ≤ 200 ms, and the p50 under load no more than
double the single client's.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.api import Server, login, request
from bench.data.lifecycle import REACHED_WON
from bench.data.writer import model

P95_GOAL_MS = 200.0
P50_RATIO_GOAL = 2.0


@dataclass
class Sample:
    case: str
    ms: float
    status: int


@dataclass
class Phase:
    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200)

    def timings(self, case: str | None = None) -> list[float]:
        return [s.ms for s in self.samples if case is None or s.case == case]


def percentile(values: list[float], p: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[p - 1]


def pick_users() -> list[tuple[str, Any]]:
    """The director, the head of the first sales department, and a salesperson of that department."""
    User, Department = model("User"), model("Department")
    director = User.objects.filter(username="bn_u00000").first()
    department = (
        Department.objects.filter(name__startswith="Bench data sales").exclude(head=None).order_by("pk").first()
    )
    if director is None or department is None:
        raise RuntimeError("No benchmark users: run `sicrm bench generate --size S` (or M, L) first.")
    seller = (
        model("Project")
        .objects.filter(department=department, owner__username__startswith="bn_u")
        .exclude(owner=department.head)
        .values_list("owner", flat=True)
        .first()
    )
    users = [("sees all", director), ("department", department.head)]
    if seller is not None:
        users.append(("own deals", User.objects.get(pk=seller)))
    return users


def _constant(url: str) -> Callable[[random.Random], str]:
    return lambda _rng: url


def cases_for(user) -> list[tuple[str, Callable[[random.Random], str]]]:
    """The pages and API lists a user opens all day: first pages, a project page, search."""
    from backend.core.permissions import visible_to

    visible = visible_to(user, model("Project").objects.all())
    ids = list(visible.filter(status__in=REACHED_WON).values_list("pk", flat=True)[:2000]) or list(
        visible.values_list("pk", flat=True)[:2000]
    )
    fixed = [
        ("dashboard", "/"),
        ("projects list", "/projects/"),
        ("projects: status=pursuit", "/projects/?status=pursuit"),
        ("customers list", "/customers/"),
        ("tenders list", "/tenders/"),
        ("knowledge browser", "/knowledge/"),
        ("notifications", "/notifications/"),
        ("API projects", "/api/v1/projects/"),
        ("API customers", "/api/v1/customers/"),
        ("API tenders", "/api/v1/tenders/"),
        ("API search 数据中心", "/api/v1/search/?q=%E6%95%B0%E6%8D%AE%E4%B8%AD%E5%BF%83"),
    ]
    cases: list[tuple[str, Callable[[random.Random], str]]] = [(name, _constant(url)) for name, url in fixed]
    if ids:
        cases.append(("project page", lambda rng: f"/projects/{rng.choice(ids)}/"))
        cases.append(("API project", lambda rng: f"/api/v1/projects/{rng.choice(ids)}/"))
    return cases


def _drive(
    port: int,
    plans: list[tuple[dict[str, str], list[tuple[str, Callable[[random.Random], str]]]]],
    clients: int,
    seconds: float,
    timeout: float,
    seed: int,
) -> Phase:
    phase = Phase(clients=clients, seconds=seconds)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client(number: int) -> None:
        rng = random.Random(seed + number)
        cookies, cases = plans[number % len(plans)]
        mine: list[Sample] = []
        start.wait()
        while time.monotonic() < stop_at[0]:
            order = cases[:]
            rng.shuffle(order)
            for name, url in order:
                if time.monotonic() >= stop_at[0]:
                    break
                began = time.perf_counter()
                try:
                    status = request(port, url(rng), cookies=cookies, timeout=timeout)[0]
                except OSError:  # a timeout or a refused connection counts as an error
                    status = 0
                mine.append(Sample(name, (time.perf_counter() - began) * 1000, status))
        with lock:
            phase.samples.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + seconds)
    start.wait()
    for thread in threads:
        thread.join(seconds + timeout + 30)
    return phase


@dataclass
class Run:
    vendor: str
    projects: int
    users: list[tuple[str, str]]
    single: Phase
    loaded: Phase
    load: tuple[float, float]
    server_log: str


def run(
    *, clients: int = 20, seconds: float = 60.0, single_seconds: float = 30.0, timeout: float = 30.0, seed: int = 5
) -> Run:
    from django.db import connection

    from bench.data import bench_projects

    users = pick_users()
    load_before = os.getloadavg()[1]
    server = Server(timeout=timeout)
    try:
        plans = [(login(server.port, user.username), cases_for(user)) for _label, user in users]
        projects = bench_projects().count()
        vendor = connection.vendor
        connection.close()  # the benchmark holds no connection while it measures
        _drive(server.port, plans, clients=len(plans), seconds=5, timeout=timeout, seed=seed)  # warm-up
        single = _drive(server.port, plans[:1], clients=1, seconds=single_seconds, timeout=timeout, seed=seed)
        # the baseline covers every user's cases: one client per user, taking turns
        for plan in plans[1:]:
            single.samples += _drive(
                server.port, [plan], clients=1, seconds=single_seconds, timeout=timeout, seed=seed
            ).samples
        loaded = _drive(server.port, plans, clients=clients, seconds=seconds, timeout=timeout, seed=seed)
    finally:
        server.stop()
    return Run(
        vendor=vendor,
        projects=projects,
        users=[(label, user.username) for label, user in users],
        single=single,
        loaded=loaded,
        load=(load_before, os.getloadavg()[1]),
        server_log=server.log_path,
    )


def report(run: Run) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("case", "1 client p50 ms", "n", "p50 ms", "p95 ms", "p99 ms", "p50 ratio", "errors"),
    ]
    names = sorted({s.case for s in run.loaded.samples} | {s.case for s in run.single.samples})
    for name in [*names, None]:
        alone = percentile(run.single.timings(name), 50)
        loaded = run.loaded.timings(name)
        errors = sum(1 for s in run.loaded.samples if (name is None or s.case == name) and s.status != 200)
        p50 = percentile(loaded, 50)
        rows.append(
            (
                name or "all requests",
                f"{alone:,.1f}",
                f"{len(loaded):,}",
                f"{p50:,.1f}",
                f"{percentile(loaded, 95):,.1f}",
                f"{percentile(loaded, 99):,.1f}",
                f"{p50 / alone:.2f}" if alone else "-",
                str(errors),
            )
        )
    return rows


def summary(run: Run) -> list[str]:
    every = run.loaded.timings()
    p95 = percentile(every, 95)
    ratio = percentile(every, 50) / max(percentile(run.single.timings(), 50), 0.001)
    goals = [
        f"errors {run.loaded.errors} (goal 0)",
        f"p95 {p95:,.0f} ms (goal ≤ {P95_GOAL_MS:.0f})",
        f"p50 {ratio:.2f}× one client's (goal ≤ {P50_RATIO_GOAL:.0f}×)",
    ]
    met = (run.loaded.errors == 0) + (p95 <= P95_GOAL_MS) + (ratio <= P50_RATIO_GOAL)
    lines = [
        f"{run.projects:,} benchmark projects on {run.vendor}; gunicorn 2 workers × 4 threads; "
        f"{run.loaded.clients} clients for {run.loaded.seconds:.0f} s after one client alone "
        f"({len(run.single.samples):,} requests)",
        "users: " + ", ".join(f"{label} ({username})" for label, username in run.users),
        f"throughput: {len(every) / run.loaded.seconds:,.1f} requests/s ({len(every):,} requests)",
        f"load average (5 min) of this {os.cpu_count()}-core machine: {run.load[0]:.1f} at the start, "
        f"{run.load[1]:.1f} at the end; the clients run on the same machine",
        f"goals met {met} of 3: " + "; ".join(goals),
    ]
    if run.loaded.errors:
        lines.append(f"the server's log of the failed requests: {run.server_log}")
    return lines
