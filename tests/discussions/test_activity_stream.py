"""A project's discussion posts join its activity stream, for whoever sees the project."""

from __future__ import annotations

import pytest

from backend.discussions import services
from backend.projects.timeline import project_timeline

pytestmark = pytest.mark.django_db


def test_posts_join_the_project_stream(team, thread):
    reply = services.post_create(actor=team["pm"], thread_id=thread.pk, body="同意，  下周\n评审。")

    entries = project_timeline(project=team["project"], user=team["engineer"], kinds=["post"])
    assert [(e.title, e.actor, e.detail) for e in entries] == [
        ("方案评审", team["pm"], "同意， 下周 评审。"),
        ("方案评审", team["presales"], "请大家看一下方案。"),
    ]
    assert entries[0].url == f"/discussions/threads/{thread.pk}/#post-{reply.pk}"
    assert project_timeline(project=team["project"], user=team["outsider"], kinds=["post"]) == []
