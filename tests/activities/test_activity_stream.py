"""A project's activities join its activity stream: a done one at the time it was done."""

from __future__ import annotations

import pytest

from backend.activities import services
from backend.projects.timeline import project_timeline
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


def test_activities_join_the_project_stream(team, make_user):
    alice, project = team["alice"], team["project"]
    services.activity_create(
        actor=alice, subject="项目例会", kind="meeting", starts_at=at(2026, 12, 1), project=project
    )
    call = services.activity_create(
        actor=alice, subject="回访客户", kind="call", starts_at=at(2026, 12, 2), project=project
    )
    services.activity_complete(actor=alice, activity=call)

    entries = project_timeline(project=project, user=alice, kinds=["activity"])
    assert [e.title for e in entries] == ["Call · 回访客户", "Meeting · 项目例会"]
    assert entries[0].detail.endswith("Done") and entries[0].url == f"/activities/{call.pk}/"
    # someone who does not see the project sees none of its activities in it
    assert project_timeline(project=project, user=make_user("outsider", "engineer"), kinds=["activity"]) == []
