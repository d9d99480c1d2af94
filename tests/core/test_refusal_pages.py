"""One error path for pages: an action the service refuses shows its reason on the page — re-rendered with
403/409, or back where the form was with the message — and changes nothing. Never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from backend.projects import services
from backend.projects.models import Project, ProjectEvent, ProjectMember
from backend.tenders.models import Tender
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org, make_user):
    customer = CustomerFactory(owner=org["bidmgr"], name="北京银行")
    project = services.project_create(
        actor=org["bidmgr"], name="核心网络改造", customer=customer, estimated_amount=2_000_000
    )
    engineer = make_user("engineer", "engineer", first_name="磊", last_name="杨")
    ProjectMember.objects.create(project=project, user=engineer, role="engineer")
    org["engineer"] = engineer
    return project


def events(project):
    return list(ProjectEvent.objects.filter(project=project).values_list("kind", "transition"))


def test_a_refused_transition_is_shown_on_the_page_and_changes_nothing(client, org, project):
    before = events(project)
    client.force_login(org["engineer"])  # a team member who sees the project but may not move it
    page = client.get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200 and "/transitions/" not in page.content.decode()
    refused = client.post(reverse("projects:transition", args=[project.pk, "submit_initiation"]), {"comment": "请审批"})
    assert refused.status_code == 403
    assert f"You may not move project {project.code}." in refused.content.decode()
    project.refresh_from_db()
    assert project.status == "tender" and events(project) == before


def test_a_refused_post_from_another_page_goes_back_there_with_the_reason(client, org, project):
    client.force_login(org["engineer"])
    back = reverse("projects:detail", args=[project.pk]) + "?tab=checklist"
    item = project.checklist.filter(required=True).first()
    response = client.post(
        reverse("projects:checklist-toggle", args=[project.pk, item.pk]), {"done": "1"}, HTTP_REFERER=back
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"You may not change project {project.code}."]
    item.refresh_from_db()
    assert item.done is False


def test_a_stale_button_is_a_409_with_the_current_state(client, org, project):
    client.force_login(org["bidmgr"])
    # the deal moved on in another tab: "start bidding" is no longer possible from here
    response = client.post(reverse("projects:transition", args=[project.pk, "start_bidding"]), {})
    assert response.status_code == 409
    assert "only possible from" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == "tender"


def test_a_refusal_no_view_catches_is_a_page_with_its_status_not_a_500(client, org, make_user):
    tender = Tender.objects.create(number="ZB-2026-001", title="数据中心扩容", buyer="北京银行", owner=org["bidmgr"])
    presales = make_user("presales2", "presales")
    client.force_login(presales)  # sees tenders, may not change them
    response = client.post(reverse("tenders:delete", args=[tender.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-refusal="permission_denied"' in body
    assert "Only bid managers, directors and the tender&#x27;s owner may change tenders." in body
    assert Tender.objects.filter(pk=tender.pk).exists()
    # the same refusal from the tender page goes back to it with the message
    page = reverse("tenders:detail", args=[tender.pk])
    response = client.post(reverse("tenders:delete", args=[tender.pk]), HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response.url == f"http://testserver{page}"
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_a_refused_milestone_action_keeps_its_heading(client, org, project):
    from backend.milestones.models import Milestone
    from tests.factories import set_status

    set_status(project, "implementation")
    milestone = Milestone.objects.create(
        project=project, name="设备到货", order=1, planned_start="2026-12-01", planned_end="2026-12-20"
    )
    outsider_on_team = org["engineer"]
    client.force_login(outsider_on_team)
    response = client.post(
        reverse("milestones:milestone-plan", args=[project.pk, milestone.pk]),
        {"name": "改名", "planned_start": "2026-12-01", "planned_end": "2026-12-31", "weight": "1"},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Milestone '设备到货' was not re-planned. Only the project manager may re-plan milestones."
    ]
    milestone.refresh_from_db()
    assert milestone.name == "设备到货" and str(milestone.planned_end) == "2026-12-20"
