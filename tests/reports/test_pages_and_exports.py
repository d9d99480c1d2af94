"""Report pages, exports that equal the JSON, drill-down banners and query counts independent of data size."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import DepartmentFactory, UserFactory
from tests.reports.conftest import PERIOD, make_deal

pytestmark = pytest.mark.django_db
REPORTS = [
    "win-loss",
    "competitors",
    "funnel",
    "forecast",
    "pipeline-changes",
    "delivery-health",
    "receivables",
    "kpis",
    "customers-cold",
    "scorecard",
    "service",
]


def json_sections(body):
    sections = [[m["value"] for m in body["metrics"]]] if body["metrics"] else []
    for table in body["tables"]:
        sections.extend([row.get(c["key"]) for c in table["columns"]] for row in table["rows"])
    return sections


@pytest.mark.parametrize("name", REPORTS)
def test_csv_and_xlsx_hold_the_same_figures_as_the_json(client_for, world, name):
    client = client_for(world.exec)
    body = client.get(f"/api/v1/reports/{name}/", PERIOD).json()
    expected = [["" if v is None else str(v) for v in row] for row in json_sections(body)]

    response = client.get(f"/api/v1/reports/{name}/", {**PERIOD, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # each section: title, header, rows, blank line
    rows, index = [], 0
    for title, labels, data in _sections(body):
        assert lines[index] == [title] and lines[index + 1] == labels
        rows.extend(lines[index + 2 : index + 2 + len(data)])
        index += 3 + len(data)
    assert rows == expected

    response = client.get(f"/api/v1/reports/{name}/", {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = []
    for sheet in book.worksheets:
        values.extend([list(row) for row in sheet.iter_rows(min_row=3, values_only=True)])
    assert len(values) == len(expected)
    for got, want in zip(values, json_sections(body), strict=True):
        for cell, value in zip(got, want, strict=True):
            if value in (None, ""):
                assert cell in (None, "")
            elif isinstance(value, str) and _is_money(value):
                assert Decimal(str(cell)).quantize(Decimal("0.01")) == Decimal(value)
            else:
                assert cell == value


def _is_money(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return "." in text and len(text.split(".")[1]) == 2


def _sections(body):
    found = []
    if body["metrics"]:
        found.append((body["title"], [m["label"] for m in body["metrics"]], [1]))
    for table in body["tables"]:
        found.append((table["title"], [c["label"] for c in table["columns"]], table["rows"]))
    return found


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_page_renders_for_an_executive(client, world, name):
    client.force_login(world.exec)
    response = client.get(f"/reports/{name}/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-filters"' in html and 'id="export-csv"' in html and 'id="report-figures"' in html


def test_dashboard_shows_the_headline_charts(client, world):
    client.force_login(world.exec)
    html = client.get("/reports/").content.decode()
    assert html.count('class="report-figure"') == 6
    assert 'data-metric="won_amount"' in html and 'id="nav-reports"' in html


def test_a_bad_filter_on_the_page_is_a_400_with_the_reason(client, world):
    client.force_login(world.exec)
    response = client.get("/reports/win-loss/", {"date_from": "2026-06-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "before the start date" in response.content.decode()


def test_drill_down_banner_on_the_project_list(client, world):
    client.force_login(world.exec)
    body = client.get("/api/v1/reports/win-loss/", PERIOD).json()
    link = next(m["link"] for m in body["metrics"] if m["key"] == "won")
    html = client.get(link).content.decode()
    assert 'id="drill-banner"' in html and "Win/loss analysis" in html and "Outcome: won" in html
    # Link texts, not bare names: the CSRF token is random and may contain "D2".
    assert ">D1</a>" in html and ">D3</a>" in html and ">D2</a>" not in html
    response = client.get("/projects/", {"report": "win-loss", "cell": "planet:mars"})
    assert response.status_code == 400 and "does not exist" in response.content.decode()


def test_reports_in_the_navigation_only_for_their_readers(client, world, make_user):
    client.force_login(make_user("engineer", "engineer"))
    assert 'id="nav-reports"' not in client.get("/").content.decode()
    client.force_login(world.north_head)  # a department head
    assert 'id="nav-reports"' in client.get("/").content.decode()


def test_targets_page(client, world):
    client.force_login(world.alice)
    assert client.get("/reports/targets/").status_code == 302
    client.force_login(world.director)
    response = client.post(
        "/reports/targets/",
        {"department": world.north.pk, "period": "quarter", "period_start": "2026-07-01", "amount": "6000000"},
    )
    assert response.status_code == 302
    assert "6,000,000.00" in client.get("/reports/targets/").content.decode()
    response = client.post(
        "/reports/targets/",
        {"department": world.north.pk, "period": "quarter", "period_start": "2026-07-02", "amount": "1"},
    )
    assert response.status_code == 400 and "2026-07-01" in response.content.decode()


@pytest.mark.parametrize("name", REPORTS)
def test_query_count_does_not_grow_with_the_data(client_for, count_queries, name, db):
    user = UserFactory(roles=["exec"])
    department = DepartmentFactory()

    def grow(n):
        for i in range(n):
            make_deal(
                owner=user,
                department=department,
                created="2026-01-02",
                closed="2026-03-01",
                status="lost" if i % 2 else "won",
                outcome="lost" if i % 2 else "won",
                name=f"Q{n}-{i}",
            )
            make_deal(owner=user, department=department, created="2026-02-02", status="bidding", name=f"O{n}-{i}")

    client = client_for(user)
    grow(5)
    client.get(f"/api/v1/reports/{name}/", PERIOD)  # the user's roles are read once and kept on the user
    small = count_queries(lambda: client.get(f"/api/v1/reports/{name}/", PERIOD))
    grow(45)
    response = client.get(f"/api/v1/reports/{name}/", PERIOD)
    assert response.status_code == 200
    large = count_queries(lambda: client.get(f"/api/v1/reports/{name}/", PERIOD))
    assert small == large


def test_a_page_shows_the_largest_groups_first_and_says_how_many_more_the_exports_have(client, world, monkeypatch):
    """At 1,000,000 projects a table has a row per salesperson (2,000); the page shows the first rows in the
    report's order and the exports keep every one."""
    monkeypatch.setattr("reports.views.PAGE_ROWS", 1)
    client.force_login(world.exec)
    response = client.get("/reports/win-loss/", {**PERIOD}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    owners = next(t for t in response.context["body"]["tables"] if t["key"] == "by_owner")
    # Alice Wang closed three of the five deals, Bob Li two: Alice's row comes first
    assert [(row["owner"], row["closed"]) for row in owners["rows"]] == [("Alice Wang", 3)]
    assert owners["rows_total"] == 2
    html = response.content.decode()
    section = html[html.index('id="table-by_owner"') :]
    section = section[: section.index("</section>")]
    assert "此处显示前 1 行，共 2 行；导出文件包含全部行。" in section and section.count("<tr>") == 2  # head + 1
    exported = client.get("/api/v1/reports/win-loss/", {**PERIOD, "format": "csv"}).content.decode()
    assert "Alice" in exported and "Bob" in exported


def test_the_kpi_score_form_offers_every_person_of_the_report_not_only_the_rows_shown(client, world, monkeypatch):
    monkeypatch.setattr("reports.views.PAGE_ROWS", 1)
    client.force_login(world.exec)
    response = client.get("/reports/kpis/", PERIOD)
    people = next(t for t in response.context["body"]["tables"] if t["key"] == "people")
    assert len(people["rows"]) == 1 and people["rows_total"] > 1
    offered = set(response.context["score_form"].fields["user"].queryset.values_list("username", flat=True))
    assert {"alice", "bob"} <= offered
