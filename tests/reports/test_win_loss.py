"""Win/loss analysis against the hand-built history of conftest.py (every figure worked out by hand)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.reports.conftest import PERIOD, metric, table

pytestmark = pytest.mark.django_db


def get(client_for, user, **params):
    response = client_for(user).get("/api/v1/reports/win-loss/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_totals_count_the_five_deals_closed_in_the_period(client_for, world):
    body = get(client_for, world.exec)
    # D1 and D3 won, D2 and D5 lost, D4 abandoned; D6 closed before the period, D7 is open, D8 was rejected
    assert metric(body, "closed") == 5
    assert metric(body, "won") == 2
    assert metric(body, "win_rate") == 40.0
    assert metric(body, "won_amount") == "7600000.00"  # 2,100,000 + 5,500,000 (contract amounts)
    assert metric(body, "amount_win_rate") == 20.9  # 7.6M of 36.4M
    assert metric(body, "median_cycle") == 40.0


def test_win_rate_by_each_dimension(client_for, world):
    body = get(client_for, world.exec)
    competitors = table(body, "by_competitor")
    assert {k: (v["closed"], v["won"], v["lost"], v["win_rate"]) for k, v in competitors.items()} == {
        "华为 Huawei": (3, 1, 2, 33.3),
        "浪潮 Inspur": (2, 1, 1, 50.0),
    }
    industries = table(body, "by_industry")
    assert {k: (v["closed"], v["won"], v["abandoned"]) for k, v in industries.items()} == {
        "Finance": (2, 1, 0),
        "Government": (2, 1, 1),
        "Energy and utilities": (1, 0, 0),
    }
    departments = table(body, "by_department")
    assert {k: (v["closed"], v["won"]) for k, v in departments.items()} == {"华北 North": (3, 1), "华东 East": (2, 1)}
    owners = table(body, "by_owner")
    assert {k: (v["closed"], v["won_amount"]) for k, v in owners.items()} == {
        "Alice Wang": (3, "2100000.00"),
        "Bob Li": (2, "5500000.00"),
    }
    bands = table(body, "by_size_band")
    assert {k: (v["closed"], v["won"]) for k, v in bands.items()} == {
        "under 1M": (1, 0),
        "1M–5M": (2, 1),
        "5M–20M": (1, 1),
        "20M and above": (1, 0),
    }
    quarters = table(body, "by_quarter")
    assert {k: (v["won"], v["lost"], v["abandoned"]) for k, v in quarters.items()} == {
        "2026-Q1": (1, 1, 0),
        "2026-Q2": (1, 1, 1),
    }
    sources = table(body, "by_source")
    assert {k: v["closed"] for k, v in sources.items()} == {"Public tender": 4, "Referral": 1}


def test_loss_reasons_states_cycle_and_lessons(client_for, world):
    body = get(client_for, world.exec)
    pareto = table(body, "loss_reasons")
    assert [(k, v["deals"], v["share"], v["cumulative"]) for k, v in pareto.items()] == [
        ("Price", 2, 66.7, 66.7),
        ("Relationship", 1, 33.3, 100.0),
    ]
    secondary = table(body, "secondary_reasons")
    assert {k: v["deals"] for k, v in secondary.items()} == {"Technology": 2, "Relationship": 1}
    # the reasons come with the product: a Chinese reader gets them in Chinese
    chinese = client_for(world.exec).get("/api/v1/reports/win-loss/", PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert list(table(chinese, "loss_reasons")) == ["价格", "客户关系"]
    assert {k: v["deals"] for k, v in table(chinese, "secondary_reasons").items()} == {"技术方案": 2, "客户关系": 1}
    lost_at = table(body, "lost_at")
    assert {k: v["deals"] for k, v in lost_at.items()} == {"Bidding": 2, "Pursuit": 1}
    cycle = table(body, "cycle")
    # days from registration to outcome: D1 30, D2 40, D3 90, D4 30, D5 120 (nearest-rank percentiles)
    assert {k: (v["deals"], v["median"], v["p80"]) for k, v in cycle.items()} == {
        "All closed deals": (5, 40.0, 90.0),
        "Won": (2, 30.0, 90.0),
        "Lost or abandoned": (3, 40.0, 120.0),
    }
    lessons = next(t for t in body["tables"] if t["key"] == "lessons")["rows"]
    assert [row["lessons"] for row in lessons] == ["资质不足", "价格太高 Too expensive"]


def test_a_department_head_counts_only_the_deals_of_his_department(client_for, world):
    body = get(client_for, world.north_head)
    assert metric(body, "closed") == 3  # D1, D2, D5
    assert set(table(body, "by_department")) == {"华北 North"}
    assert metric(client_for(world.bob).get("/api/v1/reports/win-loss/", PERIOD).json(), "closed") == 2
    assert metric(client_for(world.outsider).get("/api/v1/reports/win-loss/", PERIOD).json(), "closed") == 0


def test_filters_narrow_the_deals(client_for, world):
    assert metric(get(client_for, world.exec, competitor=world.huawei.pk), "closed") == 3
    assert metric(get(client_for, world.exec, department=world.sales.pk), "closed") == 5  # the whole subtree
    assert metric(get(client_for, world.exec, department=world.east.pk), "closed") == 2
    assert metric(get(client_for, world.exec, industry="government", size_band="2"), "closed") == 1  # D4
    assert metric(get(client_for, world.exec, date_from="2026-04-01"), "closed") == 3


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-06-01", "date_to": "2026-01-01"}, "date_to"),
        ({"department": "99999"}, "department"),
        ({"industry": "space"}, "industry"),
        ({"size_band": "9"}, "size_band"),
        ({"date_to": "0514-01-01"}, "date_to"),
    ],
)
def test_bad_filters_are_a_400_naming_the_filter(client_for, world, params, field):
    response = client_for(world.exec).get("/api/v1/reports/win-loss/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter" and field in body["errors"]


def assert_links_count_exactly(client_for, user, name, **params):
    """Every count in the report links to a project list holding exactly that many deals; every amount to
    deals whose amounts add up to it."""
    client = client_for(user)
    body = client.get(f"/api/v1/reports/{name}/", {**PERIOD, **params}).json()
    checked = 0
    for found in [
        {"key": "metrics", "columns": [{"key": "value", "kind": m["kind"]} for m in body["metrics"]], "rows": []},
        *body["tables"],
    ]:
        kinds = {c["key"]: c["kind"] if c.get("counts_deals", True) else "other" for c in found["columns"]}
        for row in found["rows"]:
            for column, link in row.get("links", {}).items():
                if kinds[column] != "int" or row[column] is None:
                    continue
                query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
                listed = client.get("/api/v1/projects/", {**query, "page_size": 200})
                assert listed.status_code == 200, (found["key"], column, link, listed.content)
                assert listed.json()["count"] == row[column], (found["key"], column, link)
                checked += 1
    for figure in body["metrics"]:
        if figure["kind"] == "int" and figure["link"] and figure.get("counts_deals", True):
            query = {k: v[0] for k, v in parse_qs(urlsplit(figure["link"]).query).items()}
            assert client.get("/api/v1/projects/", query).json()["count"] == figure["value"], figure
            checked += 1
    assert checked >= 5, checked
    return checked


def test_every_count_links_to_exactly_the_deals_it_counts(client_for, world):
    assert assert_links_count_exactly(client_for, world.exec, "win-loss") > 50


def test_unknown_report_and_unknown_cell(client_for, world):
    client = client_for(world.exec)
    assert client.get("/api/v1/reports/nonsense/").status_code == 404
    response = client.get("/api/v1/projects/", {"report": "win-loss", "cell": "planet:mars"})
    assert response.status_code == 400 and response.json()["code"] == "unknown_cell"
    response = client.get("/api/v1/projects/", {"report": "win-loss", "cell": "competitor:abc"})
    assert response.status_code == 400
