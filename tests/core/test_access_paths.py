"""Access holds on every path (issue 11, item 7): a tender cannot be used to reach a customer its author
may not see, a duplicate refusal names only what the user may see, and filters do not tell a hidden id
from a missing one."""

from __future__ import annotations

import pytest

from backend.customers.models import Customer
from backend.projects.models import Project
from backend.tenders.models import Tender
from backend.tenders.services import tender_create
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(org):
    """A customer of the outsider, with a contact: the sales department's bid manager cannot see it."""
    customer = CustomerFactory(name="隐秘客户有限公司", owner=org["outsider"])
    ContactFactory(customer=customer, name="王秘密")
    return customer


def test_a_tender_cannot_name_a_hidden_customer(client_for, org, hidden):
    api = client_for(org["bidmgr"])
    body = {"number": "ZB-11", "title": "越权", "buyer": "某局", "customer": hidden.pk}
    refused = api.post("/api/v1/tenders/", body, format="json")
    missing = api.post("/api/v1/tenders/", {**body, "customer": 99_999_999}, format="json")
    assert refused.status_code == missing.status_code == 400
    assert refused.json()["errors"]["customer"] == [f'Invalid pk "{hidden.pk}" - object does not exist.']
    assert missing.json()["errors"]["customer"] == ['Invalid pk "99999999" - object does not exist.']
    assert not Tender.objects.exists()
    # the service refuses it too, whoever calls it
    from backend.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        tender_create(actor=org["bidmgr"], number="ZB-12", title="x", buyer="y", customer=hidden)
    assert api.get(f"/api/v1/customers/{hidden.pk}/").status_code == 404


def test_opening_a_project_from_a_tender_with_a_hidden_customer_is_refused(client_for, org, hidden):
    tender = tender_create(actor=org["outsider"], number="ZB-13", title="外部招标", buyer="某局", customer=hidden)
    api = client_for(org["bidmgr"])
    response = api.post(f"/api/v1/tenders/{tender.pk}/create-project/", {}, format="json")
    assert response.status_code == 403, response.json()
    assert hidden.name not in response.json()["detail"]
    assert not Project.objects.exists()
    assert api.get(f"/api/v1/customers/{hidden.pk}/").status_code == 404
    assert api.get(f"/api/v1/contacts/?customer={hidden.pk}").json()["count"] == 0


def test_a_buyer_named_like_a_hidden_customer_does_not_attach_it(client_for, org, hidden):
    api = client_for(org["bidmgr"])
    tender = api.post(
        "/api/v1/tenders/", {"number": "ZB-14", "title": "同名", "buyer": "隐秘客户 有限公司"}, format="json"
    ).json()
    response = api.post(f"/api/v1/tenders/{tender['id']}/create-project/", {}, format="json")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert str(org["outsider"]) not in detail and str(hidden.pk) not in detail
    assert Tender.objects.get(pk=tender["id"]).customer_id is None
    assert list(Customer.objects.values_list("name", flat=True)) == ["隐秘客户有限公司"]
    assert not Project.objects.exists()


def test_opening_a_project_for_a_visible_customer_still_works(client_for, org):
    mine = CustomerFactory(name="可见客户", owner=org["bidmgr"])
    api = client_for(org["bidmgr"])
    body = {"number": "ZB-15", "title": "正常", "buyer": "可见客户", "customer": mine.pk}
    tender = api.post("/api/v1/tenders/", body, format="json").json()
    response = api.post(f"/api/v1/tenders/{tender['id']}/create-project/", {}, format="json")
    assert response.status_code == 201
    assert Project.objects.get().customer_id == mine.pk


def test_the_duplicate_refusal_names_only_a_customer_the_user_may_see(client_for, org, hidden):
    api = client_for(org["bidmgr"])
    response = api.post("/api/v1/customers/", {"name": "隐秘客户（有限公司）"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "duplicate_customer" and "name" in body["errors"]
    text = str(body)
    assert hidden.name not in text and str(org["outsider"]) not in text and "existing_customer" not in body
    assert "not visible to you" in body["detail"] and "department head" in body["detail"]
    response = api.post("/api/v1/customers/", {"name": "X", "credit_code": hidden.credit_code}, format="json")
    body = response.json()
    assert body["code"] == "duplicate_customer" and hidden.name not in str(body) and "existing_customer" not in body
    # a director sees it, so is told which customer it is
    body = client_for(org["director"]).post("/api/v1/customers/", {"name": "隐秘客户有限公司"}, format="json").json()
    assert hidden.name in body["detail"] and body["existing_customer"] == hidden.pk
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("url", ["/api/v1/projects/", "/api/v1/tenders/", "/api/v1/contacts/", "/api/v1/interactions/"])
def test_filters_do_not_tell_a_hidden_id_from_a_missing_one(client_for, org, hidden, url):
    api = client_for(org["bidmgr"])
    on_hidden = api.get(f"{url}?customer={hidden.pk}")
    on_missing = api.get(f"{url}?customer=99999999")
    assert on_hidden.status_code == on_missing.status_code == 200
    assert on_hidden.json() == on_missing.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert api.get(f"{url}?customer=abc").status_code == 400
