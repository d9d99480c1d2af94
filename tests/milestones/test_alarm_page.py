"""The alarms page: mine, and my department's for a department head; acknowledging records who and when,
and is refused (with a clear message) for someone the alarm was not sent to."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.core.errors import Conflict, PermissionDenied
from backend.milestones import services
from backend.milestones.models import Alarm
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def alarm(kind: str, object_id: int, *recipients, level: int = 0) -> Alarm:
    a = Alarm.objects.create(kind=kind, object_type="milestone", object_id=object_id, level=level)
    a.recipients.set(recipients)
    Alarm.objects.filter(pk=a.pk).update(delivered_at=timezone.now())
    return a


@pytest.fixture
def team(make_user):
    head = make_user("head", "bid_manager", first_name="建国", last_name="王")
    delivery = DepartmentFactory(name="交付部", head=head)
    head.department = delivery
    head.save(update_fields=["department"])
    zhang = make_user("zhang", "engineer", department=delivery, first_name="伟", last_name="张")
    li = make_user("li", "engineer", department=delivery, first_name="娜", last_name="李")
    outsider = make_user("zhao", "engineer", department=DepartmentFactory(name="销售部"))
    return {
        "head": head,
        "zhang": zhang,
        "li": li,
        "outsider": outsider,
        "mine": alarm("milestone_overdue", 1, zhang, level=1),
        "colleague": alarm("milestone_due", 2, li),
        "elsewhere": alarm("milestone_overdue", 3, outsider, level=3),
    }


def rows(response) -> list[int]:
    return [row["alarm"].pk for row in response.context["rows"]]


def test_a_user_sees_and_acknowledges_their_own_alarm(client, team):
    client.force_login(team["zhang"])
    page = client.get(reverse("milestones:alarms"))
    assert rows(page) == [team["mine"].pk]
    assert 'id="alarms-department"' not in page.content.decode()  # not a head: no department tab
    response = client.post(reverse("milestones:alarm-acknowledge", args=[team["mine"].pk]), follow=True)
    assert "Alarm acknowledged." in response.content.decode()
    team["mine"].refresh_from_db()
    assert team["mine"].acknowledged_by == team["zhang"]
    assert (timezone.now() - team["mine"].acknowledged_at).total_seconds() < 60
    assert "张伟 on " in response.content.decode()  # who, family name first, and when


def test_acknowledging_someone_elses_alarm_is_refused_and_changes_nothing(client, team):
    client.force_login(team["zhang"])
    response = client.post(reverse("milestones:alarm-acknowledge", args=[team["colleague"].pk]), follow=True)
    assert (
        "You may not acknowledge this alarm: it was not sent to you nor to anyone in a department you head."
        in response.content.decode()
    )
    team["colleague"].refresh_from_db()
    assert team["colleague"].acknowledged_at is None and team["colleague"].acknowledged_by is None
    with pytest.raises(PermissionDenied):
        services.alarm_acknowledge(actor=team["outsider"], alarm_id=team["mine"].pk)


def test_a_head_sees_the_departments_alarms_and_may_acknowledge_them(client, team):
    client.force_login(team["head"])
    assert rows(client.get(reverse("milestones:alarms"))) == []  # none sent to the head personally
    page = client.get(reverse("milestones:alarms"), {"scope": "department"})
    assert rows(page) == [team["colleague"].pk, team["mine"].pk]  # newest first; never the sales department's
    assert [row["alarm"].may_acknowledge for row in page.context["rows"]] == [True, True]
    client.post(reverse("milestones:alarm-acknowledge", args=[team["colleague"].pk]))
    team["colleague"].refresh_from_db()
    assert team["colleague"].acknowledged_by == team["head"]
    with pytest.raises(Conflict, match="already acknowledged by 王建国"):
        services.alarm_acknowledge(actor=team["li"], alarm_id=team["colleague"].pk)


def test_a_head_cannot_reach_another_departments_alarm(client, team):
    client.force_login(team["head"])
    response = client.post(reverse("milestones:alarm-acknowledge", args=[team["elsewhere"].pk]), follow=True)
    assert "You may not acknowledge this alarm" in response.content.decode()
    team["elsewhere"].refresh_from_db()
    assert team["elsewhere"].acknowledged_at is None


def test_the_navbar_leads_to_alarms_and_receivables(client, team):
    client.force_login(team["zhang"])
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("milestones:alarms")}" id="nav-alarms"' in page
    assert f'href="{reverse("payments:receivables")}" id="nav-receivables"' in page


def test_alarm_page_in_chinese(client, team):
    client.force_login(team["zhang"])
    page = client.get(reverse("milestones:alarms"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预警" in page and "确认" in page and "我的部门" not in page


def test_alarm_page_queries_do_not_grow(client, team, count_queries):
    client.force_login(team["head"])
    url = reverse("milestones:alarms") + "?scope=department"
    two = count_queries(lambda: client.get(url))
    for n in range(20):
        a = alarm("milestone_due", 100 + n, team["li"])
        if n % 2:
            services.alarm_acknowledge(actor=team["li"], alarm_id=a.pk)
    assert count_queries(lambda: client.get(url)) == two
    assert len(client.get(url).context["rows"]) == 22


def test_the_api_acknowledges_and_refuses_like_the_page(client_for, team):
    url = f"/api/v1/alarms/{team['mine'].pk}/acknowledge/"
    refused = client_for(team["li"]).post(url)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("You may not acknowledge this alarm")
    done = client_for(team["zhang"]).post(url)
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == team["zhang"].pk and done.json()["acknowledged_at"]
    again = client_for(team["head"]).post(url)
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    assert "already acknowledged by 张伟" in again.json()["detail"]
    assert client_for(team["zhang"]).post("/api/v1/alarms/999999/acknowledge/").status_code == 404
