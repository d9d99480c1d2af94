"""Concurrent lifecycle transitions: N threads, each with its own database connection, drive
``services.project_transition`` (start_bidding, then award or lose) on their own projects, and now and
then all pile onto a few shared "hot" projects so that transitions contend for the same row.

Measures throughput, refusals caused by contention and latency. Projects are reset to pursuit with a plain
``update()`` between rounds (outside the timing): benchmark data only, never run against real data.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections, connection
from django_fsm import ConcurrentTransition

from backend.accounts.models import User
from backend.core.errors import ApplicationError
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import Project, StageChecklistItem
from bench.data import bench_projects

WIN_LOSS = {"primary_reason": "price", "lessons": "bench"}
HOT_PROJECTS = 4
HOT_SHARE = 0.2  # share of attempts aimed at the shared hot projects


@dataclass
class Worker:
    own: list[int]
    latencies: list[float] = field(default_factory=list)
    done: int = 0
    conflicts: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class Result:
    clients: int
    seconds: float
    transitions: int
    conflicts: int
    errors: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    error_kinds: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.transitions / self.seconds if self.seconds else 0.0


def _next_name(status: str, rng: random.Random) -> str | None:
    if status == Status.PURSUIT:
        return "start_bidding"
    if status == Status.BIDDING:
        return "award" if rng.random() < 0.8 else "lose"
    return None


def _reset(project_ids: list[int]) -> None:
    """Put projects back in pursuit with the pursuit checklist done (benchmark data only)."""
    Project.objects.filter(pk__in=project_ids).update(status=Status.PURSUIT)
    StageChecklistItem.objects.filter(project_id__in=project_ids, stage=Status.PURSUIT).update(done=True)


def prepare(*, clients: int, per_client: int) -> tuple[list[list[int]], list[int], dict[int, User]]:
    """Pick benchmark projects for each client and the hot ones, and reset them to pursuit."""
    ids = list(bench_projects().order_by("pk").values_list("pk", flat=True)[: clients * per_client + HOT_PROJECTS])
    if len(ids) < clients + HOT_PROJECTS:
        raise RuntimeError("Not enough benchmark projects: run `sicrm bench generate --size S` first.")
    hot, rest = ids[:HOT_PROJECTS], ids[HOT_PROJECTS:]
    _reset(ids)
    owners = {p.pk: p.owner for p in Project.objects.filter(pk__in=ids).select_related("owner")}
    return [rest[i::clients] for i in range(clients)], hot, owners


def run(*, clients: int = 8, seconds: float = 10.0, seed: int = 7, log: Callable[[str], None] = print) -> Result:
    per_client = max(20, int(seconds * 40))
    partitions, hot, owners = prepare(clients=clients, per_client=per_client)
    workers = [Worker(own=part) for part in partitions]
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = [0.0]

    def attempt(worker: Worker, project_id: int, name: str) -> bool:
        began = time.perf_counter()
        try:
            services.project_transition(
                project_id=project_id,
                name=name,
                actor=owners[project_id],
                comment="bench",
                win_loss=WIN_LOSS if name == "lose" else None,
            )
        except (ApplicationError, ConcurrentTransition) as exc:  # refused: someone else moved it first
            worker.conflicts += 1
            worker.error_kinds[type(exc).__name__] = worker.error_kinds.get(type(exc).__name__, 0) + 1
            return False
        except Exception as exc:  # DatabaseError: lock timeout, deadlock, serialisation failure
            worker.errors += 1
            worker.error_kinds[type(exc).__name__] = worker.error_kinds.get(type(exc).__name__, 0) + 1
            return False
        worker.latencies.append(time.perf_counter() - began)
        worker.done += 1
        return True

    def body(index: int, worker: Worker) -> None:
        rng = random.Random(seed + index)
        close_old_connections()
        try:
            queue = list(worker.own)
            state = dict.fromkeys(queue, str(Status.PURSUIT))
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                if rng.random() < HOT_SHARE:
                    project_id = rng.choice(hot)
                    status = Project.objects.filter(pk=project_id).values_list("status", flat=True).get()
                    name = _next_name(status, rng)
                    if name is None:  # finished: put it back for the next round (not timed)
                        _reset([project_id])
                        continue
                    attempt(worker, project_id, name)
                    continue
                project_id = queue[0]
                name = _next_name(state[project_id], rng)
                if name is None:
                    _reset([project_id])
                    state[project_id] = str(Status.PURSUIT)
                    queue.append(queue.pop(0))
                    continue
                if attempt(worker, project_id, name):
                    state[project_id] = "bidding" if name == "start_bidding" else "done"
                else:
                    state[project_id] = "done"
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i, w), daemon=True) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds + 0.05
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(ms * 1000 for w in workers for ms in w.latencies)
    kinds: dict[str, int] = {}
    for worker in workers:
        for kind, count in worker.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
    return Result(
        clients=clients,
        seconds=elapsed,
        transitions=sum(w.done for w in workers),
        conflicts=sum(w.conflicts for w in workers),
        errors=sum(w.errors for w in workers),
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        max_ms=latencies[-1] if latencies else 0.0,
        error_kinds=kinds,
    )


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def report(result: Result) -> list[tuple[str, str]]:
    rows = [
        ("clients", str(result.clients)),
        ("seconds", f"{result.seconds:.2f}"),
        ("transitions", str(result.transitions)),
        ("transitions/s", f"{result.per_second:.1f}"),
        ("conflicts (refused)", str(result.conflicts)),
        ("database errors", str(result.errors)),
        ("p50 latency ms", f"{result.p50_ms:.1f}"),
        ("p95 latency ms", f"{result.p95_ms:.1f}"),
        ("max latency ms", f"{result.max_ms:.1f}"),
    ]
    rows += [(f"  {kind}", str(count)) for kind, count in sorted(result.error_kinds.items())]
    return rows
