"""The project's activity stream: state changes, decisions and documents merged newest first, filtered by
kind, in the reader's language, in the same number of queries however much the project holds."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from backend.milestones import services as delivery_services
from backend.projects.timeline import project_timeline
from tests.milestones.conftest import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db


def _upload(project, engineer, count: int) -> None:
    first = project.milestones.order_by("order").first()
    deliverable = delivery_services.deliverable_upload(
        actor=engineer, milestone=first, doc_type="design", title="总体设计方案", name="design.docx", data=docx_bytes()
    )
    for n in range(count - 1):
        delivery_services.deliverable_add_version(
            actor=engineer, deliverable=deliverable, name=f"design-v{n + 2}.pdf", data=PDF_BYTES + bytes([n])
        )


def test_stream_merges_kinds_newest_first_and_filters(kicked_off):
    project, pm, engineer = kicked_off["project"], kicked_off["pm"], kicked_off["engineer"]
    _upload(project, engineer, 2)

    entries = project_timeline(project=project, user=pm)
    kinds = [entry.kind for entry in entries]
    # the two files came after the kickoff, which came after the project was created
    assert kinds[:2] == ["document", "document"]
    assert [e.title for e in entries[:2]] == ["总体设计方案, version 2", "总体设计方案, version 1"]
    events = [e for e in entries if e.kind == "event"]
    assert events[0].title == "Kick off delivery" and events[0].actor == pm
    assert events[-1].title == "Created"

    only_documents = project_timeline(project=project, user=pm, kinds=["document"])
    assert [e.kind for e in only_documents] == ["document", "document"]
    assert project_timeline(project=project, user=pm, kinds=["decision"]) == []


def test_stream_tab_in_chinese_with_filter(kicked_off, client):
    project, pm, engineer = kicked_off["project"], kicked_off["pm"], kicked_off["engineer"]
    _upload(project, engineer, 1)
    client.force_login(pm)
    url = reverse("projects:detail", args=[project.pk])
    html = client.get(url, {"tab": "timeline"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "活动流" in html and "启动实施" in html
    assert "总体设计方案, version 1" not in html  # the title reads in Chinese too
    assert re.findall(r'data-kind="(\w+)"', html)[0] == "document"

    filtered = client.get(url + "?tab=timeline&kind=event", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert set(re.findall(r'data-kind="(\w+)"', filtered)) == {"event"}


def test_outsider_gets_404_on_the_stream(kicked_off, client, make_user):
    client.force_login(make_user("stranger", "presales"))
    response = client.get(reverse("projects:detail", args=[kicked_off["project"].pk]), {"tab": "timeline"})
    assert response.status_code == 404


def test_stream_queries_do_not_grow_with_the_project(kicked_off, client, count_queries):
    project, pm, engineer = kicked_off["project"], kicked_off["pm"], kicked_off["engineer"]
    client.force_login(pm)
    url = reverse("projects:detail", args=[project.pk]) + "?tab=timeline"
    _upload(project, engineer, 2)
    few = count_queries(lambda: client.get(url))
    _upload(project, engineer, 12)
    html = client.get(url).content.decode()
    assert html.count('data-kind="document"') == 14
    assert count_queries(lambda: client.get(url)) == few
