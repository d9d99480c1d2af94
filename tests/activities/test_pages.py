"""Pages: the project's activities tab with its quick add, an activity's page with complete, and the calendar
read in Simplified Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from backend.activities import services
from backend.activities.models import Activity
from backend.customers.models import Interaction
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


def test_project_tab_lists_and_quick_adds(team, client):
    alice, project = team["alice"], team["project"]
    services.activity_create(actor=alice, subject="项目周会", starts_at=at(2026, 12, 2, 10), project=project)
    client.force_login(alice)
    html = client.get(f"/projects/{project.pk}/?tab=activities").content.decode()
    assert 'id="activities-tab"' in html and "项目周会" in html
    response = client.post(
        f"/activities/project/{project.pk}/add/",
        {"activity-kind": "call", "activity-subject": "电话确认需求", "activity-starts_at": "2026-12-03T09:00"},
    )
    assert response.status_code == 302
    added = Activity.objects.get(subject="电话确认需求")
    assert (added.project_id, added.owner_id, added.kind, added.starts_at) == (
        project.pk,
        alice.pk,
        "call",
        at(2026, 12, 3, 9),
    )


def test_quick_add_on_a_project_one_cannot_see_is_a_404(team, client):
    client.force_login(team["bob"])
    response = client.post(
        f"/activities/project/{team['project'].pk}/add/",
        {"activity-kind": "call", "activity-subject": "x", "activity-starts_at": "2026-12-03T09:00"},
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_complete_a_visit_from_its_page(team, client):
    alice = team["alice"]
    visit = services.activity_create(
        actor=alice, kind="visit", subject="拜访陈经理", starts_at=at(2026, 11, 20, 10), contact=team["contact"]
    )
    client.force_login(alice)
    assert 'id="complete-form"' in client.get(f"/activities/{visit.pk}/").content.decode()
    done = client.post(f"/activities/{visit.pk}/complete/", {"notes": "谈妥了", "next": "/\\evil.example/"})
    assert done.status_code == 302 and done["Location"] == f"/activities/{visit.pk}/"  # never off-site
    visit.refresh_from_db()
    assert visit.status == "done"
    assert Interaction.objects.get().summary == "拜访陈经理"
    reopened = client.post(f"/activities/{visit.pk}/reopen/", {"next": "/activities/?view=week"})
    assert reopened["Location"] == "/activities/?view=week"
    client.force_login(team["bob"])
    assert client.get(f"/activities/{visit.pk}/").status_code == 404


def test_calendar_and_dashboard_in_chinese(team, client):
    client.force_login(team["alice"])
    services.activity_create(actor=team["alice"], kind="demo", subject="产品演示", starts_at=at(2026, 12, 2, 10))
    with translation.override("zh-hans"):
        html = client.get("/activities/?view=agenda&date=2026-12-01", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的日历" in html and "日程列表" in html and "产品演示" in html
    assert "My calendar" not in html and "Agenda" not in html
