"""API latency: GET /api/v1/projects/ (a page of 25) and GET /api/v1/projects/{id}/, in-process through
Django's test ``Client``, for a user who sees every project and for one who sees only their own.

Measures the whole Django stack (middleware, authentication, visibility filter, serializers, SQL) without
a network hop. Read-only: it logs the two users in and issues GETs, nothing else.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.test import Client

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.models import Department, User
from backend.core.permissions import visible_to
from backend.projects.models import Project
from bench.data import bench_projects

LIST_URL = "/api/v1/projects/"
DETAIL_URL = "/api/v1/projects/{id}/"
TARGETS_MS = {"list": 50.0, "detail": 80.0}
WARMUP = 5


@dataclass
class Timing:
    user: str
    endpoint: str
    requests: int
    visible: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    failures: int

    @property
    def target_ms(self) -> float:
        return TARGETS_MS[self.endpoint]


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host.strip("[]") if host.startswith("[") else host
    return "localhost"


def pick_users() -> tuple[User, User]:
    """A user who sees everything (a director of the benchmark data, else any see-all user) and a sales
    person who sees only what they own or are a member of (no department head, no see-all role)."""
    everything = (
        User.objects.filter(is_active=True, groups__name="director", username__startswith="bn").first()
        or User.objects.filter(is_active=True, groups__name__in=SEE_ALL_ROLES).first()
        or User.objects.filter(is_active=True, is_superuser=True).first()
    )
    heads = Department.objects.exclude(head=None).values("head_id")
    own = (
        User.objects.filter(is_active=True, is_superuser=False, owned_projects__in=bench_projects())
        .exclude(groups__name__in=SEE_ALL_ROLES)
        .exclude(pk__in=heads)
        .annotate(n=Count("owned_projects"))
        .order_by("-n")
        .first()
    )
    if everything is None or own is None:
        raise RuntimeError("No benchmark users: run `sicrm bench generate --size S` first.")
    return everything, own


def _time(client: Client, urls: list[str]) -> tuple[list[float], int]:
    timings, failures = [], 0
    for url in urls[:WARMUP]:
        client.get(url)
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        failures += response.status_code != 200
    return timings, failures


def _pct(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def run(*, requests: int = 200, seed: int = 11, log: Callable[[str], None] = print) -> list[Timing]:
    rng = random.Random(seed)
    results = []
    for label, user in zip(("sees everything", "sees own only"), pick_users(), strict=True):
        visible = visible_to(user, Project.objects.all())
        ids = list(visible.values_list("pk", flat=True))
        count = len(ids)
        pages = max(1, (count + 24) // 25)
        client = Client(HTTP_HOST=_host())
        client.force_login(user)
        list_urls = [LIST_URL if i % 2 == 0 else f"{LIST_URL}?page={rng.randint(1, pages)}" for i in range(requests)]
        detail_urls = [DETAIL_URL.format(id=rng.choice(ids)) for _ in range(requests)] if ids else []
        for endpoint, urls in (("list", list_urls), ("detail", detail_urls)):
            timings, failures = _time(client, urls)
            results.append(
                Timing(
                    user=f"{label} ({user.username})",
                    endpoint=endpoint,
                    requests=len(urls),
                    visible=count,
                    p50_ms=_pct(timings, 50),
                    p95_ms=_pct(timings, 95),
                    max_ms=max(timings, default=0.0),
                    failures=failures,
                )
            )
    return results


def report(results: list[Timing]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("user", "endpoint", "visible", "requests", "p50 ms", "p95 ms", "max ms", "target p95", "non-200")
    ]
    for r in results:
        rows.append(
            (
                r.user,
                r.endpoint,
                str(r.visible),
                str(r.requests),
                f"{r.p50_ms:.1f}",
                f"{r.p95_ms:.1f}",
                f"{r.max_ms:.1f}",
                f"{r.target_ms:.0f}{'' if r.p95_ms <= r.target_ms else ' (over)'}",
                str(r.failures),
            )
        )
    return rows
