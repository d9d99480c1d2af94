"""The customer, contact and interaction API: auth, errors, visibility, filtering, query counts."""

import re

import pytest

from backend.customers.models import Contact, Customer, Interaction
from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_with_the_error_format(api_client):
    response = api_client.get("/api/v1/customers/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_token_auth_round_trip(api_client, make_user):
    make_user("tokenuser", "bid_manager", password="s3cret-pass")
    bad = api_client.post("/api/v1/auth/token/", {"username": "tokenuser", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["detail"]
    token = api_client.post(
        "/api/v1/auth/token/", {"username": "tokenuser", "password": "s3cret-pass"}, format="json"
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/customers/").status_code == 200


def test_create_customer_makes_the_caller_owner(client_for, bidmgr):
    response = client_for(bidmgr).post(
        "/api/v1/customers/",
        {
            "name": "数据港科技有限公司",
            "credit_code": valid_credit_code(42),
            "industry": "internet",
            "region": "east",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == bidmgr.pk and body["contact_count"] == 0 and body["industry"] == "internet"


def test_duplicate_customer_is_a_400_naming_the_existing_one_and_writes_nothing(client_for, bidmgr):
    existing = CustomerFactory(name="Contoso Ltd", owner=bidmgr)  # visible to him (a hidden one: test_access_paths)
    response = client_for(bidmgr).post("/api/v1/customers/", {"name": "CONTOSO, LTD."}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "duplicate_customer"
    assert "Contoso Ltd" in body["detail"]
    assert body["existing_customer"] == existing.pk
    assert "name" in body["errors"]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "X", "industry": "astrology"}, "industry"),
        ({"name": "X", "credit_code": "123"}, "credit_code"),
        ({"name": "X", "website": "not a url"}, "website"),
        ({"name": "X", "owner": 999999}, "owner"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client_for, bidmgr, payload, field):
    response = client_for(bidmgr).post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Customer.objects.exists()


def test_malformed_json_is_a_400(client_for, bidmgr):
    response = client_for(bidmgr).post("/api/v1/customers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_invisible_customer_is_404_and_absent_from_lists(client_for, make_user):
    owner = make_user("owner", "bid_manager")
    outsider = make_user("outsider", "bid_manager")
    customer = CustomerFactory(owner=owner)
    contact = ContactFactory(customer=customer)
    client = client_for(outsider)
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
    assert client.patch(f"/api/v1/customers/{customer.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert client.get("/api/v1/customers/").json()["count"] == 0
    assert client.get("/api/v1/contacts/").json()["count"] == 0
    # and a contact cannot be attached to a customer the user cannot see
    response = client.post("/api/v1/contacts/", {"customer": customer.pk, "name": "Sneaky"}, format="json")
    assert response.status_code == 400
    assert "customer" in response.json()["errors"]
    assert Contact.objects.count() == 1


def test_department_head_and_directors_see_subordinates_customers(client_for, make_user, director):
    parent = DepartmentFactory()
    child = DepartmentFactory(parent=parent)
    head = make_user("head", "bid_manager")
    parent.head = head
    parent.save()
    seller = make_user("seller", "bid_manager", department=child)
    customer = CustomerFactory(owner=seller)
    assert client_for(head).get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert client_for(director).get(f"/api/v1/customers/{customer.pk}/").status_code == 200


def test_visible_but_not_changeable_is_403(client_for, make_user):
    owner = make_user("owner", "bid_manager")
    legal = make_user("legal", "legal")  # sees every customer, may change none
    customer = CustomerFactory(owner=owner)
    response = client_for(legal).patch(f"/api/v1/customers/{customer.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_filter_search_order_and_paginate(client_for, bidmgr):
    CustomerFactory(name="Alpha Bank", industry="finance", owner=bidmgr)
    CustomerFactory(name="Beta Hospital", industry="healthcare", owner=bidmgr)
    CustomerFactory(name="Gamma Bank", industry="finance", owner=bidmgr)
    client = client_for(bidmgr)
    assert [c["name"] for c in client.get("/api/v1/customers/?industry=finance").json()["results"]] == [
        "Alpha Bank",
        "Gamma Bank",
    ]
    assert [c["name"] for c in client.get("/api/v1/customers/?q=hospital").json()["results"]] == ["Beta Hospital"]
    assert client.get("/api/v1/customers/?ordering=-name").json()["results"][0]["name"] == "Gamma Bank"
    page = client.get("/api/v1/customers/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert client.get("/api/v1/customers/?industry=astrology").status_code == 400


def test_contact_and_interaction_crud(client_for, bidmgr):
    customer = CustomerFactory(owner=bidmgr)
    client = client_for(bidmgr)
    contact = client.post(
        "/api/v1/contacts/", {"customer": customer.pk, "name": "韩冰", "decision_role": "decision_maker"}, format="json"
    )
    assert contact.status_code == 201, contact.json()
    moved = client.patch(
        f"/api/v1/contacts/{contact.json()['id']}/", {"customer": CustomerFactory(owner=bidmgr).pk}, format="json"
    )
    assert moved.status_code == 400
    interaction = client.post(
        "/api/v1/interactions/",
        {
            "customer": customer.pk,
            "kind": "visit",
            "occurred_at": "2026-11-20T10:00:00+08:00",
            "summary": "现场调研",
            "contacts": [contact.json()["id"]],
        },
        format="json",
    )
    assert interaction.status_code == 201, interaction.json()
    assert interaction.json()["author"]["username"] == "bidmgr"
    assert Interaction.objects.get().contacts.count() == 1


@pytest.mark.parametrize("endpoint", ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/interactions/"])
def test_list_queries_do_not_grow_with_rows(client_for, make_user, count_queries, endpoint):
    user = make_user("seller", "bid_manager", department=DepartmentFactory())
    client = client_for(user)

    def fill(n):
        for _ in range(n):
            customer = CustomerFactory(owner=user)
            ContactFactory(customer=customer)
            interaction = customer.interactions.create(
                kind="call", occurred_at="2026-11-01T10:00:00+08:00", summary="call", author=user
            )
            interaction.contacts.set(customer.contacts.all())

    def request():
        client.force_authenticate(type(user).objects.get(pk=user.pk))  # a fresh user, as in a real request
        return client.get(endpoint + "?page_size=100")

    fill(5)
    five = count_queries(request)
    fill(45)
    fifty = count_queries(request)
    assert client.get(endpoint + "?page_size=100").json()["count"] == 50
    assert five == fifty, f"{endpoint}: {five} queries for 5 rows, {fifty} for 50"


def test_openapi_schema_and_swagger_ui_are_served_without_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/customers/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    # Every script, style and link is served from here (a bare "cdn" test would trip on the random CSRF token).
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", html)
    assert external == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
