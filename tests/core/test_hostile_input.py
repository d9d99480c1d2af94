"""Hostile input (issue 11, items 3 and 4): each request that used to answer 500 — or to save a row that then
broke every list — is now a 400 as JSON naming what is wrong, and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.bids.services import contract_terms_save, quotation_create
from backend.customers.models import Customer
from backend.knowledge.models import Article
from backend.milestones.models import Milestone
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import Expense, Project
from tests.factories import CustomerFactory, set_status

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"detail", "code"} and body["detail"]
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body.get("errors", {}), body
    return body


@pytest.fixture
def project(org):
    return services.project_create(
        actor=org["bidmgr"], name="智慧港口调度平台", customer=CustomerFactory(owner=org["bidmgr"]), estimated_amount=10
    )


# --- item 3: nothing is written that a list cannot read back ----------------------------------------------------


def test_the_largest_amount_the_column_takes_is_refused_and_the_lists_still_answer(client, client_for, org):
    customer = CustomerFactory(owner=org["bidmgr"])
    api = client_for(org["bidmgr"])
    body = {"name": "超大项目", "customer": customer.pk, "estimated_amount": "99999999999999.99"}
    assert_error(api.post("/api/v1/projects/", body, format="json"), 400, "out_of_range", "estimated_amount")
    assert not Project.objects.exists()
    # the largest allowed amount is stored and read back exactly, on every list
    body["estimated_amount"] = "999999999999.99"
    created = api.post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Project.objects.get().estimated_amount == Decimal("999999999999.99")
    listed = api.get("/api/v1/projects/").json()["results"]
    assert [p["estimated_amount"] for p in listed] == ["999999999999.99"]
    client.force_login(org["bidmgr"])
    for url in ("/", "/projects/", "/projects/board/"):
        response = client.get(url)
        assert response.status_code == 200 and b"login" not in response.request["PATH_INFO"].encode(), url


def test_negative_project_and_contract_amounts_are_refused(client_for, org, project):
    api = client_for(org["bidmgr"])
    response = api.patch(f"/api/v1/projects/{project.pk}/", {"estimated_amount": "-1.00"}, format="json")
    assert_error(response, 400, field="estimated_amount")
    response = api.post("/api/v1/contract-terms/", {"project": project.pk, "amount": "-5.00"}, format="json")
    assert_error(response, 400, field="amount")
    project.refresh_from_db()
    assert project.estimated_amount == Decimal("10.00") and not hasattr(project, "contract_terms")


def test_a_quotation_line_whose_total_overflows_is_refused(client_for, org, project):
    api = client_for(org["bidmgr"])
    line = {"description": "服务器", "quantity": "9999999999", "unit_price": "99999999", "unit_cost": "1"}
    response = api.post("/api/v1/quotations/", {"project": project.pk, "lines": [line]}, format="json")
    body = assert_error(response, 400, "out_of_range")
    assert "lines[0].quantity" in body["errors"]
    assert not project.quotations.exists()
    # lines that each fit but together exceed the bound are refused as a whole
    big = {**line, "quantity": "8000", "unit_price": "100000000"}
    response = api.post("/api/v1/quotations/", {"project": project.pk, "lines": [big, big]}, format="json")
    assert_error(response, 400, "out_of_range", "lines")
    assert api.get("/api/v1/quotations/").status_code == 200


def test_a_quotation_at_the_bound_reads_back_on_every_list(client_for, org, project):
    quotation_create(
        actor=org["bidmgr"],
        project=project,
        lines=[{"description": "a", "quantity": Decimal("1"), "unit_price": Decimal("800000000000"),
                "unit_cost": Decimal("1"), "tax_rate": Decimal("13")}],
    )  # fmt: skip
    body = client_for(org["bidmgr"]).get("/api/v1/quotations/").json()["results"]
    assert [(q["net"], q["gross"]) for q in body] == [("800000000000.00", "904000000000.00")]


# --- item 4: bad input is a 400, as JSON ------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400(client_for, org):
    response = client_for(org["bidmgr"]).generic(
        "POST", "/api/v1/projects/", "[" * 50_000, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")
    assert not Project.objects.exists()


def test_a_600_deep_markdown_list_is_no_error(client_for, org):
    # the renderer (cmark-gfm) is not recursive: deep nesting is just text, saved and shown
    body = "\n".join(" " * i + "- item" for i in range(600))
    api = client_for(org["bidmgr"])
    response = api.post("/api/v1/knowledge/articles/", {"title": "深", "body": body}, format="json")
    assert response.status_code == 201, response.content[:300]
    response = api.post("/api/v1/knowledge/articles/", {"title": "深二", "body": "- " * 600 + "x"}, format="json")
    assert response.status_code == 201
    assert Article.objects.count() == 2


@pytest.mark.parametrize("value", [5, True, "1,2", [True], [0], [2**64]])
def test_document_batch_project_ids_must_be_a_list_of_ids(client_for, org, value):
    response = client_for(org["bidmgr"]).post(
        "/api/v1/document-batches/", {"doc_type": "proposal", "project_ids": value}, format="json"
    )
    assert_error(response, 400, "invalid", "project_ids")


def test_an_article_shared_with_a_user_id_beyond_any_key_is_a_400(client_for, org):
    response = client_for(org["bidmgr"]).post(
        "/api/v1/knowledge/articles/",
        {"title": "共享", "body": "x", "visibility": "users", "users": [99999999999999999999]},
        format="json",
    )
    body = assert_error(response, 400, "invalid", "users")
    assert not Article.objects.exists()
    assert "users" in body["detail"]


def test_expense_dates_are_bounded(client_for, org, project):
    url = f"/api/v1/projects/{project.pk}/expenses/"
    api = client_for(org["bidmgr"])
    for day in ("9999-12-31", "1899-12-31"):
        body = {"category": "travel", "amount": "100.00", "spent_on": day}
        assert_error(api.post(url, body, format="json"), 400, "out_of_range", "spent_on")
    assert not Expense.objects.exists()
    body = {"category": "travel", "amount": "100.00", "spent_on": "2026-11-02"}
    assert api.post(url, body, format="json").status_code == 201


def test_tender_dates_in_year_514_are_refused(client_for, org):
    body = {"number": "ZB-514", "title": "古代招标", "buyer": "某局", "publish_date": "0514-03-01"}
    api = client_for(org["bidmgr"])
    assert_error(api.post("/api/v1/tenders/", body, format="json"), 400, "out_of_range", "publish_date")
    body = {**body, "publish_date": "2026-03-01", "bid_deadline": "0514-03-01T09:00:00+08:00"}
    assert_error(api.post("/api/v1/tenders/", body, format="json"), 400, field="bid_deadline")
    body["bid_deadline"] = "2026-03-21T09:00:00+08:00"
    created = api.post("/api/v1/tenders/", body, format="json")
    assert created.status_code == 201 and created.json()["bid_deadline"] == "2026-03-21T09:00:00+08:00"


def test_a_bid_deadline_before_the_publish_date_is_refused(client_for, org):
    api = client_for(org["bidmgr"])
    body = {
        "number": "ZB-1",
        "title": "倒序",
        "buyer": "某局",
        "publish_date": "2026-03-10",
        "bid_deadline": "2026-03-01T09:00:00+08:00",
    }
    assert_error(api.post("/api/v1/tenders/", body, format="json"), 400, "invalid", "bid_deadline")
    body.update(bid_deadline="2026-03-20T09:00:00+08:00", opening_date="2026-03-19T09:00:00+08:00")
    assert_error(api.post("/api/v1/tenders/", body, format="json"), 400, "invalid", "opening_date")
    body["opening_date"] = "2026-03-20T09:30:00+08:00"
    tender = api.post("/api/v1/tenders/", body, format="json").json()
    response = api.patch(f"/api/v1/tenders/{tender['id']}/", {"publish_date": "2026-04-01"}, format="json")
    assert_error(response, 400, "invalid", "bid_deadline")
    assert api.get(f"/api/v1/tenders/{tender['id']}/").json()["publish_date"] == "2026-03-10"


def test_an_accepted_milestone_of_a_closed_project_keeps_its_dates(client_for, org, make_user, project):
    pm = make_user("pm", "pm", department=org["department"])
    services.member_add(actor=org["bidmgr"], project=project, user=pm, role="pm")
    milestone = Milestone.objects.create(
        project=project, name="初验", planned_start=date(2026, 1, 5), planned_end=date(2026, 2, 5), status="accepted"
    )
    api = client_for(pm)
    response = api.patch(f"/api/v1/milestones/{milestone.pk}/", {"planned_end": "2027-02-05"}, format="json")
    assert_error(response, 409, "conflict")
    set_status(project, Status.CLOSED)
    response = api.patch(f"/api/v1/milestones/{milestone.pk}/", {"name": "改名"}, format="json")
    assert_error(response, 409, "conflict")
    milestone.refresh_from_db()
    assert (milestone.name, milestone.planned_end) == ("初验", date(2026, 2, 5))


def test_every_api_500_is_json(client_for, org, monkeypatch):
    from backend.customers.api import views

    def boom(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(views.CustomerViewSet, "list", boom)
    client = client_for(org["bidmgr"])
    client.raise_request_exception = False
    assert_error(client.get("/api/v1/customers/"), 500, "server_error")


def test_unknown_api_urls_answer_json(client_for, org):
    assert_error(client_for(org["bidmgr"]).get("/api/v1/no-such-thing/"), 404, "not_found")


def test_contract_terms_at_the_bound_are_kept(org, project):
    terms = contract_terms_save(actor=org["bidmgr"], project=project, amount=Decimal("999999999999.99"))
    terms.refresh_from_db()
    assert terms.amount == Decimal("999999999999.99")
    assert Customer.objects.count() == 1


def test_a_time_offset_postgresql_refuses_is_read_as_the_same_instant(client, client_for, org):
    """``+23:30`` parses in Python and PostgreSQL refuses any offset past ±15:59: filters, page forms and saves
    send the same instant in UTC; a year outside the stored range is a 400 naming the filter."""
    from datetime import UTC, datetime, timedelta, timezone

    from backend.customers.models import Interaction

    customer = CustomerFactory(owner=org["bidmgr"])
    far = timezone(timedelta(hours=23, minutes=30))
    Interaction.objects.create(
        customer=customer,
        kind="call",
        summary="电话沟通",
        author=org["bidmgr"],
        occurred_at=datetime(2026, 3, 2, 1, 30, tzinfo=far),
    )
    assert Interaction.objects.get().occurred_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    api = client_for(org["bidmgr"])
    url = "/api/v1/interactions/"
    assert [i["summary"] for i in api.get(url, {"after": "2026-03-02T01:30:00+23:30"}).json()["results"]] == [
        "电话沟通"
    ]
    assert api.get(url, {"after": "2026-03-02T01:31:00+23:30"}).json()["results"] == []
    assert_error(api.get(url, {"before": "0182-06-09T15:23:51.42+23:04"}), 400, field="before")
    client.force_login(org["bidmgr"])
    form = {
        "interaction-kind": "visit",
        "interaction-occurred_at": "2026-03-03T00:00:00+23:00",
        "interaction-summary": "上门拜访",
    }
    response = client.post(f"/customers/{customer.pk}/interactions/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Interaction.objects.get(summary="上门拜访")
    assert visit.occurred_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_form_with_more_fields_than_django_reads_is_a_400(client_for, org):
    from backend.docs_templates.models import DocumentBatch

    body = "&".join(f"project_ids={n}" for n in range(1500))
    response = client_for(org["bidmgr"]).generic(
        "POST", "/api/v1/document-batches/", body, content_type="application/x-www-form-urlencoded"
    )
    assert assert_error(response, 400, "too_many_fields")["detail"] == "The request has too many fields."
    assert not DocumentBatch.objects.exists()
