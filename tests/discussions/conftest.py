"""Fixtures of the discussion tests: a project with a small team, a colleague outside it, and a tender."""

from __future__ import annotations

import pytest

from tests.factories import ProjectFactory


@pytest.fixture
def team(db, make_user):
    """``presales`` owns the project, ``pm`` and ``engineer`` are members; ``outsider`` sees nothing of it."""
    from backend.projects.models import ProjectMember

    people = {
        "presales": make_user("presales", "presales", first_name="伟", last_name="张"),
        "pm": make_user("pm", "pm", first_name="Alice", last_name="Smith"),
        "engineer": make_user("engineer", "engineer", first_name="Bob", last_name="Jones"),
        "outsider": make_user("outsider", "bid_manager", first_name="Carol", last_name="White"),
    }
    project = ProjectFactory(owner=people["presales"], name="数据中心扩容 DC expansion")
    ProjectMember.objects.create(project=project, user=people["pm"], role="pm")
    ProjectMember.objects.create(project=project, user=people["engineer"], role="engineer")
    people["project"] = project
    return people


@pytest.fixture
def tender(db, team):
    from backend.tenders.models import Tender

    return Tender.objects.create(number="ZB-2026-001", title="机房改造招标", buyer="某银行", owner=team["presales"])


@pytest.fixture
def thread(team):
    from backend.discussions import services

    return services.thread_create(
        actor=team["presales"], project_id=team["project"].pk, title="方案评审", body="请大家看一下方案。"
    )
