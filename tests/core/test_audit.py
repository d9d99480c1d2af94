"""Audit history (issue 11 item 10): every change of the audited records is recorded with who, when and
the field changes, and shown on the record's page and at ``/api/v1/<records>/{id}/history/``."""

import pytest
from django.urls import reverse
from django.utils import translation

from backend.bids import services as bid_services
from backend.customers.models import Customer
from backend.projects.models import Project
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_customer_changes_are_recorded_with_who_and_what(client_for, make_user):
    # given a salesperson 王芳 who creates a customer and then edits it through the API
    sales = make_user("wangfang", "bid_manager", first_name="芳", last_name="王")
    api = client_for(sales)
    created = api.post(
        "/api/v1/customers/", {"name": "华东电网有限公司", "industry": "energy", "region": "east"}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    changed = api.patch(f"/api/v1/customers/{pk}/", {"name": "国网华东电网有限公司", "region": "south"}, format="json")
    assert changed.status_code == 200, changed.json()

    # when the history is read
    body = api.get(f"/api/v1/customers/{pk}/history/").json()

    # then the change comes first, with the old and new values, then the creation
    assert body["count"] == 2
    change, creation = body["results"]
    assert (change["action"], change["user"], change["user_name"]) == ("changed", sales.pk, "王芳")
    assert {(c["field"], c["old"], c["new"]) for c in change["changes"]} == {
        ("name", "华东电网有限公司", "国网华东电网有限公司"),
        ("region", "East China", "South China"),
    }
    assert creation["action"] == "created" and creation["user_name"] == "王芳"
    assert ("name", "国网华东电网有限公司") not in {(c["field"], c["new"]) for c in creation["changes"]}
    assert {"field": "name", "label": "name", "old": "—", "new": "华东电网有限公司"} in creation["changes"]


def test_a_hidden_record_has_no_history_for_the_user_who_cannot_see_it(client_for, make_user):
    owner = make_user("owner1", "bid_manager", department=DepartmentFactory())
    other = make_user("other1", "bid_manager", department=DepartmentFactory())
    customer = CustomerFactory(owner=owner)
    response = client_for(other).get(f"/api/v1/customers/{customer.pk}/history/")
    assert response.status_code == 404
    assert "results" not in response.json() and response.json()["detail"]


def test_project_history_includes_its_quotations_with_constant_queries(client_for, org, count_queries):
    # given a project with a quotation whose lines are replaced twice
    bidmgr = org["bidmgr"]
    project = ProjectFactory(owner=bidmgr, department=org["department"])
    quotation = bid_services.quotation_create(
        actor=bidmgr,
        project=project,
        lines=[{"description": "服务器", "quantity": 2, "unit_price": "100000", "unit_cost": "80000"}],
    )
    bid_services.quotation_replace_lines(
        actor=bidmgr,
        quotation=quotation,
        lines=[{"description": "服务器", "quantity": 3, "unit_price": "100000", "unit_cost": "80000"}],
    )
    api = client_for(bidmgr)
    url = f"/api/v1/projects/{project.pk}/history/"

    # when the project's history is read
    first = api.get(url)
    body = first.json()

    # then it lists the quotation and its lines, newest first
    assert first.status_code == 200
    kinds = [(e["model"], e["action"]) for e in body["results"]]
    assert kinds.count(("quotation line", "created")) == 2
    assert kinds.count(("quotation line", "deleted")) == 1
    assert ("quotation", "created") in kinds and ("project", "created") in kinds
    assert kinds[0] == ("quotation line", "created")
    newest_line = body["results"][0]
    assert {(c["field"], c["new"]) for c in newest_line["changes"]} >= {("quantity", "3.00"), ("description", "服务器")}

    # and reading more history costs no more queries
    baseline = count_queries(lambda: api.get(url))
    for n in range(5):
        Project.objects.get(pk=project.pk).save()  # a save that changes nothing visible adds no entry
        project.refresh_from_db()
        project.name = f"数据中心项目 {n}"
        project.save()
        bid_services.quotation_replace_lines(
            actor=bidmgr,
            quotation=quotation,
            lines=[{"description": f"存储 {n}", "quantity": 1, "unit_price": "1", "unit_cost": "1"}],
        )
    assert count_queries(lambda: api.get(url)) == baseline
    after = api.get(url).json()
    assert after["count"] == body["count"] + 5 + 5 * 2  # 5 renames, 5 × (a line deleted, a line created)


def test_customer_page_shows_the_history_in_chinese(client, make_user):
    owner = make_user("li", "bid_manager", first_name="娜", last_name="李")
    customer = CustomerFactory(owner=owner, name="旧名称有限公司")
    customer.name = "新名称有限公司"
    customer._history_user = owner
    customer.save()
    client.force_login(owner)
    response = client.get(reverse("customers:detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response.templates[0].name == "customers/detail.html"
    html = response.content.decode()
    assert "变更记录" in html
    assert "旧名称有限公司" in html and "新名称有限公司" in html and "李娜" in html


def test_every_audited_model_records_its_history():
    with translation.override("en"):
        audited = {
            m._meta.label for m in __import__("django").apps.apps.get_models() if hasattr(m, "history")
            and not m._meta.label.split(".")[1].startswith("Historical")
        }  # fmt: skip
    assert {
        "customers.Customer", "customers.Contact", "projects.Project", "bids.Quotation", "bids.QuotationLine",
        "bids.ContractTerms", "milestones.Milestone", "knowledge.Article", "payments.PaymentTerm",
        "payments.Invoice", "payments.Receipt",
    } <= audited  # fmt: skip
    assert Customer.history.count() == 0


def test_payment_terms_show_in_the_project_history(client_for, org):
    from decimal import Decimal

    from backend.payments import services as payment_services

    bidmgr = org["bidmgr"]
    project = ProjectFactory(owner=bidmgr, department=org["department"], estimated_amount=2_000_000)
    payment_services.payment_term_add(actor=bidmgr, project=project, name="预付款", percent=Decimal(30))

    body = client_for(bidmgr).get(f"/api/v1/projects/{project.pk}/history/").json()

    term = next(e for e in body["results"] if e["model"] == "payment term")
    assert (term["action"], term["record"]) == ("created", "预付款")
    assert {(c["field"], c["new"]) for c in term["changes"]} >= {("percent", "30.00"), ("amount", "600,000.00")}
