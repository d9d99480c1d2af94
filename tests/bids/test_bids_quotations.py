"""Bids & quotations: the services (totals and margin in SQL, the quotation-margin gate, bond dates, opening
records) and the project page's bids tab (backend.bids.views), its POST actions and its query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from backend.bids import services
from backend.bids.models import Bid, BidOpeningEntry, ContractTerms, Quotation, QuotationLine
from backend.bids.selectors import quotation_lines_with_amounts, quotation_totals, with_totals
from backend.core.errors import Conflict, ValidationFailed
from backend.projects.models import Competitor, ProjectCompetitor
from tests.factories import ProjectFactory
from workflows.models import Review
from workflows.services import review_decide

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def line(description="Server", quantity="1", unit_price="100", unit_cost="70", discount="0", tax_rate="13", unit=""):
    return {
        "description": description,
        "unit": unit,
        "quantity": Decimal(quantity),
        "unit_price": Decimal(unit_price),
        "unit_cost": Decimal(unit_cost),
        "discount": Decimal(discount),
        "tax_rate": Decimal(tax_rate),
    }


@pytest.fixture
def project(org):
    return ProjectFactory(owner=org["bidmgr"], department=org["department"], estimated_amount=2_000_000)


@pytest.fixture
def rivals(project):
    huawei = Competitor.objects.create(name="华为 Huawei")
    h3c = Competitor.objects.create(name="新华三 H3C")
    for competitor in (huawei, h3c):
        ProjectCompetitor.objects.create(project=project, competitor=competitor)
    return huawei, h3c


def quotation(project, actor, *, margin: int = 30, lines: int = 1) -> Quotation:
    """A draft whose every line has the given margin (unit price 100, unit cost 100 - margin)."""
    return services.quotation_create(
        actor=actor,
        project=project,
        lines=[line(f"Item {i}", unit_cost=str(100 - margin)) for i in range(lines)],
    )


# --- services: quotation totals and the margin gate --------------------------------------------------------


def test_totals_and_margin_are_computed_in_sql(project, org):
    # given four lines with quantities, discounts and tax rates (the last one whole numbers at 5 % off)
    q = services.quotation_create(
        actor=org["bidmgr"],
        project=project,
        lines=[
            line("Storage array", "2", "1000", "700", discount="5", tax_rate="13"),
            line("Installation", "1.5", "200", "120", discount="0", tax_rate="6"),
            line("Licences", "10", "33.33", "20", discount="10", tax_rate="0"),
            line("Cables", "3", "10", "7", discount="5", tax_rate="10"),
        ],
    )
    # then the quotation's totals come from one SQL query, exact to the cent
    assert quotation_totals(quotation_id=q.pk) == {
        "net": Decimal("2528.47"),
        "cost": Decimal("1801.00"),
        "tax": Decimal("267.85"),
        "gross": Decimal("2796.32"),
        "margin_pct": Decimal("28.77"),
    }
    annotated = with_totals(Quotation.objects.filter(pk=q.pk)).get()
    assert annotated.net.quantize(CENT) == Decimal("2528.47")
    assert annotated.margin_pct.quantize(CENT) == Decimal("28.77")
    # and each line's amounts too (3 x 10.00 at 5 % off is 28.50: no integer division)
    amounts = [
        (row.net.quantize(CENT), row.cost.quantize(CENT), row.tax.quantize(CENT))
        for row in quotation_lines_with_amounts(quotation=q)
    ]
    assert amounts == [
        (Decimal("1900.00"), Decimal("1400.00"), Decimal("247.00")),
        (Decimal("300.00"), Decimal("180.00"), Decimal("18.00")),
        (Decimal("299.97"), Decimal("200.00"), Decimal("0.00")),
        (Decimal("28.50"), Decimal("21.00"), Decimal("2.85")),
    ]


def test_a_third_margin_is_not_truncated(project, org):
    q = services.quotation_create(actor=org["bidmgr"], project=project, lines=[line("X", "1", "3", "2", tax_rate="0")])
    assert quotation_totals(quotation_id=q.pk)["margin_pct"] == Decimal("33.33")


def test_margin_above_the_threshold_is_approved_at_once(project, org):
    q = quotation(project, org["bidmgr"], margin=30)
    q = services.quotation_submit(actor=org["bidmgr"], quotation=q)
    assert q.status == "approved"
    assert not Review.objects.filter(quotation=q).exists()


def test_margin_at_the_threshold_is_approved_at_once(project, org):
    q = quotation(project, org["bidmgr"], margin=15)
    assert services.quotation_submit(actor=org["bidmgr"], quotation=q).status == "approved"


def test_margin_below_the_threshold_opens_the_margin_gate(project, org):
    q = quotation(project, org["bidmgr"], margin=10)
    q = services.quotation_submit(actor=org["bidmgr"], quotation=q, comment="战略客户 strategic account")
    assert q.status == "pending_approval"
    review = Review.objects.get(quotation=q)
    assert (review.gate.kind, review.status, review.project) == ("quotation_margin", "pending", project)
    assert review.amount == Decimal("100.00")
    assert org["director"] in review.steps.get(status="active").approvers.all()


@pytest.mark.parametrize(
    ("decision", "comment", "status"),
    [("approve", "", "approved"), ("return", "降低成本 cut the cost", "draft"), ("reject", "太低 too low", "rejected")],
)
def test_the_director_decides_a_low_margin_quotation(project, org, decision, comment, status):
    q = services.quotation_submit(actor=org["bidmgr"], quotation=quotation(project, org["bidmgr"], margin=5))
    review = Review.objects.get(quotation=q)
    review_decide(review_id=review.pk, actor=org["director"], decision=decision, comment=comment)
    q.refresh_from_db()
    review.refresh_from_db()
    assert q.status == status
    assert review.status == {"approve": "approved", "return": "returned", "reject": "rejected"}[decision]


def test_a_returned_quotation_can_be_changed_and_resubmitted(project, org):
    q = services.quotation_submit(actor=org["bidmgr"], quotation=quotation(project, org["bidmgr"], margin=5))
    review_decide(review_id=Review.objects.get(quotation=q).pk, actor=org["director"], decision="return", comment="x")
    services.quotation_replace_lines(actor=org["bidmgr"], quotation=q, lines=[line(unit_cost="60")])
    assert services.quotation_submit(actor=org["bidmgr"], quotation=q).status == "approved"


def test_quotation_line_errors_name_the_line(project, org):
    with pytest.raises(ValidationFailed) as err:
        services.quotation_create(
            actor=org["bidmgr"], project=project, lines=[line("Good"), line("Bad", quantity="0"), line("Fine")]
        )
    assert str(err.value).startswith("Line 2:") and "quantity" in str(err.value)
    assert "lines[1].quantity" in err.value.fields
    assert not Quotation.objects.exists() and not QuotationLine.objects.exists()


def test_a_quotation_needs_a_line(project, org):
    with pytest.raises(ValidationFailed):
        services.quotation_create(actor=org["bidmgr"], project=project, lines=[])
    assert not Quotation.objects.exists()


def test_only_a_draft_can_change(project, org):
    q = services.quotation_submit(actor=org["bidmgr"], quotation=quotation(project, org["bidmgr"], margin=30))
    with pytest.raises(Conflict) as err:
        services.quotation_replace_lines(actor=org["bidmgr"], quotation=q, lines=[line(unit_cost="1")])
    assert "only a draft" in str(err.value)
    with pytest.raises(Conflict):
        services.quotation_submit(actor=org["bidmgr"], quotation=q)
    assert list(q.lines.values_list("unit_cost", flat=True)) == [Decimal("70.00")]


# --- services: bids ----------------------------------------------------------------------------------------


def test_a_bond_cannot_be_refunded_before_it_is_paid(project, org):
    with pytest.raises(ValidationFailed):
        services.bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000, bond_refunded_on="2026-03-01")
    assert not Bid.objects.exists()
    bid = services.bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000)
    with pytest.raises(ValidationFailed):
        services.bid_update(actor=org["bidmgr"], bid=bid, data={"bond_refunded_on": "2026-03-01"})
    from datetime import date

    services.bid_update(actor=org["bidmgr"], bid=bid, data={"bond_paid_on": date(2026, 3, 10)})
    with pytest.raises(ValidationFailed) as err:
        services.bid_update(actor=org["bidmgr"], bid=bid, data={"bond_refunded_on": date(2026, 3, 1)})
    assert "before the payment" in str(err.value)
    bid.refresh_from_db()
    assert (bid.bond_paid_on, bid.bond_refunded_on) == (date(2026, 3, 10), None)


def test_rounds_are_numbered_in_order(project, org):
    first = services.bid_create(actor=org["bidmgr"], project=project)
    second = services.bid_create(actor=org["bidmgr"], project=project)
    assert (first.round, second.round) == (1, 2)


def test_opening_record_ranks_by_price_and_sets_our_price(project, org, rivals):
    huawei, h3c = rivals
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    services.bid_opening_record(
        actor=org["bidmgr"],
        bid=bid,
        entries=[
            {"competitor": huawei, "price": Decimal("1200000")},
            {"is_us": True, "price": Decimal("1000000")},
            {"competitor": h3c, "price": Decimal("900000")},
        ],
    )
    ranked = [(e.rank, e.is_us, e.competitor) for e in bid.opening.order_by("rank")]
    assert ranked == [(1, False, h3c), (2, True, None), (3, False, huawei)]
    bid.refresh_from_db()
    assert bid.our_price == Decimal("1000000.00")


def test_opening_record_refuses_a_competitor_twice(project, org, rivals):
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    with pytest.raises(ValidationFailed):
        services.bid_opening_record(
            actor=org["bidmgr"],
            bid=bid,
            entries=[{"competitor": rivals[0], "price": 1}, {"competitor": rivals[0], "price": 2}],
        )
    assert not BidOpeningEntry.objects.exists()


# --- the tab page ------------------------------------------------------------------------------------------


def tab_url(project):
    return reverse("projects:detail", args=[project.pk]) + "?tab=bids"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def browser(client, org):
    client.force_login(org["bidmgr"])
    return client


def test_tab_page_shows_rounds_openings_quotations_and_terms(browser, project, org, rivals):
    bid = services.bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000, bond_paid_on="2026-03-01")
    services.bid_opening_record(
        actor=org["bidmgr"],
        bid=bid,
        entries=[{"competitor": rivals[0], "price": 1_200_000}, {"is_us": True, "price": 1_100_000}],
    )
    quotation(project, org["bidmgr"], margin=30)
    quotation(project, org["bidmgr"], margin=8, lines=2)
    services.contract_terms_save(actor=org["bidmgr"], project=project, amount=1_100_000, warranty_months=36)
    response = browser.get(reverse("bids:project", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Round 1" in page and "Paid, not refunded" in page and "华为 Huawei" in page
    assert 'class="table-primary fw-semibold our-bid"' in page
    assert "v2" in page and "v1" in page and "8.00 %" in page and "30.00 %" in page
    assert page.count("margin-warning") == 1  # only v2 is under the 15 % threshold
    assert "Lines of the latest version (v2)" in page and "Item 1" in page
    assert "1,100,000.00" in page and "36 months" in page
    assert "Add a bid round" in page and "New quotation version" in page  # the editor sees the forms
    assert "Edit the lines of draft v2" in page


def test_tab_page_in_chinese(browser, project, org):
    quotation(project, org["bidmgr"])
    response = browser.get(reverse("bids:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200  # not a redirect to the login page
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and project.code in page
    assert "投标轮次" in page and "新增投标轮次" in page and "新建报价版本" in page
    assert "Item 0" in page and "30.00 %" in page  # the quotation's line and margin
    assert "Bid rounds" not in page and "Add a bid round" not in page and "New quotation version" not in page


def test_tab_context_for_the_project_page(rf, project, org):
    from backend.bids.views import project_bids_context

    quotation(project, org["bidmgr"], margin=10)
    request = rf.get("/")
    request.user = org["exec"]
    context = project_bids_context(request, project)
    assert context["can_edit"] is False and "bid_form" not in context
    assert context["margin_threshold"] == Decimal(15)
    assert context["latest_quotation"].margin_pct.quantize(CENT) == Decimal("10.00")
    assert context["latest_quotation"].margin_ok is False
    assert [line.net.quantize(CENT) for line in context["latest_lines"]] == [Decimal("100.00")]


def test_a_reader_sees_no_forms_and_cannot_post(client, project, org):
    client.force_login(org["exec"])  # sees every project, edits none
    page = client.get(reverse("bids:project", args=[project.pk])).content.decode()
    assert "Add a bid round" not in page and "New quotation version" not in page
    response = client.post(reverse("bids:bid-add", args=[project.pk]), {})
    assert response.status_code == 302
    assert any("may not change" in t for t in texts(response))
    assert not Bid.objects.exists()


def test_outsider_gets_404(client, project, org):
    client.force_login(org["outsider"])
    assert client.get(reverse("bids:project", args=[project.pk])).status_code == 404
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    q = quotation(project, org["bidmgr"])
    for url in (
        reverse("bids:bid-add", args=[project.pk]),
        reverse("bids:bid-update", args=[project.pk, bid.pk]),
        reverse("bids:opening-record", args=[project.pk, bid.pk]),
        reverse("bids:quotation-add", args=[project.pk]),
        reverse("bids:quotation-copy", args=[project.pk]),
        reverse("bids:quotation-lines", args=[project.pk, q.pk]),
        reverse("bids:quotation-submit", args=[project.pk, q.pk]),
        reverse("bids:contract-terms", args=[project.pk]),
    ):
        assert client.post(url, {}).status_code == 404, url
    assert Quotation.objects.get().status == "draft" and Bid.objects.count() == 1


def test_an_object_of_another_project_is_404(browser, project, org):
    other = ProjectFactory(owner=org["bidmgr"])
    bid = services.bid_create(actor=org["bidmgr"], project=other)
    response = browser.post(reverse("bids:bid-update", args=[project.pk, bid.pk]), {})
    assert response.status_code == 404


def test_login_required(client, project):
    response = client.get(reverse("bids:project", args=[project.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- POST: bid rounds --------------------------------------------------------------------------------------


def test_add_a_bid_round(browser, project):
    response = browser.post(
        reverse("bids:bid-add", args=[project.pk]),
        {"bid-submitted_on": "2026-03-01", "bid-bond_amount": "50000", "bid-bond_paid_on": "2026-02-20"},
    )
    assert response.status_code == 302 and response["Location"] == tab_url(project)
    bid = Bid.objects.get()
    assert (bid.round, bid.bond_amount, str(bid.bond_paid_on)) == (1, Decimal("50000.00"), "2026-02-20")
    assert texts(response) == ["Bid round 1 added."]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"bid-bond_amount": "50000", "bid-bond_refunded_on": "2026-03-01"}, "cannot be refunded before it is paid"),
        ({"bid-bond_amount": "lots"}, "Enter a number"),
        ({"bid-submitted_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_a_bad_bid_round_is_refused_without_writing(browser, project, data, expected):
    response = browser.post(reverse("bids:bid-add", args=[project.pk]), data)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not Bid.objects.exists()


def test_update_a_bid_round(browser, project, org):
    bid = services.bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000, bond_paid_on="2026-02-20")
    prefix = f"bid-{bid.pk}"
    response = browser.post(
        reverse("bids:bid-update", args=[project.pk, bid.pk]),
        {
            f"{prefix}-bond_amount": "50000",
            f"{prefix}-bond_paid_on": "2026-02-20",
            f"{prefix}-bond_refunded_on": "2026-04-01",
            f"{prefix}-our_price": "1100000",
            f"{prefix}-result": "awarded",
        },
    )
    assert response.status_code == 302 and texts(response) == ["Bid round 1 saved."]
    bid.refresh_from_db()
    assert (str(bid.bond_refunded_on), bid.result, bid.our_price) == ("2026-04-01", "awarded", Decimal("1100000.00"))


def test_a_refund_before_payment_is_refused_on_update(browser, project, org):
    bid = services.bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000, bond_paid_on="2026-02-20")
    prefix = f"bid-{bid.pk}"
    response = browser.post(
        reverse("bids:bid-update", args=[project.pk, bid.pk]),
        {
            f"{prefix}-bond_paid_on": "2026-02-20",
            f"{prefix}-bond_refunded_on": "2026-02-01",
            f"{prefix}-result": "lost",
        },
    )
    assert response.status_code == 302
    assert any("before the payment date" in t for t in texts(response)), texts(response)
    bid.refresh_from_db()
    assert (bid.bond_refunded_on, bid.result) == (None, "pending")
    bad = browser.post(reverse("bids:bid-update", args=[project.pk, bid.pk]), {f"{prefix}-result": "astrology"})
    assert bad.status_code == 302 and any("valid choice" in t for t in texts(bad))


def opening_data(bid, rows, initial=0):
    prefix = f"opening-{bid.pk}"
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (bidder, price, rank) in enumerate(rows):
        data |= {f"{prefix}-{i}-bidder": bidder, f"{prefix}-{i}-price": price, f"{prefix}-{i}-rank": rank}
    return data


def test_record_the_opening(browser, project, org, rivals):
    huawei, h3c = rivals
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    rows = [("us", "1000000", ""), (str(huawei.pk), "1200000", ""), (str(h3c.pk), "900000", ""), ("", "", "")]
    response = browser.post(reverse("bids:opening-record", args=[project.pk, bid.pk]), opening_data(bid, rows, 3))
    assert response.status_code == 302
    assert texts(response) == ["Opening record of round 1 saved: 3 bidders, we ranked 2."]
    assert [(e.rank, e.is_us) for e in bid.opening.order_by("rank")] == [(1, False), (2, True), (3, False)]
    bid.refresh_from_db()
    assert bid.our_price == Decimal("1000000.00")
    page = browser.get(reverse("bids:project", args=[project.pk])).content.decode()
    assert page.index("新华三 H3C") < page.index("华为 Huawei")  # ranked in the opening table


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("us", "1", ""), ("us", "2", "")], "Only one line can be our own bid"),
        ([("", "100", "")], "Choose the bidder"),
        ([("99999", "100", "")], "valid choice"),
        ([("us", "cheap", "")], "Enter a number"),
        ([("", "", "")], "at least one bidder"),
    ],
)
def test_a_bad_opening_record_is_refused_without_writing(browser, project, org, rows, expected):
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    response = browser.post(reverse("bids:opening-record", args=[project.pk, bid.pk]), opening_data(bid, rows))
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not BidOpeningEntry.objects.exists()


def test_an_opening_without_management_form_is_refused(browser, project, org):
    bid = services.bid_create(actor=org["bidmgr"], project=project)
    response = browser.post(reverse("bids:opening-record", args=[project.pk, bid.pk]), {"x": "1"})
    assert response.status_code == 302 and texts(response)
    assert not BidOpeningEntry.objects.exists()


# --- POST: quotations --------------------------------------------------------------------------------------


def lines_data(prefix, rows, initial=0, deleted=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{k}": str(v) for k, v in row.items()}
        if i in deleted:
            data[f"{prefix}-{i}-DELETE"] = "on"
    return data


BLANK_LINE = {
    "description": "",
    "unit": "",
    "quantity": "",
    "unit_price": "",
    "unit_cost": "",
    "discount": "0",
    "tax_rate": "13",
}


def test_create_a_quotation_version(browser, project):
    rows = [
        {
            **BLANK_LINE,
            "description": "Server",
            "unit": "台",
            "quantity": "2",
            "unit_price": "50000",
            "unit_cost": "40000",
        },
        BLANK_LINE,
        {
            **BLANK_LINE,
            "description": "Service",
            "quantity": "1",
            "unit_price": "20000",
            "unit_cost": "5000",
            "discount": "10",
        },
        BLANK_LINE,
    ]
    data = {"quotation-title": "投标报价 Bid price", "quotation-valid_until": "2026-06-30"} | lines_data("lines", rows)
    response = browser.post(reverse("bids:quotation-add", args=[project.pk]), data)
    assert response.status_code == 302 and texts(response) == ["Quotation v1 created as a draft."]
    q = Quotation.objects.get()
    assert (q.version, q.status, q.title, q.currency) == (1, "draft", "投标报价 Bid price", "CNY")
    assert list(q.lines.values_list("position", "description", "unit")) == [(1, "Server", "台"), (2, "Service", "")]
    assert quotation_totals(quotation_id=q.pk)["net"] == Decimal("118000.00")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"quantity": "0"}, "Line 1: quantity"),
        ({"discount": "120"}, "Line 1: discount"),
        ({"unit_price": "abc"}, "Line 1: Unit price: Enter a number"),
        ({"description": ""}, "Line 1: Description: This field is required"),
    ],
)
def test_a_bad_quotation_is_refused_without_writing(browser, project, row, expected):
    good = {**BLANK_LINE, "description": "Server", "quantity": "1", "unit_price": "100", "unit_cost": "70"}
    response = browser.post(reverse("bids:quotation-add", args=[project.pk]), lines_data("lines", [good | row]))
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not Quotation.objects.exists() and not QuotationLine.objects.exists()


def test_a_quotation_without_lines_is_refused(browser, project):
    response = browser.post(reverse("bids:quotation-add", args=[project.pk]), lines_data("lines", [BLANK_LINE]))
    assert any("at least one line" in t for t in texts(response))
    assert not Quotation.objects.exists()


def test_copy_the_latest_version_into_a_new_draft(browser, project, org):
    first = quotation(project, org["bidmgr"], margin=10, lines=2)
    services.quotation_submit(actor=org["bidmgr"], quotation=first)
    response = browser.post(reverse("bids:quotation-copy", args=[project.pk]))
    assert response.status_code == 302 and texts(response) == ["Quotation v2 created as a draft copy of v1."]
    copy = Quotation.objects.get(version=2)
    assert copy.status == "draft"
    fields = ("description", "quantity", "unit_price", "unit_cost", "discount", "tax_rate")
    assert list(copy.lines.values_list(*fields)) == list(first.lines.values_list(*fields))


def test_copy_with_nothing_to_copy(browser, project):
    response = browser.post(reverse("bids:quotation-copy", args=[project.pk]))
    assert response.status_code == 302 and texts(response) == ["There is no quotation to copy yet."]
    assert not Quotation.objects.exists()


def test_edit_the_lines_of_a_draft(browser, project, org):
    q = quotation(project, org["bidmgr"], margin=10, lines=2)
    rows = [
        {**BLANK_LINE, "description": "Item 0", "quantity": "1", "unit_price": "100", "unit_cost": "60"},
        {**BLANK_LINE, "description": "Item 1", "quantity": "1", "unit_price": "100", "unit_cost": "90"},
        {**BLANK_LINE, "description": "Extra", "quantity": "3", "unit_price": "10", "unit_cost": "5"},
    ]
    data = lines_data("edit-lines", rows, initial=2, deleted=(1,))
    response = browser.post(reverse("bids:quotation-lines", args=[project.pk, q.pk]), data)
    assert response.status_code == 302 and texts(response) == ["The lines of quotation v1 were saved."]
    assert list(q.lines.values_list("description", "unit_cost")) == [("Item 0", Decimal("60")), ("Extra", Decimal("5"))]


def test_lines_of_a_submitted_quotation_cannot_be_edited(browser, project, org):
    q = services.quotation_submit(actor=org["bidmgr"], quotation=quotation(project, org["bidmgr"], margin=30))
    rows = [{**BLANK_LINE, "description": "Cheaper", "quantity": "1", "unit_price": "100", "unit_cost": "1"}]
    response = browser.post(
        reverse("bids:quotation-lines", args=[project.pk, q.pk]), lines_data("edit-lines", rows, initial=1)
    )
    assert response.status_code == 302 and any("only a draft can be changed" in t for t in texts(response))
    assert list(q.lines.values_list("unit_cost", flat=True)) == [Decimal("70.00")]


def test_submit_approved_at_once(browser, project, org):
    q = quotation(project, org["bidmgr"], margin=30)
    response = browser.post(reverse("bids:quotation-submit", args=[project.pk, q.pk]), {"comment": ""})
    assert response.status_code == 302
    assert texts(response) == ["Quotation v1 approved at once: its margin of 30.00% meets the 15.00% threshold."]
    q.refresh_from_db()
    assert q.status == "approved" and not Review.objects.exists()


def test_submit_sent_to_the_margin_gate(browser, project, org):
    q = quotation(project, org["bidmgr"], margin=10)
    response = browser.post(reverse("bids:quotation-submit", args=[project.pk, q.pk]), {"comment": "strategic"})
    assert texts(response) == [
        "Quotation v1 has a margin of 10.00%, under the 15.00% threshold: "
        "it was sent to the quotation margin gate for approval."
    ]
    q.refresh_from_db()
    review = Review.objects.get()
    assert q.status == "pending_approval" and review.quotation == q and review.comment == "strategic"
    page = browser.get(reverse("bids:project", args=[project.pk])).content.decode()
    assert f'href="/reviews/{review.pk}/"' in page and "Pending approval" in page


def test_submitting_twice_is_refused(browser, project, org):
    q = services.quotation_submit(actor=org["bidmgr"], quotation=quotation(project, org["bidmgr"], margin=10))
    response = browser.post(reverse("bids:quotation-submit", args=[project.pk, q.pk]))
    assert response.status_code == 302 and any("already Pending approval" in t for t in texts(response))
    assert Review.objects.count() == 1


# --- POST: contract terms ----------------------------------------------------------------------------------


def test_save_the_contract_terms(browser, project):
    url = reverse("bids:contract-terms", args=[project.pk])
    data = {"terms-amount": "1100000", "terms-payment_terms": "30/60/10", "terms-warranty_months": "36"}
    response = browser.post(url, data)
    assert response.status_code == 302 and texts(response) == ["Contract terms saved."]
    response = browser.post(url, data | {"terms-amount": "1050000", "terms-delivery_date": "2026-09-30"})
    terms = ContractTerms.objects.get()
    assert (terms.amount, str(terms.delivery_date), terms.warranty_months) == (Decimal("1050000.00"), "2026-09-30", 36)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"terms-warranty_months": "12"}, "Contract amount: This field is required"),
        ({"terms-amount": "-", "terms-warranty_months": "12"}, "Enter a number"),
        ({"terms-amount": "100", "terms-warranty_months": "-3"}, "greater than or equal to 0"),
    ],
)
def test_bad_contract_terms_are_refused_without_writing(browser, project, data, expected):
    response = browser.post(reverse("bids:contract-terms", args=[project.pk]), data)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not ContractTerms.objects.exists()


def test_the_standalone_page_brings_the_user_back_with_the_message(browser, project):
    page_url = reverse("bids:project", args=[project.pk])
    response = browser.post(
        reverse("bids:bid-add", args=[project.pk]),
        {"next": page_url, "bid-bond_amount": "1", "bid-bond_refunded_on": "2026-01-01"},
        follow=True,
    )
    assert response.redirect_chain == [(page_url, 302)]
    assert "A bond cannot be refunded before it is paid." in response.content.decode()
    unsafe = browser.post(reverse("bids:bid-add", args=[project.pk]), {"next": "https://evil.example/"})
    assert unsafe["Location"] == tab_url(project)


def test_get_is_not_allowed_on_actions(browser, project):
    assert browser.get(reverse("bids:bid-add", args=[project.pk])).status_code == 405


# --- queries -----------------------------------------------------------------------------------------------


def test_tab_queries_do_not_grow_with_bids_and_quotations(browser, project, org, rivals, count_queries):
    url = reverse("bids:project", args=[project.pk])

    def fill(n):
        for i in range(n):
            bid = services.bid_create(actor=org["bidmgr"], project=project, bond_amount=10_000)
            services.bid_opening_record(
                actor=org["bidmgr"],
                bid=bid,
                entries=[
                    {"is_us": True, "price": 100 + i},
                    {"competitor": rivals[0], "price": 90 + i},
                    {"competitor": rivals[1], "price": 110 + i},
                ],
            )
            q = quotation(project, org["bidmgr"], margin=10 if i % 2 else 30, lines=3 + i)
            services.quotation_submit(actor=org["bidmgr"], quotation=q)
        quotation(project, org["bidmgr"], margin=20, lines=3)  # the latest is a draft: its edit form shows

    fill(2)
    assert browser.get(url).status_code == 200
    two = count_queries(lambda: browser.get(url))
    fill(8)
    ten = count_queries(lambda: browser.get(url))
    assert Bid.objects.count() == 10 and Quotation.objects.count() == 12
    assert two == ten
