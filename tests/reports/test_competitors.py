"""The competitors report against the hand-built history (figures worked out by hand in the comments)."""

from __future__ import annotations

import pytest

from tests.reports.conftest import PERIOD, table
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db


def get(client_for, user, **params):
    response = client_for(user).get("/api/v1/reports/competitors/", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_head_to_head(client_for, world):
    rows = table(get(client_for, world.exec), "head_to_head")
    # Huawei: D1 won, D2 and D5 lost (both to Huawei), D7 open; Inspur: D2 lost (to Huawei), D3 won
    assert {k: (v["met"], v["won"], v["lost"], v["they_won"], v["win_rate"], v["open"]) for k, v in rows.items()} == {
        "华为 Huawei": (3, 1, 2, 2, 33.3, 1),
        "浪潮 Inspur": (2, 1, 1, 0, 50.0, 0),
    }
    assert rows["华为 Huawei"]["met_amount"] == "27900000.00"  # 2.1M + 0.8M + 25M


def test_trend_by_quarter(client_for, world):
    found = next(t for t in get(client_for, world.exec)["tables"] if t["key"] == "trend")["rows"]
    assert [(r["quarter"], r["competitor"], r["met"], r["won"]) for r in found] == [
        ("2026-Q1", "华为 Huawei", 2, 1),
        ("2026-Q1", "浪潮 Inspur", 1, 0),
        ("2026-Q2", "华为 Huawei", 1, 0),
        ("2026-Q2", "浪潮 Inspur", 1, 1),
    ]


def test_price_gap_distribution(client_for, world):
    rows = table(get(client_for, world.exec), "price_gap")
    huawei, inspur = rows["华为 Huawei"], rows["浪潮 Inspur"]
    # Huawei: D1 −4.8 % (opening), D2 +14.3 % (opening), D5 +25 % (win/loss record) → median 14.3
    assert (huawei["pairs"], huawei["median"]) == (3, 14.3)
    assert [huawei[f"b_{i}"] for i in range(8)] == [0, 0, 0, 1, 0, 0, 1, 1]
    # Inspur: D2 −9.1 %
    assert (inspur["pairs"], inspur["median"]) == (1, -9.1)
    assert [inspur[f"b_{i}"] for i in range(8)] == [0, 0, 1, 0, 0, 0, 0, 0]


def test_where_they_beat_us(client_for, world):
    body = get(client_for, world.exec)
    industry = next(t for t in body["tables"] if t["key"] == "beaten_by_industry")["rows"]
    assert [(r["competitor"], r["industry"], r["deals"], r["amount"]) for r in industry] == [
        ("华为 Huawei", "Energy and utilities", 1, "25000000.00"),
        ("华为 Huawei", "Finance", 1, "800000.00"),
    ]
    bands = next(t for t in body["tables"] if t["key"] == "beaten_by_size_band")["rows"]
    assert {(r["size_band"], r["deals"]) for r in bands} == {("under 1M", 1), ("20M and above", 1)}


def test_links_count_exactly_and_heads_see_their_own(client_for, world):
    assert_links_count_exactly(client_for, world.exec, "competitors")
    rows = table(get(client_for, world.east_head), "head_to_head")
    assert {k: v["met"] for k, v in rows.items()} == {"浪潮 Inspur": 1}  # D3 only
