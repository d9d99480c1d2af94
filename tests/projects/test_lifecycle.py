"""The presales state machine of DESIGN.md §3: every transition, every refusal."""

import pytest

from backend.bids.models import WinLossRecord
from backend.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import Project
from tests.factories import CustomerFactory, set_status

pytestmark = pytest.mark.django_db

WIN_LOSS = {"primary_reason": "price", "secondary_reasons": ["timing"], "lessons": "Too expensive."}


@pytest.fixture
def project(org):
    customer = CustomerFactory(owner=org["bidmgr"])
    return services.project_create(
        actor=org["bidmgr"], name="核心网络改造", customer=customer, estimated_amount=2_000_000
    )


def tick_all(project, actor):
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=actor, item=item, done=True)


def test_create_generates_code_team_checklist_and_event(project, org):
    assert project.code.startswith("P-") and project.code.endswith("-0001")
    assert project.status == Status.TENDER
    assert project.members.get().user == org["bidmgr"]
    assert project.checklist.filter(stage="tender", required=True).exists()
    assert project.events.get().kind == "created"
    assert project.department == org["department"]


def test_protected_status_cannot_be_assigned(project):
    with pytest.raises(AttributeError):
        project.status = Status.WON


def test_submit_initiation_needs_the_required_checklist(project, org):
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    assert "Tender" in err.value.message and "Register the tender" in err.value.message
    project.refresh_from_db()
    assert project.status == Status.TENDER and project.events.count() == 1


def test_submit_initiation_opens_the_initiation_review(project, org):
    tick_all(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"], comment="请审批")
    project.refresh_from_db()
    assert project.status == Status.INITIATION_REVIEW
    review = project.reviews.get()
    assert review.gate.kind == "initiation" and review.status == "pending"
    approvers = set(review.steps.get().approvers.values_list("username", flat=True))
    assert approvers == {"head", "director"}
    event = project.events.get(transition="submit_initiation")
    assert (event.source, event.target, event.actor, event.comment) == (
        "tender",
        "initiation_review",
        org["bidmgr"],
        "请审批",
    )


@pytest.mark.parametrize(
    ("state", "name", "target"),
    [
        (Status.PURSUIT, "start_bidding", Status.BIDDING),
        (Status.BIDDING, "award", Status.NEGOTIATION),
    ],
)
def test_simple_user_transitions(project, org, state, name, target):
    set_status(project, state)
    tick_all(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name=name, actor=org["bidmgr"])
    project.refresh_from_db()
    assert project.status == target
    assert project.events.filter(transition=name, source=state, target=target).count() == 1


def test_lose_requires_a_win_loss_record(project, org):
    set_status(project, Status.BIDDING)
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="lose", actor=org["bidmgr"])
    assert "win/loss" in err.value.message and "Bidding" in err.value.message
    services.project_transition(project_id=project.pk, name="lose", actor=org["bidmgr"], win_loss=WIN_LOSS)
    project.refresh_from_db()
    assert project.status == Status.LOST
    record = WinLossRecord.objects.get(project=project)
    assert record.outcome == "lost" and record.primary_reason.code == "price"
    assert list(record.secondary_reasons.values_list("code", flat=True)) == ["timing"]


def test_a_bad_win_loss_record_changes_nothing(project, org):
    set_status(project, Status.BIDDING)
    with pytest.raises(ValidationFailed) as err:
        services.project_transition(
            project_id=project.pk, name="lose", actor=org["bidmgr"], win_loss={"primary_reason": "astrology"}
        )
    assert "astrology" in err.value.message
    project.refresh_from_db()
    assert project.status == Status.BIDDING and not WinLossRecord.objects.exists()
    assert not project.events.filter(transition="lose").exists()


@pytest.mark.parametrize(
    "state",
    [
        Status.TENDER,
        Status.INITIATION_REVIEW,
        Status.PURSUIT,
        Status.BIDDING,
        Status.NEGOTIATION,
        Status.CONTRACT_REVIEW,
    ],
)
def test_abandon_from_every_presales_state_needs_reason_and_record(project, org, state):
    set_status(project, state)
    with pytest.raises(ValidationFailed):  # a win/loss record but no reason
        services.project_transition(project_id=project.pk, name="abandon", actor=org["bidmgr"], win_loss=WIN_LOSS)
    with pytest.raises(TransitionRefused) as refused:  # a reason but no win/loss record
        services.project_transition(
            project_id=project.pk, name="abandon", actor=org["bidmgr"], comment="Budget cut; cut losses"
        )
    assert "entering Abandoned needs a win/loss record" in refused.value.message
    project.refresh_from_db()
    assert project.status == state and not WinLossRecord.objects.exists()
    assert not project.events.filter(transition="abandon").exists()
    services.project_transition(
        project_id=project.pk, name="abandon", actor=org["bidmgr"], comment="Budget cut; cut losses", win_loss=WIN_LOSS
    )
    project.refresh_from_db()
    assert project.status == Status.ABANDONED
    assert project.win_loss.outcome == "abandoned"


@pytest.mark.parametrize("state", [Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED])
def test_nothing_leaves_a_closed_presales_state_by_abandon(project, org, state):
    set_status(project, state)
    with pytest.raises(TransitionRefused):
        services.project_transition(
            project_id=project.pk, name="abandon", actor=org["bidmgr"], comment="x", win_loss=WIN_LOSS
        )


def test_second_identical_transition_is_refused(project, org):
    set_status(project, Status.PURSUIT)
    tick_all(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="start_bidding", actor=org["bidmgr"])
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="start_bidding", actor=org["bidmgr"])
    assert "Bidding" in err.value.message and "Pursuit" in err.value.message
    assert project.events.filter(transition="start_bidding").count() == 1


@pytest.mark.parametrize("name", ["approve_initiation", "approve_contract", "reject_initiation", "return_contract"])
def test_gated_transitions_cannot_be_called(project, org, name):
    set_status(project, Status.INITIATION_REVIEW)
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name=name, actor=org["director"])
    assert "review gate" in err.value.message


def test_gated_transitions_never_appear_as_available(project, org):
    for state in (Status.INITIATION_REVIEW, Status.CONTRACT_REVIEW):
        set_status(project, state)
        names = {t.name for t in project.get_available_user_status_transitions(org["director"])}
        assert names == {"abandon"}


def test_outsider_may_not_transition(project, org):
    set_status(project, Status.PURSUIT)
    with pytest.raises(PermissionDenied):
        services.project_transition(project_id=project.pk, name="start_bidding", actor=org["outsider"])


def test_unknown_transition_is_bad_input(project, org):
    with pytest.raises(ValidationFailed):
        services.project_transition(project_id=project.pk, name="teleport", actor=org["bidmgr"])


def test_submit_contract_review_needs_terms_and_win_loss(project, org):
    from backend.bids.services import contract_terms_save

    set_status(project, Status.NEGOTIATION)
    tick_all(project, org["bidmgr"])
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(
            project_id=project.pk, name="submit_contract_review", actor=org["bidmgr"], win_loss=WIN_LOSS
        )
    assert "contract terms" in err.value.message
    assert not WinLossRecord.objects.exists()  # the refused transition wrote nothing
    contract_terms_save(actor=org["bidmgr"], project=project, amount=1_800_000)
    with pytest.raises(TransitionRefused):
        services.project_transition(project_id=project.pk, name="submit_contract_review", actor=org["bidmgr"])
    services.project_transition(
        project_id=project.pk,
        name="submit_contract_review",
        actor=org["bidmgr"],
        win_loss={**WIN_LOSS, "primary_reason": "technology"},
    )
    project.refresh_from_db()
    assert project.status == Status.CONTRACT_REVIEW
    assert project.reviews.get().gate.kind == "contract"
    assert Project.objects.get(pk=project.pk).win_loss.outcome == "won"
