"""The tender list works like a CRM's (issue 12): sortable columns, a budget total over the filtered rows,
Excel export of exactly the filtered rows (budgets as numbers), a constant number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from backend.tenders import services
from tests.factories import ProjectFactory
from tests.xlsx import column, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, bidmgr):
    client.force_login(bidmgr)
    return client


def make_tender(actor, number, **fields):
    values = {"title": f"项目 {number}", "buyer": "某市大数据局", "industry": "government", "region": "east"}
    return services.tender_create(actor=actor, number=number, **{**values, **fields})


@pytest.fixture
def tenders(bidmgr):
    made = {
        "ZB-A": make_tender(bidmgr, "ZB-A", budget=Decimal("300000.50"), publish_date=date(2026, 11, 3)),
        "ZB-B": make_tender(bidmgr, "ZB-B", budget=Decimal("1200000.00"), publish_date=date(2026, 11, 1)),
        "ZB-C": make_tender(bidmgr, "ZB-C", budget=None, publish_date=date(2026, 11, 5), industry="finance"),
        "ZB-D": make_tender(bidmgr, "ZB-D", budget=Decimal("45000.25"), publish_date=None),
    }
    ProjectFactory(owner=bidmgr, tender=made["ZB-B"])
    ProjectFactory(owner=bidmgr, tender=made["ZB-B"])
    ProjectFactory(owner=bidmgr, tender=made["ZB-D"])
    return made


def numbers(response):
    return [t.number for t in response.context["page"]]


def test_sorting_by_budget_date_and_project_count(browser, tenders):
    url = reverse("tenders:list")
    assert numbers(browser.get(url)) == ["ZB-C", "ZB-A", "ZB-B", "ZB-D"]  # usual: newest published first
    assert numbers(browser.get(url, {"sort": "budget"})) == ["ZB-D", "ZB-A", "ZB-B", "ZB-C"]  # no budget last
    assert numbers(browser.get(url, {"sort": "-budget"})) == ["ZB-B", "ZB-A", "ZB-D", "ZB-C"]
    assert numbers(browser.get(url, {"sort": "published"})) == ["ZB-B", "ZB-A", "ZB-C", "ZB-D"]
    # ties (no projects) newest first, the direction of the sort
    assert numbers(browser.get(url, {"sort": "-projects"})) == ["ZB-B", "ZB-D", "ZB-C", "ZB-A"]
    bad = browser.get(url, {"sort": "notes"})
    assert bad.status_code == 200 and numbers(bad) == ["ZB-C", "ZB-A", "ZB-B", "ZB-D"]
    assert "cannot be sorted by" in bad.content.decode()


def test_budget_total_over_the_filtered_rows(browser, tenders):
    response = browser.get(reverse("tenders:list"), {"industry": "government"})
    assert response.context["listing"].totals == {"budget": Decimal("1545000.75")}
    assert 'data-total="budget">1,545,000.75<' in response.content.decode()
    response = browser.get(reverse("tenders:list"), {"industry": "finance"})
    assert response.context["listing"].totals == {"budget": Decimal("0")}  # ZB-C has no budget


def test_export_is_the_filtered_sorted_rows_with_numbers(browser, tenders):
    response = browser.get(reverse("tenders:list"), {"industry": "government", "sort": "-budget", "export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0][:5] == ["Tender number", "Title", "Buyer", "Budget", "Currency"]
    assert column(rows, "Tender number") == ["ZB-B", "ZB-A", "ZB-D"]
    assert column(rows, "Budget") == [1200000.0, 300000.5, 45000.25]
    assert column(rows, "Projects") == [2, 0, 1]
    published = column(rows, "Published")
    assert [p.date() if p else None for p in published] == [date(2026, 11, 1), date(2026, 11, 3), None]


def test_sorted_list_and_export_queries_do_not_grow(browser, bidmgr, count_queries):
    def fill(start, n):
        for i in range(start, start + n):
            ProjectFactory(owner=bidmgr, tender=make_tender(bidmgr, f"ZB-{i:03d}", budget=Decimal(i)))

    fill(0, 5)
    url = reverse("tenders:list")
    five = count_queries(lambda: browser.get(url, {"sort": "-budget", "industry": "government"}))
    export_five = count_queries(lambda: browser.get(url, {"sort": "-projects", "export": "xlsx"}))
    fill(5, 45)
    assert count_queries(lambda: browser.get(url, {"sort": "-budget", "industry": "government"})) == five
    assert count_queries(lambda: browser.get(url, {"sort": "-projects", "export": "xlsx"})) == export_five
    assert len(sheet_rows(browser.get(url, {"export": "xlsx"}))) == 51
