"""Review pages: the inbox, the review page with its steps and approvers, and deciding through the page —
refusals shown, never a 500; reviews the user may not see answer 404."""

import pytest
from django.urls import reverse

from backend.bids.services import contract_terms_save
from backend.projects import services
from backend.projects.choices import Status
from tests.factories import CustomerFactory, set_status

pytestmark = pytest.mark.django_db

WIN = {"primary_reason": "technology", "lessons": "Reference in the same bank."}


def tick(project, actor):
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=actor, item=item, done=True)


@pytest.fixture
def project(org):
    customer = CustomerFactory(owner=org["bidmgr"], name="招商银行 China Merchants Bank")
    return services.project_create(
        actor=org["bidmgr"], name="银行灾备中心 Disaster recovery", customer=customer, estimated_amount=3_000_000
    )


@pytest.fixture
def initiation(project, org):
    tick(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"], comment="请审批")
    return project.reviews.get(status="pending")


@pytest.fixture
def contract(project, org):
    set_status(project, Status.NEGOTIATION)
    tick(project, org["bidmgr"])
    contract_terms_save(actor=org["bidmgr"], project=project, amount=2_800_000, payment_terms="30/60/10")
    services.project_transition(project_id=project.pk, name="submit_contract_review", actor=org["bidmgr"], win_loss=WIN)
    return project.reviews.get(status="pending", gate__kind="contract")


def as_user(client, user):
    client.force_login(user)
    return client


def detail(review):
    return reverse("reviews:detail", args=[review.pk])


def decide(review):
    return reverse("reviews:decide", args=[review.pk])


def test_login_required(client):
    assert client.get(reverse("reviews:inbox")).status_code == 302


def test_inbox_lists_what_waits_for_me(client, org, initiation):
    page = as_user(client, org["director"]).get(reverse("reviews:inbox")).content.decode()
    assert initiation.gate.name in page and initiation.project.code in page and detail(initiation) in page
    # the bid manager submitted it: nothing waits for him, but he sees it among all reviews
    client.force_login(org["bidmgr"])
    page = client.get(reverse("reviews:inbox")).content.decode()
    assert "Nothing is waiting for your decision." in page
    page = client.get(reverse("reviews:inbox"), {"tab": "all"}).content.decode()
    assert detail(initiation) in page
    assert (
        detail(initiation)
        not in client.get(reverse("reviews:inbox"), {"tab": "all", "status": "approved"}).content.decode()
    )
    assert (
        detail(initiation) in client.get(reverse("reviews:inbox"), {"tab": "all", "status": "pending"}).content.decode()
    )
    bad = client.get(reverse("reviews:inbox"), {"tab": "all", "status": "maybe", "page": "-1"})
    assert bad.status_code == 200 and "Unknown review status" in bad.content.decode()


def test_inbox_badge_and_dashboard(client, org, initiation):
    page = as_user(client, org["director"]).get(reverse("dashboard")).content.decode()
    assert 'id="nav-inbox-count">1<' in page
    assert "My pending reviews" in page and detail(initiation) in page


def test_review_page_shows_gate_project_amount_and_steps(client, org, contract):
    page = as_user(client, org["legal"]).get(detail(contract)).content.decode()
    assert contract.gate.name in page and contract.project.code in page
    assert "2,800,000.00" in page and "30/60/10" in page
    assert "Legal and finance" in page and "Executive" in page  # the skipped executive step is listed too
    assert "Approve" in page and 'id="decide"' in page


def test_outsider_gets_404(client, org, initiation):
    as_user(client, org["outsider"])
    assert client.get(detail(initiation)).status_code == 404
    assert client.post(decide(initiation), {"decision": "approve"}).status_code == 404
    assert client.get(reverse("reviews:detail", args=[999999])).status_code == 404
    assert detail(initiation) not in client.get(reverse("reviews:inbox"), {"tab": "all"}).content.decode()


def test_approve_through_the_page(client, org, initiation):
    as_user(client, org["director"])
    response = client.post(decide(initiation), {"decision": "approve", "comment": "同意立项"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "the review is now Approved" in page and "同意立项" in page
    assert 'id="decide"' not in page  # decided: no buttons any more
    project = initiation.project
    project.refresh_from_db()
    assert project.status == Status.PURSUIT


def test_reject_needs_a_comment(client, org, initiation):
    as_user(client, org["head"])
    response = client.post(decide(initiation), {"decision": "reject", "comment": ""})
    assert response.status_code == 400 and "a comment is required" in response.content.decode()
    initiation.refresh_from_db()
    assert initiation.status == "pending"
    response = client.post(decide(initiation), {"decision": "reject", "comment": "不符合公司战略"})
    assert response.status_code == 302
    initiation.project.refresh_from_db()
    assert initiation.project.status == Status.REJECTED


def test_return_through_the_page(client, org, initiation):
    as_user(client, org["director"])
    assert client.post(decide(initiation), {"decision": "return", "comment": "补充预算"}).status_code == 302
    initiation.project.refresh_from_db()
    assert initiation.project.status == Status.TENDER


def test_refusals_are_messages_not_500s(client, org, contract):
    # the submitter can see the review but never decides it
    as_user(client, org["bidmgr"])
    page = client.get(detail(contract)).content.decode()
    assert 'id="decide"' not in page
    refused = client.post(decide(contract), {"decision": "approve"})
    assert refused.status_code == 403 and "You submitted this review" in refused.content.decode()
    assert not contract.steps.filter(approvals__isnull=False).exists()
    # a user who is neither submitter nor approver is told so
    client.force_login(org["director"])
    refused = client.post(decide(contract), {"decision": "approve"})
    assert refused.status_code == 403 and "You are not an approver" in refused.content.decode()
    # a bogus decision is bad input
    client.force_login(org["legal"])
    assert client.post(decide(contract), {"decision": "maybe"}).status_code == 400
    # legal approves once; a second decision on the same step is refused
    assert client.post(decide(contract), {"decision": "approve"}).status_code == 302
    again = client.post(decide(contract), {"decision": "approve"})
    assert again.status_code == 409 and "already decided" in again.content.decode()
    page = client.get(detail(contract)).content.decode()
    assert "Waiting for" in page and str(org["finance"]) in page


def test_contract_approved_by_legal_and_finance_through_the_page(client, org, contract):
    as_user(client, org["legal"]).post(decide(contract), {"decision": "approve", "comment": "条款可接受"})
    as_user(client, org["finance"]).post(decide(contract), {"decision": "approve", "comment": "付款条件可接受"})
    project = contract.project
    project.refresh_from_db()
    assert project.status == Status.WON and project.contract_amount == 2_800_000


def test_inbox_and_review_queries_do_not_grow(client, org, count_queries):
    def open_reviews(n):
        for i in range(n):
            project = services.project_create(
                actor=org["bidmgr"], name=f"Deal {i}", customer=CustomerFactory(owner=org["bidmgr"])
            )
            tick(project, org["bidmgr"])
            services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])

    as_user(client, org["director"])
    open_reviews(2)
    inbox_few = count_queries(lambda: client.get(reverse("reviews:inbox")))
    all_few = count_queries(lambda: client.get(reverse("reviews:inbox"), {"tab": "all"}))
    open_reviews(8)
    assert count_queries(lambda: client.get(reverse("reviews:inbox"))) == inbox_few
    assert count_queries(lambda: client.get(reverse("reviews:inbox"), {"tab": "all"})) == all_few
