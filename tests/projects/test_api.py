"""The presales API: projects, transitions, reviews inbox and decisions, bids/quotations visibility."""

import pytest

from backend.bids.services import bid_create, contract_terms_save, quotation_create
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import Project
from tests.factories import CustomerFactory, ProjectFactory, set_status

pytestmark = pytest.mark.django_db
WIN = {"primary_reason": "technology", "lessons": "Reference site convinced them."}


@pytest.fixture
def project(org):
    return services.project_create(
        actor=org["bidmgr"],
        name="智慧港口调度平台",
        customer=CustomerFactory(owner=org["bidmgr"]),
        estimated_amount=4_200_000,
    )


def tick(project, user):
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=user, item=item, done=True)


def test_create_project_via_api(client_for, org):
    customer = CustomerFactory(owner=org["bidmgr"])
    response = client_for(org["bidmgr"]).post(
        "/api/v1/projects/",
        {"name": "政务云二期", "customer": customer.pk, "estimated_amount": "3500000.00", "source": "tender"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"].startswith("P-") and body["status"] == "tender"
    assert body["available_transitions"] == ["abandon"]  # submit_initiation waits for the checklist
    assert body["owner"] == org["bidmgr"].pk


def test_create_project_for_an_invisible_customer_is_refused(client_for, org):
    hidden = CustomerFactory(owner=org["outsider"])
    response = client_for(org["bidmgr"]).post("/api/v1/projects/", {"name": "x", "customer": hidden.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()["errors"]
    assert not Project.objects.exists()


def test_detail_lists_the_users_available_transitions(client_for, org, project):
    tick(project, org["bidmgr"])
    body = client_for(org["bidmgr"]).get(f"/api/v1/projects/{project.pk}/").json()
    assert body["status"] == "tender"
    assert sorted(body["available_transitions"]) == ["abandon", "submit_initiation"]
    # the head of department sees the project (his department) but the gate decides for him elsewhere
    body = client_for(org["head"]).get(f"/api/v1/projects/{project.pk}/").json()
    assert sorted(body["available_transitions"]) == []


def test_transition_endpoint_and_409_refusal(client_for, org, project):
    client = client_for(org["bidmgr"])
    refused = client.post(f"/api/v1/projects/{project.pk}/transitions/submit_initiation/", {}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "transition_not_allowed" and "Tender" in body["detail"] and body["missing"]
    project.refresh_from_db()
    assert project.status == "tender"
    tick(project, org["bidmgr"])
    done = client.post(
        f"/api/v1/projects/{project.pk}/transitions/submit_initiation/", {"comment": "请审批"}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "initiation_review"
    gated = client.post(f"/api/v1/projects/{project.pk}/transitions/approve_initiation/", {}, format="json")
    assert gated.status_code == 409 and "review gate" in gated.json()["detail"]


def test_lose_with_win_loss_in_the_body(client_for, org, project):
    set_status(project, Status.BIDDING)
    client = client_for(org["bidmgr"])
    missing = client.post(f"/api/v1/projects/{project.pk}/transitions/lose/", {}, format="json")
    assert missing.status_code == 409 and "win/loss" in missing.json()["detail"]
    bad = client.post(
        f"/api/v1/projects/{project.pk}/transitions/lose/", {"win_loss": {"primary_reason": "nope"}}, format="json"
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/api/v1/projects/{project.pk}/transitions/lose/",
        {
            "comment": "lost on price",
            "win_loss": {"primary_reason": "price", "our_price": "4100000", "winning_price": "3650000"},
        },
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "lost"
    record = client.get(f"/api/v1/win-loss/?project={project.pk}").json()["results"][0]
    assert record["outcome"] == "lost" and record["primary_reason"] == "price"


def test_review_inbox_and_decide(client_for, org, project):
    tick(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    inbox = client_for(org["director"]).get("/api/v1/reviews/?status=pending&mine=1").json()
    assert inbox["count"] == 1
    review = inbox["results"][0]
    assert review["project"] == project.pk and review["gate"] == "initiation" and review["status"] == "pending"
    assert review["current_step"]["order"] == 1
    assert client_for(org["legal"]).get("/api/v1/reviews/?status=pending&mine=1").json()["count"] == 0
    # a non-approver who cannot see the project: 404; one who can see it: 403
    assert (
        client_for(org["outsider"])
        .post(f"/api/v1/reviews/{review['id']}/decide/", {"decision": "approve"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(org["bidmgr"])
        .post(f"/api/v1/reviews/{review['id']}/decide/", {"decision": "approve"}, format="json")
        .status_code
        == 403
    )
    bad = client_for(org["director"]).post(
        f"/api/v1/reviews/{review['id']}/decide/", {"decision": "maybe"}, format="json"
    )
    assert bad.status_code == 400
    decided = client_for(org["director"]).post(
        f"/api/v1/reviews/{review['id']}/decide/", {"decision": "approve", "comment": "同意"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = client_for(org["head"]).post(
        f"/api/v1/reviews/{review['id']}/decide/", {"decision": "approve"}, format="json"
    )
    assert again.status_code == 409
    assert client_for(org["director"]).get("/api/v1/reviews/?status=pending&mine=1").json()["count"] == 0
    project.refresh_from_db()
    assert project.status == "pursuit"


def test_contract_gate_through_the_api(client_for, org, project):
    set_status(project, Status.NEGOTIATION)
    tick(project, org["bidmgr"])
    client = client_for(org["bidmgr"])
    assert (
        client.post(
            "/api/v1/contract-terms/",
            {"project": project.pk, "amount": "6000000.00", "payment_terms": "30/60/10"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/win-loss/",
            {"project": project.pk, "outcome": "won", "primary_reason": "relationship"},
            format="json",
        ).status_code
        == 201
    )
    response = client.post(f"/api/v1/projects/{project.pk}/transitions/submit_contract_review/", {}, format="json")
    assert response.status_code == 200, response.json()
    review_id = client.get(f"/api/v1/reviews/?project={project.pk}&status=pending").json()["results"][0]["id"]
    for approver in ("legal", "finance", "exec"):
        r = client_for(org[approver]).post(
            f"/api/v1/reviews/{review_id}/decide/", {"decision": "approve"}, format="json"
        )
        assert r.status_code == 200, (approver, r.json())
    assert client.get(f"/api/v1/projects/{project.pk}/").json()["status"] == "won"
    events = client.get(f"/api/v1/projects/{project.pk}/events/").json()["results"]
    assert [e["transition"] for e in events][-1] == "approve_contract"


def test_outsider_sees_nothing_of_a_project(client_for, org, project):
    tick(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    bid = bid_create(actor=org["bidmgr"], project=project, bond_amount=50_000)
    quotation = quotation_create(
        actor=org["bidmgr"],
        project=project,
        lines=[{"description": "服务器", "quantity": 2, "unit_price": 100_000, "unit_cost": 80_000}],
    )
    contract_terms_save(actor=org["bidmgr"], project=project, amount=4_000_000)
    review = project.reviews.get()
    client = client_for(org["outsider"])
    for url in (
        f"/api/v1/projects/{project.pk}/",
        f"/api/v1/reviews/{review.pk}/",
        f"/api/v1/bids/{bid.pk}/",
        f"/api/v1/quotations/{quotation.pk}/",
        f"/api/v1/projects/{project.pk}/events/",
        f"/api/v1/projects/{project.pk}/members/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/api/v1/projects/",
        "/api/v1/reviews/",
        "/api/v1/bids/",
        "/api/v1/quotations/",
        "/api/v1/contract-terms/",
        "/api/v1/win-loss/",
    ):
        assert client.get(url).json()["count"] == 0, url
    assert (
        client.post(f"/api/v1/projects/{project.pk}/transitions/abandon/", {"comment": "x"}, format="json").status_code
        == 404
    )
    # while members, department heads and approvers do see it
    for name in ("bidmgr", "head", "director"):
        assert client_for(org[name]).get(f"/api/v1/projects/{project.pk}/").status_code == 200


def test_quotation_totals_in_the_api(client_for, org, project):
    response = client_for(org["bidmgr"]).post(
        "/api/v1/quotations/",
        {
            "project": project.pk,
            "lines": [
                {
                    "description": "交换机",
                    "quantity": "10",
                    "unit_price": "20000",
                    "unit_cost": "15000",
                    "discount": "10",
                    "tax_rate": "13",
                },
                {
                    "description": "实施服务",
                    "quantity": "1",
                    "unit_price": "100000",
                    "unit_cost": "40000",
                    "tax_rate": "6",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["net"] == "280000.00" and body["cost"] == "190000.00"
    assert body["tax"] == "29400.00" and body["gross"] == "309400.00"
    assert body["margin_pct"].startswith("32.14")
    submitted = client_for(org["bidmgr"]).post(f"/api/v1/quotations/{body['id']}/submit/", {}, format="json")
    assert submitted.json()["status"] == "approved"


@pytest.mark.parametrize("endpoint", ["/api/v1/projects/", "/api/v1/reviews/", "/api/v1/quotations/"])
def test_list_queries_do_not_grow(client_for, org, count_queries, endpoint):
    from django.contrib.auth import get_user_model

    user = org["bidmgr"]

    def fill(n):
        for _ in range(n):
            project = ProjectFactory(owner=user, department=org["department"])
            tick(project, user)
            quotation_create(
                actor=user,
                project=project,
                lines=[
                    {"description": "a", "quantity": 1, "unit_price": 10, "unit_cost": 5},
                    {"description": "b", "quantity": 2, "unit_price": 10, "unit_cost": 9},
                ],
            )
            from workflows.services import review_open

            review_open(project=project, kind="initiation", actor=user)

    client = client_for(user)

    def request():
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
        return client.get(endpoint + "?page_size=100")

    fill(5)
    five = count_queries(request)
    fill(45)
    fifty = count_queries(request)
    assert request().json()["count"] == 50
    assert five == fifty, f"{endpoint}: {five} vs {fifty}"


def test_detail_queries_do_not_grow_with_members_and_events(client_for, org, project, count_queries):
    """The project, its members and its events each read in the same number of queries for 1 row as for 21,
    and each answer holds the rows it should (a 404 or an empty page would count few queries too)."""
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory

    client = client_for(org["bidmgr"])
    endpoints = {
        "detail": f"/api/v1/projects/{project.pk}/",
        "members": f"/api/v1/projects/{project.pk}/members/?page_size=100",
        "events": f"/api/v1/projects/{project.pk}/events/?page_size=100",
    }
    answers: dict[str, object] = {}

    def request(name: str):
        def run():
            client.force_authenticate(get_user_model().objects.get(pk=org["bidmgr"].pk))
            response = client.get(endpoints[name])
            assert response.status_code == 200, (name, response.status_code)
            answers[name] = response.json()

        return run

    few = {name: count_queries(request(name)) for name in endpoints}
    assert answers["detail"]["code"] == project.code
    assert [(m["user_detail"]["username"], m["role"]) for m in answers["members"]] == [("bidmgr", "owner")]
    assert [e["kind"] for e in answers["events"]["results"]] == ["created"]

    for number in range(20):
        services.member_add(
            actor=org["bidmgr"], project=project, user=UserFactory(username=f"engineer{number}"), role="engineer"
        )
        services.project_update(actor=org["bidmgr"], project=project, data={"estimated_amount": 1_000 + number})
    many = {name: count_queries(request(name)) for name in endpoints}
    assert answers["detail"]["estimated_amount"] == "1019.00"
    assert {m["user_detail"]["username"] for m in answers["members"]} == {"bidmgr"} | {
        f"engineer{n}" for n in range(20)
    }
    assert answers["events"]["count"] == 21
    assert [e["kind"] for e in answers["events"]["results"]] == ["created"] + ["change"] * 20
    assert {e["actor"]["username"] for e in answers["events"]["results"]} == {"bidmgr"}
    assert few == many


def test_schema_generates_without_warnings():
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--file", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
