"""Latency of the pages and API lists users click, through the whole HTTP stack: gunicorn with 2 workers
(4 threads each, as ``sicrm serve`` runs it) on whatever DATABASE_URL points at, real logins over HTTP,
one new connection per request.

For a user who sees everything (a director) and a department user (the head of a sales department), each
round requests every case once, in the same order, and a warm-up round is not counted:

- the project list page: first, middle and last page, each filter the page's filter form offers (and each
  sort, once it offers one), the text filter ``q=`` (customer name, project words, code), the kanban board;
- a project page and each of its tabs, for a random visible project that reached delivery (the most rows);
- the customer and tender list pages (first, middle, last page), receivables, the knowledge browser;
- the API lists of projects, customers, tenders, quotations, payment terms, invoices and articles (first,
  middle, last page);
- search with 1, 2 and 3 words, each round other words, on the search page and through the search API
  (permission filters, highlights and facets, as a user gets them).

Every response carries the SQL statements it ran and the worker's memory (``bench/wsgi.py``), so the table
shows p50/p95/p99, queries per request and each worker's RSS. Read-only: logins and GETs, nothing else.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from django.db.models import Count

from bench.data import ARTICLE_TOPICS, PASSWORD, bench_projects
from bench.data.lifecycle import REACHED_WON
from bench.data.writer import model

TARGETS_MS = {"list": 50.0, "detail": 80.0, "search": 15.0}
PAGE_SIZE = 25  # the pages' and the API's page size
API_LISTS = [
    ("projects", "/api/v1/projects/"),
    ("customers", "/api/v1/customers/"),
    ("tenders", "/api/v1/tenders/"),
    ("quotations", "/api/v1/quotations/"),
    ("payment terms", "/api/v1/payment-terms/"),
    ("invoices", "/api/v1/invoices/"),
    ("articles", "/api/v1/knowledge/articles/"),
]


@dataclass
class Case:
    name: str
    kind: str  # "list", "detail" or "search": which target applies
    url: str | Callable[[random.Random], str]


@dataclass
class Result:
    user: str
    case: str
    kind: str
    timings: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    failures: int = 0
    note: str = ""

    def pct(self, p: int) -> float:
        values = sorted(self.timings)
        if len(values) < 2:
            return values[0] if values else 0.0
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@dataclass
class Run:
    vendor: str
    projects: int
    rounds: int
    results: list[Result]
    users: list[tuple[str, str, int]]  # label, username, visible projects
    workers: dict[int, list[int]]  # pid -> RSS in KiB after each request
    notes: list[str]
    articles: int = 0
    server_log: str = ""
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 5-minute load average at the start and the end


# -- the server -----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving ``bench.wsgi`` on a free port; stopped through its leader."""

    def __init__(self, workers: int = 2, threads: int = 4, timeout: float = 30.0) -> None:
        self.port = _free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "backend.settings")}
        url = env.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and "statement_timeout" not in url:
            # A page that runs for minutes would keep a database core busy under the cases measured after
            # it: the server cuts its statements at the client's timeout (the request then fails).
            options = quote(f"-c statement_timeout={int(timeout * 1000)}")
            env["DATABASE_URL"] = f"{url}{'&' if '?' in url else '?'}options={options}"
        # The server's own log (tracebacks of failed requests) goes to a file, not between the table's lines.
        self.log_path = os.path.join(tempfile.gettempdir(), f"sicrm-bench-api-{os.getpid()}.log")
        self.log = open(self.log_path, "w")  # noqa: SIM115  closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "/healthz/")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def request(
    port: int, path: str, *, cookies: dict[str, str] | None = None, method: str = "GET", body: str | None = None,
    headers: dict[str, str] | None = None, timeout: float = 120.0,
) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        received = {}
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                received[f"cookie:{name.strip()}"] = rest.split(";", 1)[0]
            else:
                received[key.lower()] = value
        return response.status, received, data
    finally:
        connection.close()


def login(port: int, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the login form, as a browser does; returns the cookies."""
    status, headers, body = request(port, "/login/")
    cookies = {k[7:]: v for k, v in headers.items() if k.startswith("cookie:")}
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login/ answered {status} without a CSRF token")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()})
    status, headers, _body = request(
        port,
        "/login/",
        cookies=cookies,
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/"},
    )
    cookies.update({k[7:]: v for k, v in headers.items() if k.startswith("cookie:")})
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"logging in as {username} failed (HTTP {status})")
    return cookies


# Words of the generated articles, projects and customers (bench/data): some in many documents, some in few.
SEARCH_TERMS = [*ARTICLE_TOPICS, "经验总结", "方案设计", "风险", "Lessons"]

# -- what to request --------------------------------------------------------------------------------------


def pick_users() -> list[tuple[str, Any]]:
    """The director of the benchmark data, and the head of its first sales department."""
    User, Department = model("User"), model("Department")
    director = User.objects.filter(username="bn_u00000").first()
    department = Department.objects.filter(name__startswith="Bench data sales").exclude(head=None).order_by("pk")
    head = department.first().head if department.exists() else None
    if director is None or head is None:
        raise RuntimeError("No benchmark users: run `sicrm bench generate --size S` (or M, L) first.")
    return [("sees all", director), ("department", head)]


def _last_page(count: int) -> int:
    return max(1, math.ceil(count / PAGE_SIZE))


def project_cases(user, port: int, cookies: dict[str, str], notes: list[str]) -> list[Case]:
    from backend.core.permissions import visible_to
    from backend.projects.filtersets import ProjectFilterSet

    Project = model("Project")
    visible = visible_to(user, Project.objects.all())
    count = visible.count()
    last = _last_page(count)
    cases = [
        Case("projects: first page", "list", "/projects/"),
        Case(f"projects: middle page ({max(1, last // 2)})", "list", f"/projects/?page={max(1, last // 2)}"),
        Case(f"projects: last page ({last})", "list", f"/projects/?page={last}"),
    ]
    top = lambda field: (  # noqa: E731  the most frequent value among the visible projects
        visible.exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list(field, flat=True)
        .first()
    )
    words = Project.objects.filter(code="BN-0000001").values_list("name", flat=True).first() or "数据中心"
    customer_name = visible.values_list("customer__name", flat=True).first() or ""
    values = {
        "q": [
            ("customer name", customer_name[2:14]),
            ("project words", words.split()[-2] if len(words.split()) > 1 else words[:4]),
            ("code", "BN-00123"),
        ],
        "status": [("", "pursuit")],
        "industry": [("", top("industry"))],
        "region": [("", top("region"))],
        "source": [("", "tender")],
        "owner": [("", top("owner"))],
        "customer": [("", top("customer"))],
        "department": [("", user.department_id or top("department"))],
        "mine": [("", "true")],
        "min_amount": [("", "10000000")],
        "max_amount": [("", "1000000")],
    }
    from backend.projects.lists import PROJECTS

    for key in PROJECTS.sort_keys:  # every sort the list's column headers offer, both ways
        for sort in (key, f"-{key}"):
            cases.append(Case(f"projects: sort={sort}", "list", f"/projects/?{urlencode({'sort': sort})}"))
    for name in ProjectFilterSet.base_filters:
        if name in ("report", "cell"):  # a report's drill-down, not a filter of the form
            continue
        if name not in values:
            notes.append(f"project list filter {name!r} has no benchmark value: not measured")
            continue
        for label, value in values[name]:
            if value in (None, ""):
                notes.append(f"project list filter {name!r}: no value in this data set")
                continue
            cases.append(
                Case(
                    f"projects: {name}={value}" + (f" ({label})" if label else ""),
                    "list",
                    f"/projects/?{urlencode({name: value})}",
                )
            )
    cases.append(Case("projects: kanban board", "list", "/projects/board/"))

    # A project page and each tab, for a random visible project that reached delivery.
    ids = list(visible.filter(status__in=REACHED_WON).values_list("pk", flat=True)[:5000]) or list(
        visible.values_list("pk", flat=True)[:5000]
    )
    if ids:
        from backend.projects.views import TABS

        cases.append(Case("project page", "detail", lambda rng: f"/projects/{rng.choice(ids)}/"))

        def tab_url(tab: str) -> Callable[[random.Random], str]:
            return lambda rng: f"/projects/{rng.choice(ids)}/?tab={tab}"

        for tab in TABS:
            cases.append(Case(f"project tab {tab}", "detail", tab_url(tab)))
    return cases


def other_cases(port: int, cookies: dict[str, str]) -> list[Case]:
    cases = []
    for label, path in (("customers", "/customers/"), ("tenders", "/tenders/")):
        last = _page_count_from_html(port, path, cookies)
        cases += [
            Case(f"{label}: first page", "list", path),
            Case(f"{label}: middle page ({max(1, last // 2)})", "list", f"{path}?page={max(1, last // 2)}"),
            Case(f"{label}: last page ({last})", "list", f"{path}?page={last}"),
        ]
    cases += [
        Case("receivables", "list", "/delivery/receivables/"),
        Case("knowledge browser", "list", "/knowledge/"),
    ]
    for terms in (1, 2, 3):
        cases.append(Case(f"search page: {terms} word(s)", "search", _search_url("/knowledge/search/", terms)))
        cases.append(Case(f"API search: {terms} word(s)", "search", _search_url("/api/v1/search/", terms)))
    for label, path in API_LISTS:
        status, _headers, body = request(port, path, cookies=cookies)
        count = json.loads(body).get("count") if status == 200 else None
        cases.append(Case(f"API {label}: first page", "list", path))
        if isinstance(count, int):
            last = _last_page(count)
            cases.append(Case(f"API {label}: middle page", "list", f"{path}?page={max(1, last // 2)}"))
            cases.append(Case(f"API {label}: last page", "list", f"{path}?page={last}"))
    return cases


def _search_url(path: str, terms: int) -> Callable[[random.Random], str]:
    return lambda rng: f"{path}?{urlencode({'q': ' '.join(rng.sample(SEARCH_TERMS, terms))})}"


def _page_count_from_html(port: int, path: str, cookies: dict[str, str]) -> int:
    """The last page number of a paginated page: ask for a page far past the end (``get_page`` answers the
    last one) and read the highest ``page=N`` link on it."""
    far = 100_000_000
    status, _headers, body = request(port, f"{path}?page={far}", cookies=cookies)
    numbers = [int(n) for n in re.findall(rb"[?&;]page=(\d+)", body) if int(n) < far] if status == 200 else []
    current = re.search(rb'aria-current="page"[^>]*>\s*(\d+)', body)
    return max([*numbers, int(current.group(1)) if current else 1])


# -- the run ------------------------------------------------------------------------------------------------


def _timed(port: int, url: str, cookies: dict[str, str], timeout: float) -> tuple[int, dict[str, str], float]:
    began = time.perf_counter()
    try:
        status, headers, _body = request(port, url, cookies=cookies, timeout=timeout)
    except TimeoutError:
        status, headers = 0, {}
    return status, headers, (time.perf_counter() - began) * 1000


def run(
    *,
    rounds: int = 50,
    seed: int = 11,
    timeout: float = 30.0,
    slow_ms: float = 2000.0,
    slow_rounds: int = 3,
    only: str = "",
    log: Callable[[str], None] = print,
) -> Run:
    """``rounds`` measured rounds after a warm-up round. A case slower than ``slow_ms`` in the warm-up is
    measured in the first ``slow_rounds`` rounds only, and one that timed out there (``timeout`` s) not
    again, so one pathological page cannot stretch the run to hours; the table says so. ``only``: a regular
    expression; only the cases whose name it finds are measured."""
    from django.db import connection

    users = pick_users()
    notes: list[str] = []
    load_before = os.getloadavg()[1]
    server = Server(timeout=timeout)
    try:
        plans = []
        summary = []
        for label, user in users:
            cookies = login(server.port, user.username)
            cases = project_cases(user, server.port, cookies, notes) + other_cases(server.port, cookies)
            if only:
                cases = [case for case in cases if re.search(only, case.name)]
            from backend.core.permissions import visible_to

            summary.append((label, user.username, visible_to(user, model("Project").objects.all()).count()))
            plans.append((label, user, cookies, cases))
        connection.close()  # the benchmark itself holds no connection while it measures
        results = {
            (label, case.name): Result(f"{label} ({user.username})", case.name, case.kind)
            for label, user, _c, cases in plans
            for case in cases
        }
        workers: dict[int, list[int]] = {}
        rng = random.Random(seed)
        limit: dict[tuple[str, str], int] = {}  # rounds a slow case is measured in
        for number in range(rounds + 1):  # round 0 warms up and is not counted
            for label, _user, cookies, cases in plans:
                for case in cases:
                    key = (label, case.name)
                    if number > limit.get(key, rounds):
                        continue
                    url = case.url(rng) if callable(case.url) else case.url
                    status, headers, elapsed = _timed(server.port, url, cookies, timeout)
                    if "x-bench-pid" in headers:
                        workers.setdefault(int(headers["x-bench-pid"]), []).append(int(headers["x-bench-rss-kb"]))
                    result = results[key]
                    if number == 0:
                        if status == 0 or status >= 500:
                            limit[key] = 0
                            failed = "timed out" if status == 0 else f"HTTP {status}"
                            result.note = f"warm-up: {failed} after {elapsed / 1000:.1f} s"
                        elif elapsed > slow_ms:
                            limit[key] = slow_rounds
                            result.note = f"warm-up {elapsed / 1000:.1f} s: measured {slow_rounds} times"
                        continue
                    result.timings.append(elapsed)
                    if "x-bench-queries" in headers:  # a request that timed out has none
                        result.queries.append(int(headers["x-bench-queries"]))
                    result.failures += status != 200
            if number and (number % 10 == 0 or number == rounds):
                log(f"  round {number} / {rounds}")
        return Run(
            vendor=connection.vendor,
            projects=bench_projects().count(),
            articles=model("Article").objects.count(),
            rounds=rounds,
            results=list(results.values()),
            users=summary,
            workers=workers,
            notes=notes,
            server_log=server.log_path,
            load=(load_before, os.getloadavg()[1]),
        )
    finally:
        server.stop()


def report(run: Run) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("user", "case", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "target p95", "queries", "non-200", "note")
    ]
    for r in run.results:
        target = TARGETS_MS[r.kind]
        queries = sorted(set(r.queries)) or [0]
        if not r.timings:
            rows.append((r.user, r.case, "0", "-", "-", "-", "-", f"{target:.0f} (over)", "-", "-", r.note))
            continue
        rows.append(
            (
                r.user,
                r.case,
                str(len(r.timings)),
                f"{r.pct(50):.1f}",
                f"{r.pct(95):.1f}",
                f"{r.pct(99):.1f}",
                f"{max(r.timings, default=0):.1f}",
                f"{target:.0f}{'' if r.pct(95) <= target else ' (over)'}",
                str(queries[0]) if len(queries) == 1 else f"{queries[0]}–{queries[-1]}",
                str(r.failures),
                r.note,
            )
        )
    return rows


def summary(run: Run) -> list[str]:
    lines = [
        f"{run.projects:,} benchmark projects and {run.articles:,} articles on {run.vendor}; {run.rounds} rounds "
        "after one warm-up round; gunicorn 2 workers × 4 threads",
        f"load average (5 min) of this {os.cpu_count()}-core machine: {run.load[0]:.1f} at the start, "
        f"{run.load[1]:.1f} at the end (other work on the machine slows every figure)",
    ]
    lines += [f"{label}: {username} sees {visible:,} projects" for label, username, visible in run.users]
    for pid, rss in sorted(run.workers.items()):
        lines.append(
            f"worker {pid}: {len(rss):,} requests, RSS {rss[0] / 1024:.0f} MiB after its first, "
            f"{rss[-1] / 1024:.0f} MiB after its last, {max(rss) / 1024:.0f} MiB max"
        )
    over = [r for r in run.results if not r.timings or r.pct(95) > TARGETS_MS[r.kind]]
    lines.append(f"{len(run.results) - len(over)} of {len(run.results)} cases within their p95 target")
    lines += [f"note: {note}" for note in dict.fromkeys(run.notes)]
    if any(r.failures or r.note.startswith("warm-up:") for r in run.results):
        lines.append(f"the server's log of the failed requests: {run.server_log}")
    return lines
