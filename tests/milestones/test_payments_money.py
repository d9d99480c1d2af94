"""Money that adds up on the payments tab (issue 12 item 6): the margin on budget and on actual cost, each with its
rate on the contract; receipts matched to invoices (collected and outstanding per invoice, over-collection
refused); a warning when the payment terms do not split the whole contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from backend.core.errors import ValidationFailed
from backend.payments import services as payments
from backend.payments.models import Receipt
from backend.projects.models import BudgetLine, Expense

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(kicked_off):
    return kicked_off["project"]


def terms_of(project):
    return list(project.payment_terms.order_by("order"))


def tab(client, project, language: str = "en") -> str:
    response = client.get(reverse("payments:project-payments", args=[project.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def an_invoice(ctx, term, number: str = "INV-9", amount: str = "600000"):
    return payments.invoice_create(
        actor=ctx["finance"],
        project=ctx["project"],
        number=number,
        amount=Decimal(amount),
        issued_on=date(2026, 11, 10),
        payment_term=term,
    )


# --- margin ------------------------------------------------------------------------------------------------


def test_margin_on_budget_and_on_actual_cost_with_rates(client, kicked_off, project):
    """Contract 2,000,000.00; budget 1,500,000.00 → 500,000.00 (25.0 %); spent 21,400.00 → 1,978,600.00 (98.9 %)."""
    BudgetLine.objects.create(project=project, category="hardware", planned_amount=Decimal("1200000"))
    BudgetLine.objects.create(project=project, category="labour", planned_amount=Decimal("300000"))
    for amount in ("20000", "1400"):
        Expense.objects.create(
            project=project,
            category="labour",
            amount=Decimal(amount),
            spent_on=date(2026, 11, 5),
            author=kicked_off["pm"],
        )
    client.force_login(kicked_off["pm"])
    page = tab(client, project, "zh-hans")
    assert '毛利（预算）: <strong class="text-success">500,000.00</strong> (毛利率 25.0 %)' in page
    assert '毛利（实际）: <strong class="text-success">1,978,600.00</strong> (毛利率 98.9 %)' in page
    english = tab(client, project)
    assert 'Margin (budget): <strong class="text-success">500,000.00</strong> (rate 25.0 %)' in english


def test_a_budget_over_the_contract_is_a_negative_margin(client, kicked_off, project):
    BudgetLine.objects.create(project=project, category="subcontract", planned_amount=Decimal("2250000"))
    client.force_login(kicked_off["pm"])
    page = tab(client, project)
    assert 'Margin (budget): <strong class="text-danger">-250,000.00</strong> (rate -12.5 %)' in page
    assert 'Margin (actual): <strong class="text-success">2,000,000.00</strong> (rate 100.0 %)' in page


def test_financials_api_has_both_margins(client_for, kicked_off, project):
    BudgetLine.objects.create(project=project, category="hardware", planned_amount=Decimal("1500000"))
    response = client_for(kicked_off["pm"]).get(f"/api/v1/projects/{project.pk}/expenses/summary/")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (Decimal(body["budget_margin"]), Decimal(body["budget_margin_pct"])) == (Decimal("500000"), Decimal("25.0"))
    assert (Decimal(body["margin"]), Decimal(body["margin_pct"])) == (Decimal("2000000"), Decimal("100.0"))


# --- receipts matched to invoices --------------------------------------------------------------------------


def test_an_invoice_shows_collected_and_outstanding(client, kicked_off, project):
    advance = terms_of(project)[0]
    invoice = an_invoice(kicked_off, advance)
    payments.receipt_record(
        actor=kicked_off["finance"],
        payment_term=advance,
        amount=Decimal("250000"),
        received_on=date(2026, 11, 20),
        invoice=invoice,
    )
    client.force_login(kicked_off["finance"])
    page = tab(client, project)
    row = page[page.index(f'<tr id="invoice-{invoice.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "INV-9" in row and "600,000.00" in row and "250,000.00" in row
    assert '<td class="text-end invoice-outstanding fw-semibold">350,000.00</td>' in row
    assert "INV-9 (350,000.00)" in page  # the receipt form offers the invoice with its balance


def test_over_collecting_an_invoice_is_refused_and_writes_nothing(client, kicked_off, project):
    """The advance term has 600,000.00 outstanding; the invoice only 100,000.00: 100,000.01 against it is refused."""
    advance = terms_of(project)[0]
    invoice = an_invoice(kicked_off, advance, amount="100000")
    client.force_login(kicked_off["finance"])
    response = client.post(
        reverse("payments:receipt-add", args=[project.pk]),
        {
            "payment_term": advance.pk,
            "amount": "100000.01",
            "received_on": "2026-11-20",
            "reference": "",
            "invoice": invoice.pk,
        },
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "100,000.01 is more than the 100,000.00 still to collect on invoice INV-9 (100,000.00 invoiced)" in m
        for m in messages
    ), messages
    assert not Receipt.objects.exists()


def test_over_collection_adds_up_the_receipts_already_matched(kicked_off, project):
    advance = terms_of(project)[0]
    invoice = an_invoice(kicked_off, advance, amount="100000")
    record = dict(actor=kicked_off["finance"], payment_term=advance, received_on=date(2026, 11, 20), invoice=invoice)
    payments.receipt_record(amount=Decimal("60000"), **record)
    with pytest.raises(ValidationFailed) as refused:
        payments.receipt_record(amount=Decimal("40000.01"), **record)
    assert refused.value.code == "invoice_over_collected"
    assert "40,000.01 is more than the 40,000.00 still to collect on invoice INV-9" in refused.value.message
    payments.receipt_record(amount=Decimal("40000"), **record)  # exactly the balance is fine
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [Decimal("40000.00"), Decimal("60000.00")]


def test_an_invoice_of_another_term_is_refused(kicked_off, project):
    advance, second = terms_of(project)[:2]
    invoice = an_invoice(kicked_off, second)
    with pytest.raises(ValidationFailed) as refused:
        payments.receipt_record(
            actor=kicked_off["finance"],
            payment_term=advance,
            amount=Decimal("100"),
            received_on=date(2026, 11, 20),
            invoice=invoice,
        )
    assert "Invoice INV-9 was issued for another payment term" in refused.value.message
    assert not Receipt.objects.exists()


def test_invoice_api_shows_received_and_outstanding_and_refuses_over_collection(client_for, kicked_off, project):
    advance = terms_of(project)[0]
    invoice = an_invoice(kicked_off, advance, amount="300000")
    api = client_for(kicked_off["finance"])
    receipt = {"payment_term": advance.pk, "invoice": invoice.pk, "received_on": "2026-11-20"}
    created = api.post("/api/v1/receipts/", {**receipt, "amount": "250000.00"}, format="json")
    assert created.status_code == 201, created.content[:300]
    body = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["amount"], body["received"], body["outstanding"]) == ("300000.00", "250000.00", "50000.00")
    # the term still has 350,000.00 outstanding; the invoice only 50,000.00
    over = api.post("/api/v1/receipts/", {**receipt, "amount": "50000.01"}, format="json")
    assert over.status_code == 400
    assert over.json()["code"] == "invoice_over_collected"
    assert "still to collect on invoice INV-9" in over.json()["detail"]
    assert Receipt.objects.count() == 1


# --- terms that do not add up --------------------------------------------------------------------------------


def test_terms_short_of_the_whole_contract_show_a_warning(client, kicked_off, project):
    """The kickoff's terms split 95 % of the contract (30 + 30 + 35): 1,900,000.00 of 2,000,000.00."""
    assert [t.percent for t in terms_of(project)] == [Decimal("30.00"), Decimal("30.00"), Decimal("35.00")]
    client.force_login(kicked_off["pm"])
    page = tab(client, project)
    assert "The payment terms add up to 95 % of the contract (1,900,000.00 of 2,000,000.00), not 100 %" in page
    chinese = tab(client, project, "zh-hans")
    assert "付款条件合计为合同的 95 %（2,000,000.00 中的 1,900,000.00），不是 100 %" in chinese
    payments.payment_term_add(actor=kicked_off["pm"], project=project, name="质保金", percent=Decimal(5))
    assert "terms-percent-warning" not in tab(client, project)


def test_no_warning_before_any_term(client, kicked_off, project):
    project.payment_terms.all().delete()
    client.force_login(kicked_off["pm"])
    page = tab(client, project)
    assert "No payment terms yet." in page and "terms-percent-warning" not in page


def test_terms_of_100_percent_but_not_the_contract_amount_show_a_warning(client, kicked_off, project):
    """The terms are set on 2,000,000.00 (95 % + 5 %); the contract then becomes 2,100,000.00."""
    payments.payment_term_add(actor=kicked_off["pm"], project=project, name="质保金", percent=Decimal(5))
    client.force_login(kicked_off["pm"])
    assert "terms-amount-warning" not in tab(client, project)
    project.contract_amount = Decimal("2100000")
    project.save(update_fields=["contract_amount"])
    page = tab(client, project)
    assert "terms-percent-warning" not in page
    assert (
        "The payment terms split 100 % of the contract but add up to 2,000,000.00, not the contract amount of "
        "2,100,000.00" in page
    )
    chinese = tab(client, project, "zh-hans")
    assert "但金额合计为 2,000,000.00，而非合同金额 2,100,000.00" in chinese


def test_the_invoice_list_queries_do_not_grow(client_for, kicked_off, project, count_queries):
    advance = terms_of(project)[0]
    api = client_for(kicked_off["finance"])
    answers = []

    def listing():
        response = api.get(f"/api/v1/invoices/?project={project.pk}&page_size=100")
        answers.append(response.json())
        return response

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            invoice = an_invoice(kicked_off, advance, number=f"INV-{n}", amount="1000")
            payments.receipt_record(
                actor=kicked_off["finance"],
                payment_term=advance,
                amount=Decimal("400"),
                received_on=date(2026, 11, 20),
                invoice=invoice,
            )

    add(2, 0)
    few = count_queries(listing)
    add(8, 2)
    many = count_queries(listing)
    rows = answers[-1]["results"]
    assert len(rows) == 10 and {(r["received"], r["outstanding"]) for r in rows} == {("400.00", "600.00")}
    assert few == many


def test_without_a_budget_the_budget_margin_is_not_made_up(client, kicked_off, project):
    client.force_login(kicked_off["pm"])
    assert 'Margin (budget): <span class="text-muted">– (no budget yet)</span>' in tab(client, project)
    assert '毛利（预算）: <span class="text-muted">–（尚无预算）</span>' in tab(client, project, "zh-hans")
