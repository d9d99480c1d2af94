"""The project list and board work like a CRM's (issue 12): sortable columns, an amount total over the
filtered visible rows, Excel export of exactly those rows, board columns with count and amount, and a
constant number of queries."""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from backend.projects.choices import Status
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory, set_status
from tests.xlsx import column, sheet_rows

pytestmark = pytest.mark.django_db
_codes = itertools.count(1)


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def web(client, seller):
    client.force_login(seller)
    return client


def project(code, owner, status=Status.TENDER, **fields):
    made = ProjectFactory(code=code, owner=owner, **fields)
    if status != Status.TENDER:
        set_status(made, status)
    return made


@pytest.fixture
def deals(seller, make_user):
    stranger = make_user("stranger", "bid_manager", department=DepartmentFactory())
    return {
        "alpha": project("L-001", seller, name="Alpha", estimated_amount=Decimal(500000)),
        "beta": project(
            "L-002",
            seller,
            Status.BIDDING,
            name="Beta",
            estimated_amount=Decimal(900000),
            contract_amount=Decimal("1200000.50"),
        ),
        "gamma": project("L-003", seller, Status.BIDDING, name="Gamma", estimated_amount=Decimal(300000)),
        "hidden": project("L-009", stranger, Status.BIDDING, name="Hidden", estimated_amount=Decimal(7000000)),
    }


def codes(response):
    return [p.code for p in response.context["page"]]


def test_sorting_by_amount_name_and_customer(web, deals):
    url = reverse("projects:list")
    assert codes(web.get(url)) == ["L-003", "L-002", "L-001"]  # usual: newest first
    assert codes(web.get(url, {"sort": "amount"})) == ["L-003", "L-001", "L-002"]  # the contract amount counts
    assert codes(web.get(url, {"sort": "-amount"})) == ["L-002", "L-001", "L-003"]
    assert codes(web.get(url, {"sort": "name"})) == ["L-001", "L-002", "L-003"]
    assert codes(web.get(url, {"sort": "-code", "status": "bidding"})) == ["L-003", "L-002"]
    bad = web.get(url, {"sort": "owner__password"})
    assert bad.status_code == 200 and codes(bad) == ["L-003", "L-002", "L-001"]
    assert "cannot be sorted by" in bad.content.decode()


def test_amount_total_over_the_filtered_visible_rows(web, deals):
    response = web.get(reverse("projects:list"), {"status": "bidding"})
    assert response.context["listing"].totals == {"amount": Decimal("1500000.50")}  # not Hidden's 7,000,000
    assert 'data-total="amount">1,500,001<' in response.content.decode()  # shown without cents
    assert web.get(reverse("projects:list")).context["listing"].totals == {"amount": Decimal("2000000.50")}


def test_the_sort_survives_paging_and_filtering(web, seller):
    for i in range(30):
        project(f"M-{i:03d}", seller, estimated_amount=Decimal(1000 * (i + 1)))
    first = web.get(reverse("projects:list"), {"sort": "-amount", "status": "tender"})
    assert codes(first)[:3] == ["M-029", "M-028", "M-027"]
    assert 'href="?sort=-amount&amp;status=tender&page=2"' in first.content.decode()
    second = web.get(reverse("projects:list"), {"sort": "-amount", "status": "tender", "page": 2})
    assert codes(second) == ["M-004", "M-003", "M-002", "M-001", "M-000"]
    assert '<input type="hidden" name="sort" value="-amount">' in first.content.decode()


def test_export_is_exactly_the_filtered_visible_rows(web, deals):
    response = web.get(reverse("projects:list"), {"status": "bidding", "sort": "-amount", "export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0][:6] == ["Code", "Name", "Customer", "Status", "Amount", "Currency"]
    assert column(rows, "Code") == ["L-002", "L-003"]
    assert column(rows, "Amount") == [1200000.5, 300000.0]
    assert column(rows, "Status") == ["Bidding", "Bidding"]
    zh = sheet_rows(web.get(reverse("projects:list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert zh[0][4] == "金额" and sorted(r[0] for r in zh[1:]) == [
        "L-001",
        "L-002",
        "L-003",
    ]


def test_board_columns_show_count_and_amount(web, deals):
    response = web.get(reverse("projects:board"))
    columns = {c["status"]: (c["count"], c["amount"]) for c in response.context["columns"]}
    assert columns[Status.TENDER] == (1, Decimal("500000.00"))
    assert columns[Status.BIDDING] == (2, Decimal("1500000.50"))  # Hidden is not on the seller's board
    assert columns[Status.WON] == (0, Decimal("0"))
    page = response.content.decode()
    assert 'data-amount="1500000.50">1,500,001</span>' in page
    filtered = web.get(reverse("projects:board"), {"q": "Gamma"})
    columns = {c["status"]: (c["count"], c["amount"]) for c in filtered.context["columns"]}
    assert columns[Status.BIDDING] == (1, Decimal("300000.00")) and columns[Status.TENDER] == (0, Decimal("0"))


def test_board_shows_ten_newest_cards_a_column_and_links_the_rest_with_its_filters(web, seller):
    made = [project(f"K-{n:03d}", seller, name=f"Kilo {n}") for n in range(12)]
    project("K-100", seller, name="Other")
    response = web.get(reverse("projects:board"), {"q": "Kilo"})
    tender = next(c for c in response.context["columns"] if c["status"] == Status.TENDER)
    assert tender["count"] == 12 and tender["more"] == 2
    newest_first = sorted(made, key=lambda p: (p.status_changed_at, p.pk), reverse=True)
    assert [card.code for card in tender["cards"]] == [p.code for p in newest_first[:10]]
    assert tender["more_url"] == "/projects/?q=Kilo&status=tender"
    assert 'href="/projects/?q=Kilo&amp;status=tender">2 more…</a>' in response.content.decode()
    listed = web.get(tender["more_url"])
    assert listed.context["page"].paginator.count == 12


def test_sorted_list_and_export_queries_do_not_grow(web, seller, count_queries):
    def fill(n):
        for _ in range(n):
            project(f"Q-{next(_codes):04d}", seller, customer=CustomerFactory(owner=seller))

    fill(5)
    url = reverse("projects:list")
    five = count_queries(lambda: web.get(url, {"sort": "-amount", "status": "tender"}))
    export_five = count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"}))
    fill(45)
    assert count_queries(lambda: web.get(url, {"sort": "-amount", "status": "tender"})) == five
    assert count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"})) == export_five
    assert len(sheet_rows(web.get(url, {"export": "xlsx"}))) == 51
