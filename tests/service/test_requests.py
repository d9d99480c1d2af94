"""Service requests: logging one (routing, warranty coverage, validation that changes nothing), the state
machine (one event per move, 409 naming the state), who sees and who may act, notes, the SLA clocks'
pause and stop, the linked article and the proposal to the knowledge base."""

from __future__ import annotations

from datetime import date

import pytest

from backend.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.models import Notification
from backend.core.permissions import visible_to
from backend.service import services
from backend.service.models import RequestEvent, ServiceRequest
from tests.factories import ContactFactory, CustomerFactory
from tests.service.conftest import at

pytestmark = pytest.mark.django_db


def log(desk, **kwargs) -> ServiceRequest:
    data = {
        "actor": desk["agent"],
        "customer": desk["customer"],
        "subject": "核心交换机端口故障",
        "category": "network",
    }
    data.update(kwargs)
    return services.request_create(**data)


def events(request: ServiceRequest) -> list[tuple[str, str, str]]:
    return list(RequestEvent.objects.filter(request=request).values_list("transition", "source", "target"))


def test_logging_a_request_numbers_it_and_decides_warranty_coverage_from_the_project(desk):
    covered = log(desk, project=desk["covered"], now=at(2026, 12, 1, 10))
    expired = log(desk, project=desk["expired"], now=at(2026, 12, 1, 10))
    loose = log(desk, now=at(2026, 12, 1, 10))

    assert covered.code == "SR-2026-00001" and expired.code == "SR-2026-00002" and loose.code == "SR-2026-00003"
    # accepted 2026-03-02 with the default 12 months: covered until 2027-03-02
    assert (covered.coverage, covered.warranty_ends_on) == ("warranty", date(2027, 3, 2))
    assert (expired.coverage, expired.warranty_ends_on) == ("billable", date(2025, 1, 15))
    assert (loose.coverage, loose.warranty_ends_on) == ("billable", None)
    assert covered.status == "new" and covered.assignee is None
    assert events(covered) == [("create", "", "new")]
    # tier A, P3 normal: the tier's own policy, not the one for any tier
    assert covered.sla_policy is not None and covered.sla_policy.tier == "A" and covered.sla_policy.priority == "p3"
    assert covered.response_due_at is not None and covered.resolution_due_at > covered.response_due_at


def test_a_routing_rule_for_service_requests_assigns_by_category_and_says_so(desk, django_capture_on_commit_callbacks):
    from workflows.routing.services import routing_rule_create

    admin = desk["agent"].__class__.objects.create_superuser("root", "root@example.com", "pw")
    rule = routing_rule_create(
        actor=admin,
        name="网络故障给杨磊",
        applies_to="service_request",
        category="network",
        assignee_kind="user",
        assign_owner=desk["eng1"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        routed = log(desk)
    other = log(desk, category="software", subject="OA 登录失败")

    assert (routed.status, routed.assignee, routed.routing_rule) == ("assigned", desk["eng1"], rule)
    assert events(routed) == [("create", "", "new"), ("assign", "new", "assigned")]
    assert Notification.objects.filter(recipient=desk["eng1"], kind="service_assigned").count() == 1
    # no rule for software: it waits, unassigned, in the queue
    assert (other.status, other.assignee, other.routing_rule) == ("new", None, None)


def test_a_rule_for_one_customer_and_product_matches_only_them(desk):
    from workflows.routing.services import routing_rule_create

    admin = desk["agent"].__class__.objects.create_superuser("root", "root@example.com", "pw")
    routing_rule_create(
        actor=admin,
        name="上海银行的华为设备",
        applies_to="service_request",
        product="华为 CE6800",
        customer=desk["customer"],
        assignee_kind="user",
        assign_owner=desk["eng2"],
    )
    other_customer = CustomerFactory(owner=desk["sales"], name="杭州银行")
    match = log(desk, product="华为 ce6800")
    wrong_product = log(desk, product="H3C S6850")
    wrong_customer = services.request_create(
        actor=desk["agent"], customer=other_customer, subject="交换机", product="华为 CE6800"
    )

    assert match.assignee == desk["eng2"]
    assert wrong_product.assignee is None and wrong_customer.assignee is None


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("contact", "contact_of_other_customer"),
        ("project", "project_of_other_customer"),
        ("subject", "subject_required"),
    ],
)
def test_links_that_do_not_hold_together_are_refused_and_nothing_is_written(desk, field, code):
    stranger = CustomerFactory(owner=desk["sales"], name="宁波银行")
    bad = {
        "contact": {"contact": ContactFactory(customer=stranger, name="外人")},
        "project": {
            "project": desk["covered"].__class__.objects.create(
                code="P-2026-0999", name="别家项目", customer=stranger, owner=desk["sales"]
            )
        },
        "subject": {"subject": "   "},
    }[field]
    with pytest.raises(ValidationFailed) as refused:
        log(desk, **bad)
    assert refused.value.code == code
    assert field in refused.value.fields
    assert ServiceRequest.objects.count() == 0 and RequestEvent.objects.count() == 0


def test_unknown_category_or_priority_is_refused_by_name(desk):
    with pytest.raises(ValidationFailed) as refused:
        log(desk, priority="p9")
    assert refused.value.code == "unknown_priority"
    assert "p9" in refused.value.message
    assert ServiceRequest.objects.count() == 0


def test_the_whole_path_one_event_per_move_and_the_clocks_pause_and_stop(desk):
    request = log(desk, project=desk["covered"], now=at(2026, 12, 1, 9, 30))
    services.request_assign(actor=desk["agent"], request=request, assignee=desk["eng1"], now=at(2026, 12, 1, 9, 40))
    move = services.request_transition
    move(actor=desk["eng1"], request_id=request.pk, name="start", now=at(2026, 12, 1, 9, 50))
    request.refresh_from_db()
    assert request.first_response_at == at(2026, 12, 1, 9, 50)

    move(
        actor=desk["eng1"],
        request_id=request.pk,
        name="wait_for_customer",
        comment="等客户提供日志",
        now=at(2026, 12, 1, 10),
    )
    request.refresh_from_db()
    assert (request.status, request.paused_at) == ("waiting", at(2026, 12, 1, 10))
    due_before = request.resolution_due_at

    # the customer answers an hour later (within working hours): the clocks stood still for 60 minutes
    move(actor=desk["eng1"], request_id=request.pk, name="start", now=at(2026, 12, 1, 11))
    request.refresh_from_db()
    assert (request.status, request.paused_at, request.paused_minutes) == ("in_progress", None, 60)
    assert request.resolution_due_at > due_before

    with pytest.raises(TransitionRefused) as refused:
        move(actor=desk["eng1"], request_id=request.pk, name="resolve", now=at(2026, 12, 1, 14))
    assert refused.value.message == (
        f"Service request {request.code} is In progress: describe the solution before resolving it."
    )
    move(actor=desk["eng1"], request_id=request.pk, name="resolve", solution="更换光模块", now=at(2026, 12, 1, 14))
    request.refresh_from_db()
    assert (request.status, request.solution, request.resolved_at) == ("resolved", "更换光模块", at(2026, 12, 1, 14))
    assert request.resolution_breached is False

    move(actor=desk["agent"], request_id=request.pk, name="reopen", comment="故障复现", now=at(2026, 12, 1, 16))
    request.refresh_from_db()
    assert (request.status, request.resolved_at, request.paused_at) == ("in_progress", None, None)
    assert events(request) == [
        ("create", "", "new"),
        ("assign", "new", "assigned"),
        ("start", "assigned", "in_progress"),
        ("wait_for_customer", "in_progress", "waiting"),
        ("start", "waiting", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("reopen", "resolved", "in_progress"),
    ]


def test_a_move_the_state_does_not_allow_is_409_naming_the_state_and_changes_nothing(desk):
    request = log(desk)
    with pytest.raises(TransitionRefused) as refused:
        services.request_transition(actor=desk["agent"], request_id=request.pk, name="close")
    assert refused.value.message == (
        f"Service request {request.code} is New: 'Close the request' is only possible from Resolved."
    )
    with pytest.raises(TransitionRefused) as unassigned:
        services.request_transition(actor=desk["agent"], request_id=request.pk, name="start")
    assert "assign it to an engineer first" in unassigned.value.message
    with pytest.raises(ValidationFailed) as unknown:
        services.request_transition(actor=desk["agent"], request_id=request.pk, name="teleport")
    assert unknown.value.code == "unknown_transition"
    request.refresh_from_db()
    assert request.status == "new" and events(request) == [("create", "", "new")]


def test_who_sees_a_request_and_who_may_act_on_it(desk):
    request = log(desk, project=desk["covered"])
    services.request_assign(actor=desk["agent"], request=request, assignee=desk["eng1"])

    def sees(user) -> bool:
        return visible_to(user, ServiceRequest.objects.filter(pk=request.pk)).exists()

    # the desk, the assignee, the customer's owner (sales) see it; an outsider and another engineer do not
    assert sees(desk["agent"]) and sees(desk["eng1"]) and sees(desk["sales"])
    assert not sees(desk["outsider"]) and not sees(desk["eng2"])
    with pytest.raises(PermissionDenied):
        services.request_transition(actor=desk["sales"], request_id=request.pk, name="start")
    with pytest.raises(PermissionDenied):
        services.request_assign(actor=desk["eng1"], request=request, assignee=desk["eng2"])
    services.request_assign(actor=desk["agent"], request=request, assignee=desk["eng2"])
    request.refresh_from_db()
    assert request.assignee == desk["eng2"] and events(request)[-1] == ("reassign", "assigned", "assigned")


def test_an_agent_sees_every_customer_to_find_any_caller(desk):
    from backend.customers.models import Customer

    other = CustomerFactory(name="无锡农商行")
    assert visible_to(desk["agent"], Customer.objects.filter(pk=other.pk)).exists()
    assert not visible_to(desk["outsider"], Customer.objects.filter(pk=other.pk)).exists()


def test_the_first_reply_to_the_customer_is_the_first_response(desk):
    request = log(desk, now=at(2026, 12, 1, 9))
    services.request_note_add(
        actor=desk["agent"], request=request, body="内部备注：先查监控", now=at(2026, 12, 1, 9, 10)
    )
    request.refresh_from_db()
    assert request.first_response_at is None
    services.request_note_add(
        actor=desk["agent"],
        request=request,
        body="您好，已收到，工程师正在排查",
        public=True,
        now=at(2026, 12, 1, 9, 20),
    )
    request.refresh_from_db()
    assert request.first_response_at == at(2026, 12, 1, 9, 20)
    assert request.response_breached is False
    with pytest.raises(ValidationFailed) as empty:
        services.request_note_add(actor=desk["agent"], request=request, body="  ")
    assert empty.value.code == "empty_note"
    with pytest.raises(PermissionDenied):
        services.request_note_add(actor=desk["outsider"], request=request, body="我来看看")
    assert request.notes.count() == 2


def test_priority_change_resets_the_targets_and_a_closed_request_cannot_be_edited(desk):
    request = log(desk, priority="p4", now=at(2026, 12, 1, 9))
    slow = request.resolution_due_at
    services.request_update(actor=desk["agent"], request=request, priority="p1", now=at(2026, 12, 1, 9, 5))
    request.refresh_from_db()
    assert request.sla_policy.priority == "p1" and request.resolution_due_at < slow
    with pytest.raises(ValidationFailed) as locked:
        services.request_update(actor=desk["agent"], request=request, status="closed")
    assert locked.value.code == "not_editable"


def test_linking_the_article_that_solved_it_and_proposing_the_request_to_the_knowledge_base(desk, search_backend):
    from backend.knowledge import services as knowledge
    from backend.knowledge.services.proposals import article_propose

    article = knowledge.article_create(author=desk["agent"], title="光模块故障排查", status="published")
    request = log(desk, project=desk["covered"])
    services.request_assign(actor=desk["agent"], request=request, assignee=desk["eng1"])
    services.request_link_article(actor=desk["eng1"], request=request, article=article)
    request.refresh_from_db()
    assert request.article == article and events(request)[-1][0] == "link_article"

    with pytest.raises(TransitionRefused):
        article_propose(actor=desk["eng1"], kind="service_request", object_id=request.pk)
    services.request_transition(actor=desk["eng1"], request_id=request.pk, name="resolve", solution="更换 10G 光模块")
    proposal = article_propose(actor=desk["eng1"], kind="service_request", object_id=request.pk)
    assert proposal.title == "核心交换机端口故障"
    assert "更换 10G 光模块" in proposal.body and proposal.source_project_id == desk["covered"].pk
    assert proposal.status == "in_review"
