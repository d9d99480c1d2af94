"""`sicrm bench`: the generator writes a tiny data set with exact row counts, a killed run resumes
without duplicates and ends with the same rows, and one second of concurrent transitions runs on it.
No timing is asserted; the figures are only printed."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from backend.knowledge.models import ArticleVersion
from backend.projects.models import ProjectEvent
from bench.data import SIZES, bench_projects, generate, size_for_projects, totals

# What `sicrm bench generate --projects 40` (seed 42) writes into an empty database: the seed fixes every
# random choice, and a resumed run must end with exactly the same rows.
EXPECTED = {
    "User": 30,
    "Customer": 8,
    "Contact": 16,
    "Project": 40,
    "ProjectMember": 112,
    "ProjectEvent": 275,
    "StageChecklistItem": 400,
    "Tender": 38,
    "ProjectCompetitor": 79,
    "Bid": 24,
    "BidOpeningEntry": 60,
    "WinLossRecord": 21,
    "Quotation": 53,
    "QuotationLine": 227,
    "ContractTerms": 15,
    "Milestone": 56,
    "PaymentTerm": 42,
    "Invoice": 35,
    "Receipt": 31,
    "Interaction": 66,
    "Review": 6,
    "Article": 2,
}


class Killed(Exception):
    pass


def quiet(_line: str) -> None:
    pass


def test_sizes_are_the_plans():
    assert (SIZES["S"].customers, SIZES["S"].projects) == (1_000, 5_000)
    assert (SIZES["M"].customers, SIZES["M"].projects) == (20_000, 100_000)
    assert (SIZES["L"].customers, SIZES["L"].projects) == (100_000, 1_000_000)


@pytest.mark.django_db(transaction=True)
def test_generate_writes_exact_rows_and_a_second_run_adds_nothing():
    # when the command generates 40 projects
    out = io.StringIO()
    call_command("bench", "generate", "--projects", "40", "--no-progress", stdout=out)

    # then every table holds the expected rows, and the summary says so
    assert totals() == EXPECTED
    assert "Project             40" in out.getvalue()

    # when it runs again at the same size, nothing is added
    again = generate(size=size_for_projects(40), progress=False, log=quiet)
    assert again.written == {}
    assert totals() == EXPECTED

    # when it is asked for more articles than the size has (the search benchmark's 200,000), only articles
    # are added, each with its first version
    call_command("bench", "generate", "--projects", "40", "--articles", "9", "--no-progress", stdout=io.StringIO())
    assert totals() == {**EXPECTED, "Article": 9}
    assert ArticleVersion.objects.filter(version=1).count() == 9


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_resumes_without_duplicates():
    # given a run killed inside its third chunk of 16 projects (after writing the chunk, before commit)
    def kill(phase: str, first: int) -> None:
        if phase == "projects" and first == 32:
            raise Killed

    with pytest.raises(Killed):
        generate(size=size_for_projects(40), chunk=16, progress=False, log=quiet, on_chunk=kill)
    # then the two finished chunks stay and the third left nothing behind
    assert sorted(bench_projects().values_list("code", flat=True)) == [f"BN-{i:07d}" for i in range(1, 33)]
    assert ProjectEvent.objects.filter(project__code__gt="BN-0000032").count() == 0

    # when it runs again
    generate(size=size_for_projects(40), chunk=16, progress=False, log=quiet)

    # then it ends with exactly the rows of an unbroken run, each once
    assert totals() == EXPECTED
    assert sorted(bench_projects().values_list("code", flat=True)) == [f"BN-{i:07d}" for i in range(1, 41)]
    assert not bench_projects().values("code").annotate(n=Count("id")).filter(n__gt=1).exists()


@pytest.mark.django_db(transaction=True)
def test_transitions_run_on_generated_data():
    # given a tiny generated data set
    generate(size=size_for_projects(40), progress=False, log=quiet)
    events_before = ProjectEvent.objects.count()

    # when two clients drive transitions for a second
    out = io.StringIO()
    call_command("bench", "transitions", "--clients", "2", "--seconds", "1", stdout=out)

    # then the table is printed and the transitions really happened through the service
    report = out.getvalue()
    assert "transitions/s" in report and "p95 latency ms" in report
    done = int(next(line.split()[-1] for line in report.splitlines() if line.startswith("transitions ")))
    assert done > 0
    assert ProjectEvent.objects.count() >= events_before + done


@pytest.mark.django_db(transaction=True)
def test_api_benchmark_serves_every_case_through_gunicorn(monkeypatch):
    from bench.api import report, run, summary
    from tests.conftest import _database_url_for_worker

    # given 40 generated projects, served by gunicorn on the test database
    generate(size=size_for_projects(40), progress=False, log=quiet)
    monkeypatch.setenv("DATABASE_URL", _database_url_for_worker())

    # when one round runs after the warm-up
    result = run(rounds=1, log=quiet)

    # then every case answered 200 with its queries counted, for both users
    rows = report(result)
    cases = {row[1] for row in rows[1:]}
    assert {"projects: first page", "projects: middle page (1)", "projects: last page (2)"} <= cases
    assert {"projects: status=pursuit", "projects: q=BN-00123 (code)", "projects: kanban board"} <= cases
    assert {"project page", "project tab history", "customers: first page", "API quotations: first page"} <= cases
    assert {"search page: 1 word(s)", "search page: 3 word(s)", "API search: 2 word(s)"} <= cases
    assert [row for row in rows[1:] if row[-2] != "0" or row[-1]] == []
    assert all(r.queries[0] > 0 for r in result.results)
    assert {row[0] for row in rows[1:]} == {"sees all (bn_u00000)", f"department ({result.users[1][1]})"}
    # the director sees all 40 projects; the department head fewer
    assert result.users[0][2] == 40 and 0 < result.users[1][2] < 40
    # each worker reported its memory
    assert result.workers and all(rss[-1] > 10_000 for rss in result.workers.values())
    assert any(line.startswith("worker ") for line in summary(result))


@pytest.mark.django_db(transaction=True)
def test_load_benchmark_drives_every_case_with_concurrent_clients(monkeypatch):
    from bench.load import report, run, summary
    from tests.conftest import _database_url_for_worker

    # given 40 generated projects, served by gunicorn on the test database
    generate(size=size_for_projects(40), progress=False, log=quiet)
    monkeypatch.setenv("DATABASE_URL", _database_url_for_worker())

    # when 4 clients run for 3 s after one client alone for 1 s per user
    result = run(clients=4, seconds=3, single_seconds=1)

    # then the three users took part, every case was requested under load and none failed
    assert [label for label, _username in result.users] == ["sees all", "department", "own deals"]
    rows = report(result)
    assert rows[0] == ("case", "1 client p50 ms", "n", "p50 ms", "p95 ms", "p99 ms", "p50 ratio", "errors")
    cases = {row[0]: row for row in rows[1:]}
    assert set(cases) == {
        "dashboard", "projects list", "projects: status=pursuit", "customers list", "tenders list",
        "knowledge browser", "notifications", "API projects", "API customers", "API tenders",
        "API search 数据中心", "project page", "API project", "all requests",
    }  # fmt: skip
    assert [row for row in rows[1:] if row[-1] != "0"] == []
    assert int(cases["all requests"][2].replace(",", "")) == len(result.loaded.samples) > 4
    assert result.loaded.clients == 4 and {s.status for s in result.loaded.samples} == {200}
    assert any(line.startswith("throughput: ") for line in summary(result))
    assert any(line.startswith("goals met ") and "errors 0 (goal 0)" in line for line in summary(result))


@pytest.mark.django_db(transaction=True)
def test_generated_history_matches_the_projects():
    from backend.projects.models import Project

    generate(size=size_for_projects(40), progress=False, log=quiet)
    projects = list(bench_projects().prefetch_related("events"))
    for project in projects:
        status_events = sorted(
            (e for e in project.events.all() if e.kind != "change"), key=lambda e: (e.created_at, e.pk)
        )
        # the status events walk the lifecycle from "created" to the current status, at rising dates
        assert status_events[0].kind == "created" and status_events[0].created_at == project.created_at
        assert status_events[-1].target == project.status
        assert status_events[-1].created_at == project.status_changed_at
        assert all(a.target == b.source for a, b in zip(status_events, status_events[1:], strict=False))
        # the outcome date is when the deal entered won, lost, abandoned or rejected
        outcome = next(
            (e.created_at for e in status_events if e.target in ("won", "lost", "abandoned", "rejected")), None
        )
        assert project.closed_at == outcome
        closing = next((e for e in status_events if e.target in ("won", "lost", "abandoned", "rejected")), None)
        assert project.closed_from == (closing.source if closing else "")
        sale = closing.target if closing and closing.target != "rejected" else ""
        assert project.outcome == sale
        # each tracked field's last change ends at the project's current value
        for field in ("expected_close_date", "estimated_amount", "probability", "forecast_category"):
            changes = sorted((e for e in project.events.all() if e.field == field), key=lambda e: e.created_at)
            if changes:
                current = getattr(project, field)
                assert changes[-1].new_value == (
                    current.isoformat() if field == "expected_close_date" else str(current)
                )
    assert Project.objects.filter(code__startswith="BN-", closed_at__isnull=False).count() == 21
