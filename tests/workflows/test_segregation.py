"""Segregation of duties: whoever submits a review never decides it. The gate engine leaves the submitter out
of every approver group and, when that leaves a step with nobody, sends it one level up (the nearest
department head above the submitter, then the sales directors). Per gate (``segregate_duties``), on by default.
The organisation mirrors the demo: 王建国 heads headquarters, 李丽华 (director) the sales center, 张伟 (bid
manager) the north China sales department under it."""

import pytest
from django.urls import reverse

from backend.core.errors import PermissionDenied
from backend.core.permissions import can
from backend.projects import services
from tests.factories import CustomerFactory, DepartmentFactory
from workflows.models import Approval, Gate, GateStep, Review
from workflows.selectors import review_inbox
from workflows.services import review_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(make_user, templates, reasons):
    hq = DepartmentFactory(name="总部")
    sales = DepartmentFactory(name="销售中心", parent=hq)
    north = DepartmentFactory(name="华北销售部", parent=sales)
    people = {
        "exec": make_user("exec", "exec", department=hq, first_name="建国", last_name="王"),
        "director": make_user("director", "director", department=sales, first_name="丽华", last_name="李"),
        "bidmgr": make_user("bidmgr", "bid_manager", department=north, first_name="伟", last_name="张"),
        "presales": make_user("presales", "presales", department=north, first_name="敏", last_name="刘"),
    }
    hq.head, sales.head, north.head = people["exec"], people["director"], people["bidmgr"]
    for department in (hq, sales, north):
        department.save()
    return people


def submit_initiation(owner, name="银行灾备中心"):
    customer = CustomerFactory(owner=owner)
    project = services.project_create(actor=owner, name=name, customer=customer, estimated_amount=1_000_000)
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=owner, item=item, done=True)
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=owner, comment="请审批")
    return project.reviews.get(status="pending")


def approver_names(review):
    return sorted(review.steps.get(status="active").approvers.values_list("username", flat=True))


def test_a_department_head_never_decides_his_own_submission(tree, client):
    review = submit_initiation(tree["bidmgr"])
    # 张伟 heads his department, so he was its "department head" approver: the step goes to the head above
    # him (李丽华), who is also the sales director group
    assert approver_names(review) == ["director"]
    assert review.steps.get(status="active").groups == {
        "department_head": [tree["director"].pk],
        "role:director": [tree["director"].pk],
    }
    assert list(review_inbox(user=tree["bidmgr"])) == []
    assert list(review_inbox(user=tree["director"])) == [review]
    assert can(tree["bidmgr"], "decide", review) is False and can(tree["director"], "decide", review) is True

    # the page offers him nothing and the navigation counts nothing for him
    client.force_login(tree["bidmgr"])
    page = client.get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200 and 'id="decide"' not in page.content.decode()
    assert page.context["inbox_reviews"] == 0
    client.force_login(tree["director"])
    page = client.get(reverse("reviews:detail", args=[review.pk]))
    assert 'id="decide"' in page.content.decode() and page.context["inbox_reviews"] == 1


def test_the_directors_own_submission_goes_to_the_head_above_her(tree):
    review = submit_initiation(tree["director"])
    # she heads the sales center and is the only sales director: both groups would be her alone
    assert approver_names(review) == ["exec"]
    assert list(review_inbox(user=tree["director"])) == []
    assert list(review_inbox(user=tree["exec"])) == [review]
    with pytest.raises(PermissionDenied, match="You submitted this review"):
        review_decide(review_id=review.pk, actor=tree["director"], decision="approve")
    assert not Approval.objects.filter(step__review=review).exists()
    review = review_decide(review_id=review.pk, actor=tree["exec"], decision="approve")
    assert review.status == "approved"
    review.project.refresh_from_db()
    assert review.project.status == "pursuit"


def test_a_submission_by_someone_else_keeps_the_usual_approvers(tree):
    review = submit_initiation(tree["presales"])
    assert approver_names(review) == ["bidmgr", "director"]
    assert list(review_inbox(user=tree["bidmgr"])) == [review]


def test_with_no_head_above_the_submitter_the_step_goes_to_the_directors(tree):
    GateStep.objects.filter(gate__kind="initiation").update(roles=[])  # the department head alone decides
    review = submit_initiation(tree["exec"])
    # 王建国 heads headquarters: nobody heads anything above him, so a sales director decides
    assert approver_names(review) == ["director"]
    assert review.steps.get(status="active").groups == {"department_head": [tree["director"].pk]}


def test_a_gate_may_turn_segregation_off(tree):
    Gate.objects.filter(kind="initiation").update(options={"segregate_duties": False})
    review = submit_initiation(tree["bidmgr"])
    assert approver_names(review) == ["bidmgr", "director"]
    assert list(review_inbox(user=tree["bidmgr"])) == [review]
    assert can(tree["bidmgr"], "decide", review) is True
    review = review_decide(review_id=review.pk, actor=tree["bidmgr"], decision="approve")
    assert review.status == "approved"


def test_a_review_opened_before_segregation_is_still_kept_from_its_submitter(tree):
    Gate.objects.filter(kind="initiation").update(options={"segregate_duties": False})
    review = submit_initiation(tree["bidmgr"])
    Gate.objects.filter(kind="initiation").update(options={})
    review = Review.objects.get(pk=review.pk)
    assert "bidmgr" in approver_names(review)
    assert list(review_inbox(user=tree["bidmgr"])) == []
    assert can(tree["bidmgr"], "decide", review) is False
    with pytest.raises(PermissionDenied):
        review_decide(review_id=review.pk, actor=tree["bidmgr"], decision="approve")
    assert review_decide(review_id=review.pk, actor=tree["director"], decision="approve").status == "approved"
