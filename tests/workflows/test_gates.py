"""The gate engine (DESIGN.md §4): every path of the initiation and contract gates."""

import pytest

from backend.bids.services import contract_terms_save
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.core.models import Notification
from backend.projects import services
from backend.projects.choices import Status
from tests.factories import CustomerFactory, set_status
from workflows.services import review_decide

pytestmark = pytest.mark.django_db

WIN = {"primary_reason": "technology", "lessons": "Strong reference in the same bank."}


def _tick(project, actor):
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=actor, item=item, done=True)


@pytest.fixture
def project(org):
    customer = CustomerFactory(owner=org["bidmgr"])
    return services.project_create(
        actor=org["bidmgr"], name="银行灾备中心", customer=customer, estimated_amount=3_000_000
    )


def submit_initiation(project, org):
    _tick(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    return project.reviews.get(status="pending")


def submit_contract(project, org, amount):
    set_status(project, Status.NEGOTIATION)
    _tick(project, org["bidmgr"])
    contract_terms_save(actor=org["bidmgr"], project=project, amount=amount)
    services.project_transition(project_id=project.pk, name="submit_contract_review", actor=org["bidmgr"], win_loss=WIN)
    return project.reviews.get(status="pending", gate__kind="contract")


def test_initiation_approved_by_the_department_head(project, org, django_capture_on_commit_callbacks):
    review = submit_initiation(project, org)
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review_id=review.pk, actor=org["head"], decision="approve", comment="同意立项")
    project.refresh_from_db()
    review.refresh_from_db()
    assert project.status == Status.PURSUIT and review.status == "approved"
    event = project.events.get(kind="decision")
    assert (event.transition, event.actor, event.comment, event.review) == (
        "approve_initiation",
        org["head"],
        "同意立项",
        review,
    )
    assert Notification.objects.filter(recipient=org["bidmgr"], kind="review_completed").exists()


def test_initiation_approved_by_the_director_instead(project, org):
    review = submit_initiation(project, org)
    review_decide(review_id=review.pk, actor=org["director"], decision="approve")
    project.refresh_from_db()
    assert project.status == Status.PURSUIT


def test_initiation_rejected(project, org):
    review = submit_initiation(project, org)
    with pytest.raises(ValidationFailed):
        review_decide(review_id=review.pk, actor=org["head"], decision="reject")  # a reason is required
    review_decide(review_id=review.pk, actor=org["head"], decision="reject", comment="不符合公司战略")
    project.refresh_from_db()
    assert project.status == Status.REJECTED
    assert project.reviews.get().status == "rejected"


def test_initiation_returned_then_resubmitted(project, org):
    review = submit_initiation(project, org)
    review_decide(review_id=review.pk, actor=org["director"], decision="return", comment="补充预算依据")
    project.refresh_from_db()
    assert project.status == Status.TENDER
    second = submit_initiation(project, org)
    assert second.pk != review.pk
    assert project.reviews.count() == 2


def test_contract_review_needs_legal_and_finance(project, org):
    review = submit_contract(project, org, amount=1_000_000)
    assert [s.status for s in review.steps.all()] == ["active", "skipped"]  # below 5,000,000: no exec step
    review_decide(review_id=review.pk, actor=org["legal"], decision="approve")
    project.refresh_from_db()
    assert project.status == Status.CONTRACT_REVIEW  # finance has not approved yet
    review_decide(review_id=review.pk, actor=org["finance"], decision="approve")
    project.refresh_from_db()
    assert project.status == Status.WON
    assert project.contract_amount == 1_000_000
    assert project.win_loss.outcome == "won"


def test_large_contract_adds_the_executive_step(project, org):
    review = submit_contract(project, org, amount=5_000_000)
    steps = list(review.steps.all())
    assert [s.status for s in steps] == ["active", "waiting"]
    with pytest.raises(PermissionDenied):  # exec cannot jump the queue
        review_decide(review_id=review.pk, actor=org["exec"], decision="approve")
    review_decide(review_id=review.pk, actor=org["legal"], decision="approve")
    review_decide(review_id=review.pk, actor=org["finance"], decision="approve")
    project.refresh_from_db()
    assert project.status == Status.CONTRACT_REVIEW
    review_decide(review_id=review.pk, actor=org["exec"], decision="approve", comment="OK")
    project.refresh_from_db()
    assert project.status == Status.WON


def test_contract_returned_goes_back_to_negotiation(project, org):
    review = submit_contract(project, org, amount=1_000_000)
    review_decide(review_id=review.pk, actor=org["finance"], decision="return", comment="付款条件需修改")
    project.refresh_from_db()
    review.refresh_from_db()
    assert project.status == Status.NEGOTIATION and review.status == "returned"
    assert review.steps.get(order=1).status == "returned"


def test_contract_rejected_goes_back_to_negotiation(project, org):
    review = submit_contract(project, org, amount=1_000_000)
    review_decide(review_id=review.pk, actor=org["legal"], decision="reject", comment="违约条款不可接受")
    project.refresh_from_db()
    assert project.status == Status.NEGOTIATION and project.reviews.get().status == "rejected"


def test_a_user_decides_at_most_once_per_step(project, org):
    review = submit_contract(project, org, amount=1_000_000)
    review_decide(review_id=review.pk, actor=org["legal"], decision="approve")
    with pytest.raises(Conflict) as err:
        review_decide(review_id=review.pk, actor=org["legal"], decision="approve")
    assert "already decided" in err.value.message
    assert review.steps.get(order=1).approvals.count() == 1


def test_non_approvers_are_refused(project, org):
    review = submit_initiation(project, org)
    for user in (org["bidmgr"], org["legal"], org["outsider"]):
        with pytest.raises(PermissionDenied):
            review_decide(review_id=review.pk, actor=user, decision="approve")
    project.refresh_from_db()
    assert project.status == Status.INITIATION_REVIEW


def test_decided_review_takes_no_more_decisions(project, org):
    review = submit_initiation(project, org)
    review_decide(review_id=review.pk, actor=org["head"], decision="approve")
    with pytest.raises(Conflict):
        review_decide(review_id=review.pk, actor=org["director"], decision="reject", comment="late")
    project.refresh_from_db()
    assert project.status == Status.PURSUIT


def test_abandon_cancels_the_open_review(project, org):
    review = submit_initiation(project, org)
    services.project_transition(
        project_id=project.pk,
        name="abandon",
        actor=org["bidmgr"],
        comment="客户取消",
        win_loss={"primary_reason": "timing"},
    )
    review.refresh_from_db()
    assert review.status == "cancelled"


def test_review_requested_notifications_go_to_approvers_after_commit(project, org, django_capture_on_commit_callbacks):
    _tick(project, org["bidmgr"])
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    notified = set(Notification.objects.filter(kind="review_requested").values_list("recipient__username", flat=True))
    assert notified == {"head", "director"}


def test_no_notification_when_the_transaction_rolls_back(project, org, django_capture_on_commit_callbacks):
    from django.db import transaction

    _tick(project, org["bidmgr"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and not Notification.objects.exists()
    project.refresh_from_db()
    assert project.status == Status.TENDER


def test_missing_approver_role_refuses_submission(project, org):
    from django.contrib.auth.models import Group

    Group.objects.get(name="legal").user_set.clear()
    set_status(project, Status.NEGOTIATION)
    _tick(project, org["bidmgr"])
    contract_terms_save(actor=org["bidmgr"], project=project, amount=1_000_000)
    with pytest.raises(Conflict) as err:
        services.project_transition(
            project_id=project.pk, name="submit_contract_review", actor=org["bidmgr"], win_loss=WIN
        )
    assert "Nobody can decide" in err.value.message
    project.refresh_from_db()
    assert project.status == Status.NEGOTIATION and not project.reviews.exists()
