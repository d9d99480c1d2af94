"""The receivables list (payment terms past due) works like a CRM's (issue 12): sortable columns, totals
over every filtered visible term, Excel export of exactly those terms, a constant number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.payments.models import PaymentTerm
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory
from tests.xlsx import column, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def web(client, seller):
    client.force_login(seller)
    return client


def term(project, name, amount, days_ago, written_off="0"):
    return PaymentTerm.objects.create(
        project=project,
        name=name,
        percent=Decimal(10),
        amount=Decimal(amount),
        written_off=Decimal(written_off),
        due_date=timezone.localdate() - timedelta(days=days_ago),
    )


@pytest.fixture
def book(seller, make_user):
    east = ProjectFactory(code="L-001", owner=seller, customer=CustomerFactory(name="华东电网", owner=seller))
    bank = ProjectFactory(code="L-002", owner=seller, customer=CustomerFactory(name="北京银行", owner=seller))
    stranger = make_user("stranger", "bid_manager", department=DepartmentFactory())
    hidden = ProjectFactory(code="L-009", owner=stranger)
    term(east, "预付款", "100000", 40)
    term(east, "到货款", "250000.50", 200, written_off="50000")
    term(bank, "验收款", "80000", 10)
    term(bank, "质保金", "30000", -5)  # not due yet
    term(bank, "尾款", "20000", 5, written_off="20000")  # nothing outstanding
    term(hidden, "别人的款", "999999", 3)  # not the seller's project


def terms(response):
    return [t.name for t in response.context["late_terms"]]


def test_sorting_the_terms_past_due(web, book):
    url = reverse("payments:receivables")
    assert terms(web.get(url)) == ["到货款", "预付款", "验收款"]  # usual: the oldest first
    assert terms(web.get(url, {"sort": "-outstanding"})) == ["到货款", "预付款", "验收款"]
    assert terms(web.get(url, {"sort": "amount"})) == ["验收款", "预付款", "到货款"]
    assert terms(web.get(url, {"sort": "-due"})) == ["验收款", "预付款", "到货款"]
    assert terms(web.get(url, {"sort": "customer"})) == ["验收款", "预付款", "到货款"]  # 北京银行 < 华东电网
    bad = web.get(url, {"sort": "days"})  # shown, but not a sort key (the due date is)
    assert bad.status_code == 200 and terms(bad) == ["到货款", "预付款", "验收款"]
    assert "cannot be sorted by" in bad.content.decode()


def test_totals_over_every_filtered_visible_term(web, book):
    response = web.get(reverse("payments:receivables"))
    assert response.context["listing"].totals == {
        "amount": Decimal("430000.50"),
        "received": Decimal("0"),
        "outstanding": Decimal("380000.50"),
    }
    page = response.content.decode()
    assert 'data-total="amount">430,000.50<' in page and 'data-total="outstanding">380,000.50<' in page
    response = web.get(reverse("payments:receivables"), {"q": "北京"})
    assert terms(response) == ["验收款"]
    assert response.context["listing"].totals["outstanding"] == Decimal("80000.00")


def test_export_is_exactly_the_filtered_visible_terms(web, book):
    rows = sheet_rows(web.get(reverse("payments:receivables"), {"q": "华东", "sort": "-outstanding", "export": "xlsx"}))
    assert rows[0] == [
        "Project",
        "Project name",
        "Customer",
        "Term",
        "Due date",
        "Days past due",
        "Amount",
        "Received",
        "Outstanding",
    ]
    assert column(rows, "Term") == ["到货款", "预付款"]
    assert column(rows, "Project") == ["L-001", "L-001"]
    assert column(rows, "Days past due") == [200, 40]
    assert column(rows, "Outstanding") == [200000.5, 100000.0]
    assert column(rows, "Amount") == [250000.5, 100000.0]
    everything = sheet_rows(web.get(reverse("payments:receivables"), {"export": "xlsx"}))
    assert column(everything, "Term") == ["到货款", "预付款", "验收款"]  # never 别人的款


def test_receivables_queries_do_not_grow(web, seller, count_queries):
    def fill(n):
        for i in range(n):
            project = ProjectFactory(owner=seller, customer=CustomerFactory(owner=seller))
            term(project, f"款 {i}", "1000", i + 1)

    fill(5)
    url = reverse("payments:receivables")
    five = count_queries(lambda: web.get(url, {"sort": "-outstanding"}))
    export_five = count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"}))
    fill(45)
    assert count_queries(lambda: web.get(url, {"sort": "-outstanding"})) == five
    assert count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"})) == export_five
    assert len(sheet_rows(web.get(url, {"export": "xlsx"}))) == 51
