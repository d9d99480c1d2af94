"""The invoice list (every invoice on the projects the user sees) works like a CRM's (issue 12): sortable
columns, the amount total over the filtered rows, Excel export, bad filters told, constant queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from backend.payments.models import Invoice, PaymentTerm
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


def invoice(project, number, amount, issued, term=None):
    return Invoice.objects.create(
        project=project, number=number, amount=Decimal(amount), issued_on=issued, payment_term=term
    )


@pytest.fixture
def book(seller, make_user):
    east = ProjectFactory(code="L-001", owner=seller, customer=CustomerFactory(name="华东电网", owner=seller))
    bank = ProjectFactory(code="L-002", owner=seller, customer=CustomerFactory(name="北京银行", owner=seller))
    hidden = ProjectFactory(code="L-009", owner=make_user("stranger", "bid_manager", department=DepartmentFactory()))
    advance = PaymentTerm.objects.create(project=east, name="预付款", percent=Decimal(30), amount=Decimal(300000))
    invoice(east, "INV-1", "50000", date(2026, 10, 1))
    invoice(east, "INV-2", "120000.50", date(2026, 11, 1), term=advance)
    invoice(bank, "INV-3", "8000", date(2026, 9, 15))
    invoice(hidden, "INV-9", "999999", date(2026, 11, 2))


def numbers(response):
    return [row[0]["value"] for row in response.context["rows"]]


def test_sorting_invoices(web, book):
    url = reverse("payments:invoices")
    assert numbers(web.get(url)) == ["INV-2", "INV-1", "INV-3"]  # usual: the latest issued first
    assert numbers(web.get(url, {"sort": "amount"})) == ["INV-3", "INV-1", "INV-2"]
    assert numbers(web.get(url, {"sort": "-amount"})) == ["INV-2", "INV-1", "INV-3"]
    assert numbers(web.get(url, {"sort": "term"})) == ["INV-2", "INV-1", "INV-3"]  # no term last, ties by id
    assert numbers(web.get(url, {"sort": "customer"})) == ["INV-3", "INV-1", "INV-2"]


def test_totals_and_bad_filters(web, book):
    response = web.get(reverse("payments:invoices"))
    assert response.context["listing"].totals == {"amount": Decimal("178000.50")}  # never INV-9
    assert 'data-total="amount">178,000.50<' in response.content.decode()
    response = web.get(reverse("payments:invoices"), {"issued_from": "2026-10-01", "sort": "amount"})
    assert numbers(response) == ["INV-1", "INV-2"]
    assert response.context["listing"].totals == {"amount": Decimal("170000.50")}
    bad = web.get(reverse("payments:invoices"), {"issued_from": "yesterday", "sort": "nope"})
    page = bad.content.decode()
    assert bad.status_code == 200 and "Enter a valid date." in page and "cannot be sorted by" in page


def test_export_is_exactly_the_filtered_visible_invoices(web, book):
    rows = sheet_rows(web.get(reverse("payments:invoices"), {"q": "L-001", "sort": "-amount", "export": "xlsx"}))
    assert rows[0] == ["Invoice number", "Project", "Customer", "Payment term", "Amount", "Issued on", "Due on"]
    assert column(rows, "Invoice number") == ["INV-2", "INV-1"]
    assert column(rows, "Amount") == [120000.5, 50000.0]
    assert column(rows, "Payment term") == ["预付款", None]
    assert [d.date() for d in column(rows, "Issued on")] == [date(2026, 11, 1), date(2026, 10, 1)]
    zh = sheet_rows(web.get(reverse("payments:invoices"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert zh[0][0] == "发票号码" and len(zh) == 4


def test_invoice_list_queries_do_not_grow(web, seller, count_queries):
    def fill(start, n):
        for i in range(start, start + n):
            project = ProjectFactory(code=f"Q-{i:04d}", owner=seller, customer=CustomerFactory(owner=seller))
            term = PaymentTerm.objects.create(project=project, name="款", percent=Decimal(10), amount=Decimal(100))
            invoice(project, f"N-{i:04d}", "100", date(2026, 11, 1), term=term)

    fill(0, 5)
    url = reverse("payments:invoices")
    five = count_queries(lambda: web.get(url, {"sort": "-amount"}))
    export_five = count_queries(lambda: web.get(url, {"sort": "term", "export": "xlsx"}))
    fill(5, 45)
    assert count_queries(lambda: web.get(url, {"sort": "-amount"})) == five
    assert count_queries(lambda: web.get(url, {"sort": "term", "export": "xlsx"})) == export_five
    assert len(sheet_rows(web.get(url, {"export": "xlsx"}))) == 51
