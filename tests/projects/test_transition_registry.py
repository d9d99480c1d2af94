"""Transition rules are registered by the apps that own the data (``backend.projects.transitions``), and every
gate kind has an outcome handler registered at start-up (``workflows.checks``)."""

import copy

import pytest

from backend.bids import transitions as bids_rules
from backend.core.errors import TransitionRefused
from backend.docs_templates import transitions as docs_rules
from backend.milestones import transitions as delivery_rules
from backend.payments import transitions as payment_rules
from backend.projects import services, transitions
from backend.projects.choices import Status
from tests.factories import CustomerFactory
from workflows import services as gate_engine
from workflows.checks import check_gate_outcome_handlers


def test_each_rule_is_registered_by_the_app_that_owns_the_data():
    pre = transitions.registered
    assert pre("precondition", "lose") == [bids_rules.win_loss_recorded]
    assert pre("precondition", "abandon") == [services.abandon_explained, bids_rules.win_loss_recorded]
    assert pre("precondition", "submit_contract_review") == [
        bids_rules.win_loss_recorded,
        docs_rules.required_documents_approved,
        bids_rules.contract_terms_recorded,
    ]
    assert pre("precondition", "submit_initiation") == [docs_rules.required_documents_approved]
    assert pre("precondition", "request_acceptance") == [
        delivery_rules.milestones_closed,
        docs_rules.required_documents_approved,
    ]
    assert pre("precondition", "close") == [payment_rules.nothing_outstanding]
    assert pre("precondition", "suspend") == [delivery_rules.suspension_explained]
    assert pre("precondition", "approve_acceptance") == [delivery_rules.signoff_recorded]
    assert pre("before_save", "approve_contract") == [bids_rules.contract_amount_from_terms]
    # milestones first: the payment terms point at them
    assert pre("effect", "kickoff") == [delivery_rules.kickoff, payment_rules.terms_from_template]
    assert pre("precondition", "start_pursuit") == [] and pre("effect", "lose") == []


@pytest.fixture
def isolated_rules(monkeypatch):
    monkeypatch.setattr(transitions, "_hooks", copy.deepcopy(transitions._hooks))


@pytest.mark.django_db
def test_a_precondition_added_by_one_app_refuses_and_nothing_changes(org, isolated_rules):
    project = services.project_create(
        actor=org["bidmgr"], name="登记的规则", customer=CustomerFactory(owner=org["bidmgr"])
    )
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    seen = []

    @transitions.precondition("submit_initiation", order=5)
    def no_initiation_on_fridays(call):
        seen.append((call.project.pk, call.name, call.actor.username, call.comment))
        raise services.refusal(call.project, "not on a Friday.", missing=["weekday"])

    with pytest.raises(TransitionRefused) as refused:
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"], comment="请")
    assert refused.value.message == f"Project {project.code} is in Tender: not on a Friday."
    assert refused.value.extra == {"status": "tender", "missing": ["weekday"]}
    assert seen == [(project.pk, "submit_initiation", "bidmgr", "请")]
    project.refresh_from_db()
    assert project.status == Status.TENDER and project.events.count() == 1 and not project.reviews.exists()


@pytest.mark.django_db
def test_an_effect_sees_the_saved_transition_and_the_context_of_its_preconditions(org, isolated_rules):
    project = services.project_create(actor=org["bidmgr"], name="效果", customer=CustomerFactory(owner=org["bidmgr"]))
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    seen = []
    transitions.precondition("submit_initiation")(lambda call: call.context.update(marker="from the check"))
    transitions.effect("submit_initiation")(
        lambda call: seen.append((type(call.project).objects.get(pk=call.project.pk).status, call.context["marker"]))
    )
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    assert seen == [("initiation_review", "from the check")]


def test_every_gate_kind_has_an_outcome_handler_at_start_up(monkeypatch):
    assert check_gate_outcome_handlers() == []
    handlers = dict(gate_engine._outcome_handlers)
    assert set(handlers) == {"initiation", "quotation_margin", "contract", "acceptance"}
    del handlers["contract"]
    monkeypatch.setattr(gate_engine, "_outcome_handlers", handlers)
    errors = check_gate_outcome_handlers()
    assert [(e.id, e.msg) for e in errors] == [("workflows.E001", "Gate kind 'contract' has no outcome handler.")]
