"""The customer list works like a CRM's (issue 12): sortable columns, a totals row over the filtered rows,
Excel export of exactly the filtered visible rows, and a constant number of queries."""

import pytest
from django.urls import reverse

from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory
from tests.xlsx import column, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory(), last_name="王", first_name="芳")


@pytest.fixture
def browser(client, seller):
    client.force_login(seller)
    return client


@pytest.fixture
def book(seller, make_user):
    """Four customers of the seller (contacts 3, 1, 0, 2) and one of somebody else with 5 contacts."""
    made = {}
    for name, industry, contacts in (("Alpha", "finance", 3), ("Beta", "retail", 1), ("Gamma", "finance", 0)):
        made[name] = CustomerFactory(name=name, industry=industry, owner=seller)
        for _ in range(contacts):
            ContactFactory(customer=made[name])
    made["Delta"] = CustomerFactory(name="Delta", industry="finance", owner=seller, tier="A")
    ContactFactory.create_batch(2, customer=made["Delta"])
    stranger = make_user("stranger", "bid_manager", department=DepartmentFactory())
    made["Hidden"] = CustomerFactory(name="Hidden", industry="finance", owner=stranger)
    ContactFactory.create_batch(5, customer=made["Hidden"])
    return made


def names(response):
    return [c.name for c in response.context["page"]]


def test_sorting_by_a_header_both_ways(browser, book):
    url = reverse("customers:list")
    assert names(browser.get(url)) == ["Alpha", "Beta", "Delta", "Gamma"]  # the usual order: by name
    assert names(browser.get(url, {"sort": "contacts"})) == ["Gamma", "Beta", "Delta", "Alpha"]
    assert names(browser.get(url, {"sort": "-contacts"})) == ["Alpha", "Delta", "Beta", "Gamma"]
    assert names(browser.get(url, {"sort": "-name"})) == ["Gamma", "Delta", "Beta", "Alpha"]
    # empty tiers last both ways
    assert names(browser.get(url, {"sort": "tier"}))[0] == "Delta"
    assert names(browser.get(url, {"sort": "-tier"}))[0] == "Delta"
    # the header of the sort in force links to the other direction and keeps the filter
    page = browser.get(url, {"sort": "contacts", "industry": "finance"}).content.decode()
    assert 'href="?industry=finance&amp;sort=-contacts"' in page and 'aria-sort="ascending"' in page
    assert 'href="?industry=finance&amp;sort=name"' in page


def test_an_unknown_sort_key_is_ignored_with_a_message(browser, book):
    for key in ("password", "owner__password", "-", "contacts;drop"):
        response = browser.get(reverse("customers:list"), {"sort": key})
        assert response.status_code == 200
        assert names(response) == ["Alpha", "Beta", "Delta", "Gamma"]
        assert "cannot be sorted by" in response.content.decode()


def test_totals_are_summed_over_every_filtered_visible_row(browser, book):
    response = browser.get(reverse("customers:list"), {"industry": "finance"})
    assert response.context["listing"].totals == {"contacts": 5}  # 3 + 0 + 2; Hidden's 5 are not counted
    assert 'data-total="contacts">5<' in response.content.decode()
    assert browser.get(reverse("customers:list")).context["listing"].totals == {"contacts": 6}


def test_the_sort_is_kept_across_pages(browser, seller):
    for i in range(30):
        CustomerFactory(name=f"Zeta {i:02d}", owner=seller)
    first = browser.get(reverse("customers:list"), {"sort": "-name"})
    assert names(first)[:2] == ["Zeta 29", "Zeta 28"] and names(first)[-1] == "Zeta 05"
    assert 'href="?sort=-name&page=2"' in first.content.decode()
    second = browser.get(reverse("customers:list"), {"sort": "-name", "page": 2})
    assert names(second) == ["Zeta 04", "Zeta 03", "Zeta 02", "Zeta 01", "Zeta 00"]
    # the filter form carries the sort on
    assert '<input type="hidden" name="sort" value="-name">' in first.content.decode()


def test_export_holds_exactly_the_filtered_visible_rows_in_order(browser, book):
    response = browser.get(reverse("customers:list"), {"industry": "finance", "sort": "-contacts", "export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0] == ["Name", "Industry", "Region", "Tier", "Owner", "Contacts"]
    assert column(rows, "Name") == ["Alpha", "Delta", "Gamma"]  # not Beta (retail), not Hidden (not visible)
    assert column(rows, "Contacts") == [3, 2, 0]
    assert rows[2] == ["Delta", "Finance", "North China", "A", "王芳", 2]


def test_export_headers_are_in_the_users_language(browser, book):
    response = browser.get(reverse("customers:list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = sheet_rows(response)
    assert rows[0][0] == "名称" and rows[0][5] == "联系人"
    assert len(rows) == 5


def test_list_and_export_queries_do_not_grow(browser, seller, count_queries):
    def fill(n):
        for _ in range(n):
            ContactFactory(customer=CustomerFactory(owner=seller))

    fill(5)
    url = reverse("customers:list")
    five = count_queries(lambda: browser.get(url, {"sort": "-contacts"}))
    export_five = count_queries(lambda: browser.get(url, {"sort": "owner", "export": "xlsx"}))
    fill(45)
    assert count_queries(lambda: browser.get(url, {"sort": "-contacts"})) == five
    assert count_queries(lambda: browser.get(url, {"sort": "owner", "export": "xlsx"})) == export_five
    assert len(sheet_rows(browser.get(url, {"export": "xlsx"}))) == 51


def test_an_export_over_the_limit_says_so_in_the_file(browser, book, monkeypatch):
    from backend.core import lists

    monkeypatch.setattr(lists, "MAX_EXPORT_ROWS", 2)
    rows = sheet_rows(browser.get(reverse("customers:list"), {"export": "xlsx"}))
    assert [r[0] for r in rows[1:3]] == ["Alpha", "Beta"]
    assert rows[3][0] == "Only the first 2 rows are exported; narrow the filter for the rest." and len(rows) == 4
