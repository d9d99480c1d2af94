"""The delivery lifecycle: kickoff from the template, milestones and their refusals, deliverables,
acceptance (验收), warranty, closing only when paid, suspend/resume."""

from datetime import date
from decimal import Decimal

import pytest

from backend.core.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.models import CalendarDay
from backend.milestones import services as delivery_services
from backend.milestones.models import Milestone
from backend.payments import services as payment_services
from backend.payments.selectors import project_outstanding
from backend.projects import services
from backend.projects.choices import Status
from tests.milestones.conftest import PDF_BYTES, docx_bytes
from workflows.services import review_decide

pytestmark = pytest.mark.django_db


def test_kickoff_instantiates_milestones_tasks_and_payments_in_working_days(delivery):
    # National Day week: 2026-11-04 is declared a holiday, Saturday 2026-11-07 a working day
    CalendarDay.objects.create(date=date(2026, 11, 4), kind="holiday", name="test holiday")
    CalendarDay.objects.create(date=date(2026, 11, 7), kind="workday", name="调休")
    services.project_transition(
        project_id=delivery["project"].pk, name="kickoff", actor=delivery["pm"], kickoff_date=date(2026, 11, 2)
    )
    project = delivery["project"]
    project.refresh_from_db()
    assert project.status == Status.IMPLEMENTATION
    milestones = list(project.milestones.order_by("order"))
    assert len(milestones) == 5 and milestones[0].planned_start == date(2026, 11, 2)
    # 15 working days from Mon 2 Nov, both ends included: skips the 4th, works Sat 7th → Fri 20 Nov
    assert milestones[0].planned_end == date(2026, 11, 20)
    # the next starts 15 working days after kickoff: Mon 23 Nov
    assert milestones[1].planned_start == date(2026, 11, 23)
    assert milestones[0].owner == delivery["pm"]
    assert milestones[0].required_deliverables == ["design"]
    terms = list(project.payment_terms.order_by("order"))
    assert [t.percent for t in terms] == [Decimal(30), Decimal(30), Decimal(35)]
    assert sum(t.amount for t in terms) == Decimal("1900000.00")
    assert terms[0].due_date == date(2026, 11, 17) and terms[1].due_date is None
    assert project.tasks.count() == 5
    assert project.tasks.get(name__startswith="项目启动会").assignee == delivery["pm"]


def test_kickoff_only_from_won(delivery):
    from tests.factories import set_status

    set_status(delivery["project"], Status.NEGOTIATION)
    with pytest.raises(TransitionRefused):
        services.project_transition(project_id=delivery["project"].pk, name="kickoff", actor=delivery["pm"])
    assert not Milestone.objects.exists()


def test_milestone_walk_with_deliverable_rules(kicked_off):
    project, pm, engineer = kicked_off["project"], kicked_off["pm"], kicked_off["engineer"]
    first = project.milestones.order_by("order").first()
    delivery_services.milestone_transition(milestone_id=first.pk, name="start", actor=engineer)
    with pytest.raises(TransitionRefused) as err:
        delivery_services.milestone_transition(milestone_id=first.pk, name="submit", actor=engineer)
    assert "Solution design" in err.value.message and "In progress" in err.value.message
    deliverable = delivery_services.deliverable_upload(
        actor=engineer, milestone=first, doc_type="design", title="总体设计方案", name="design.docx", data=docx_bytes()
    )
    delivery_services.deliverable_add_version(
        actor=engineer, deliverable=deliverable, name="design-v2.pdf", data=PDF_BYTES
    )
    assert list(deliverable.versions.values_list("version", "content_type")) == [
        (2, "application/pdf"),
        (1, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    delivery_services.deliverable_submit(actor=engineer, deliverable=deliverable)
    with pytest.raises(PermissionDenied):
        delivery_services.deliverable_review(actor=engineer, deliverable=deliverable, approve=True)
    with pytest.raises(TransitionRefused):  # submitted is not approved
        delivery_services.milestone_transition(milestone_id=first.pk, name="submit", actor=engineer)
    delivery_services.deliverable_review(actor=pm, deliverable=deliverable, approve=True)
    delivery_services.milestone_transition(milestone_id=first.pk, name="submit", actor=engineer)
    with pytest.raises(ValidationFailed):
        delivery_services.milestone_transition(milestone_id=first.pk, name="return_for_rework", actor=pm)
    delivery_services.milestone_transition(
        milestone_id=first.pk, name="return_for_rework", actor=pm, comment="缺少网络拓扑"
    )
    delivery_services.milestone_transition(milestone_id=first.pk, name="resume_work", actor=engineer)
    delivery_services.milestone_transition(milestone_id=first.pk, name="submit", actor=engineer)
    with pytest.raises(PermissionDenied):
        delivery_services.milestone_transition(milestone_id=first.pk, name="accept", actor=engineer)
    delivery_services.milestone_transition(milestone_id=first.pk, name="accept", actor=pm)
    first.refresh_from_db()
    assert first.status == "accepted" and first.actual_end is not None
    events = list(project.events.filter(milestone=first).values_list("transition", flat=True))
    assert events == ["start", "submit", "return_for_rework", "resume_work", "submit", "accept"]
    with pytest.raises(TransitionRefused):
        delivery_services.milestone_transition(milestone_id=first.pk, name="accept", actor=pm)


def test_accepting_a_milestone_makes_its_payment_due(kicked_off):
    project = kicked_off["project"]
    second = project.milestones.get(order=2)
    term = second.payment_terms.get()
    assert term.due_date is None
    _accept(second, kicked_off)
    term.refresh_from_db()
    assert term.due_date is not None


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("evil.docx", b"MZ\x90\x00 not a docx", "not an allowed file type"),
        ("empty.pdf", b"", "empty"),
        ("fake.pdf", b"PK\x03\x04 broken zip", "not an allowed file type"),
    ],
)
def test_upload_refusals(kicked_off, name, data, problem):
    first = kicked_off["project"].milestones.order_by("order").first()
    with pytest.raises(ValidationFailed) as err:
        delivery_services.deliverable_upload(
            actor=kicked_off["engineer"], milestone=first, doc_type="design", title="x", name=name, data=data
        )
    assert problem in err.value.message
    assert not first.deliverables.exists()


def test_upload_size_limit(kicked_off, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    first = kicked_off["project"].milestones.order_by("order").first()
    with pytest.raises(ValidationFailed) as err:
        delivery_services.deliverable_upload(
            actor=kicked_off["engineer"],
            milestone=first,
            doc_type="design",
            title="big",
            name="big.pdf",
            data=PDF_BYTES + b"0" * 2000,
        )
    assert "limit" in err.value.message


def _accept(milestone, ctx):
    from backend.milestones.models import Milestone as M

    milestone = M.objects.get(pk=milestone.pk)
    engineer, pm = ctx["engineer"], ctx["pm"]
    if milestone.status == "planned":
        delivery_services.milestone_transition(milestone_id=milestone.pk, name="start", actor=engineer)
    for doc_type in milestone.required_deliverables:
        d = delivery_services.deliverable_upload(
            actor=engineer,
            milestone=milestone,
            doc_type=doc_type,
            title=doc_type,
            name=f"{doc_type}.pdf",
            data=PDF_BYTES,
        )
        delivery_services.deliverable_submit(actor=engineer, deliverable=d)
        delivery_services.deliverable_review(actor=pm, deliverable=d, approve=True)
    delivery_services.milestone_transition(milestone_id=milestone.pk, name="submit", actor=engineer)
    delivery_services.milestone_transition(milestone_id=milestone.pk, name="accept", actor=pm)


def test_acceptance_warranty_and_close(kicked_off):
    project, pm = kicked_off["project"], kicked_off["pm"]
    milestones = list(project.milestones.order_by("order"))
    for milestone in milestones[:-1]:
        _accept(milestone, kicked_off)
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="request_acceptance", actor=pm)
    assert milestones[-1].name in err.value.message
    delivery_services.milestone_transition(
        milestone_id=milestones[-1].pk, name="cancel", actor=pm, comment="客户取消终验里程碑，合并到项目验收"
    )
    services.project_transition(project_id=project.pk, name="request_acceptance", actor=pm)
    review = project.reviews.get(gate__kind="acceptance", status="pending")
    with pytest.raises(PermissionDenied, match="You submitted this review"):  # segregation of duties
        review_decide(review_id=review.pk, actor=pm, decision="approve")
    review_decide(review_id=review.pk, actor=project.owner, decision="approve")  # the owner confirms for the team
    with pytest.raises(Conflict) as err:  # the customer has not signed yet
        review_decide(review_id=review.pk, actor=kicked_off["quality"], decision="approve")
    assert "sign-off" in err.value.message
    with pytest.raises(ValidationFailed):
        delivery_services.acceptance_record(
            actor=pm, project=project, accepted_on=date(2026, 11, 20), signatory="王主任", result="conditional"
        )
    delivery_services.acceptance_record(
        actor=pm,
        project=project,
        accepted_on=date(2026, 11, 20),
        signatory="王主任",
        signatory_title="信息中心主任",
        result="conditional",
        punch_list=["补充运维手册"],
        certificate=("cert.pdf", PDF_BYTES),
    )
    review_decide(review_id=review.pk, actor=kicked_off["quality"], decision="approve")
    project.refresh_from_db()
    assert project.status == Status.ACCEPTED
    services.project_transition(project_id=project.pk, name="start_warranty", actor=pm)
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="close", actor=pm)
    assert "collected or written off" in err.value.message
    for term in project.payment_terms.all():
        if term.due_date is None:
            term.due_date = date(2026, 12, 1)
            term.save()
        outstanding = project_outstanding(project=project)
        assert outstanding > 0
    terms = list(project.payment_terms.order_by("order"))
    half = terms[0].amount / 2
    payment_services.receipt_record(
        actor=kicked_off["finance"], payment_term=terms[0], amount=half, received_on=date(2026, 11, 25)
    )
    with pytest.raises(ValidationFailed):  # more than is outstanding
        payment_services.receipt_record(
            actor=kicked_off["finance"], payment_term=terms[0], amount=terms[0].amount, received_on=date(2026, 11, 26)
        )
    payment_services.receipt_record(
        actor=kicked_off["finance"], payment_term=terms[0], amount=half, received_on=date(2026, 11, 26)
    )
    for term in terms[1:]:
        payment_services.receipt_record(
            actor=kicked_off["finance"], payment_term=term, amount=term.amount - 1000, received_on=date(2026, 11, 27)
        )
        payment_services.payment_write_off(
            actor=kicked_off["finance"], payment_term=term, amount=Decimal(1000), reason="尾差核销"
        )
    assert project_outstanding(project=project) == 0
    services.project_transition(project_id=project.pk, name="close", actor=pm)
    project.refresh_from_db()
    assert project.status == Status.CLOSED


def test_acceptance_returned_goes_back_to_implementation(kicked_off):
    project, pm = kicked_off["project"], kicked_off["pm"]
    for milestone in project.milestones.all():
        delivery_services.milestone_transition(milestone_id=milestone.pk, name="cancel", actor=pm, comment="scope")
    services.project_transition(project_id=project.pk, name="request_acceptance", actor=pm)
    review = project.reviews.get(gate__kind="acceptance")
    assert pm.pk not in set(review.steps.get(status="active").approvers.values_list("pk", flat=True))
    review_decide(review_id=review.pk, actor=project.owner, decision="return", comment="客户要求整改")
    project.refresh_from_db()
    assert project.status == Status.IMPLEMENTATION


def test_suspend_and_resume(kicked_off):
    project, pm = kicked_off["project"], kicked_off["pm"]
    with pytest.raises(ValidationFailed):
        services.project_transition(project_id=project.pk, name="suspend", actor=pm)
    services.project_transition(project_id=project.pk, name="suspend", actor=pm, comment="客户机房未就绪")
    first = project.milestones.order_by("order").first()
    with pytest.raises(TransitionRefused):  # nothing moves while suspended
        delivery_services.milestone_transition(milestone_id=first.pk, name="start", actor=pm)
    services.project_transition(project_id=project.pk, name="resume", actor=pm)
    project.refresh_from_db()
    assert project.status == Status.IMPLEMENTATION


def test_delivery_gated_transitions_are_never_available(kicked_off):
    project, pm = kicked_off["project"], kicked_off["pm"]
    names = {t.name for t in project.get_available_user_status_transitions(pm)}
    assert names == {"request_acceptance", "suspend"}


def test_save_project_as_template_and_reuse_it(kicked_off, client_for):
    from backend.projects.models import Project
    from tests.factories import set_status

    project = kicked_off["project"]
    response = client_for(kicked_off["pm"]).post(
        f"/api/v1/projects/{project.pk}/save-as-template/", {"code": "dc-build", "name": "机房建设模板"}, format="json"
    )
    assert response.status_code == 201, response.json()
    from workflows.models import ProcessTemplate

    template = ProcessTemplate.objects.get(code="dc-build")
    original = list(project.milestones.order_by("order").values_list("name", "planned_start", "planned_end"))
    specs = list(
        template.milestones.order_by("order").values_list("name", "offset_days", "duration_days", "payment_percent")
    )
    assert [s[0] for s in specs] == [o[0] for o in original]
    assert specs[0][1:3] == (0, 15) and specs[1][1] == 15
    assert specs[1][3] == Decimal("30.00")
    assert template.gates.filter(kind="acceptance").exists() and template.tasks.count() == 5
    # a new project kicked off on this template gets the same plan shape
    again = Project.objects.get(pk=project.pk)
    again.pk = None
    again.code = "P-2026-9999"
    again.process_template = template
    again.save()
    set_status(again, Status.WON)
    from backend.projects.models import ProjectMember

    ProjectMember.objects.create(project=again, user=kicked_off["pm"], role="pm")
    services.project_transition(
        project_id=again.pk, name="kickoff", actor=kicked_off["pm"], kickoff_date=date(2026, 11, 2)
    )
    assert list(again.milestones.order_by("order").values_list("name", "planned_start", "planned_end")) == original
    with pytest.raises(ValidationFailed):
        from workflows.services import template_from_project

        template_from_project(project=project, actor=kicked_off["pm"], code="dc-build", name="dup")
