"""/api/v1/activities/: create, filters, complete, errors as {"detail", "code"}, 404 for what one cannot see."""

from __future__ import annotations

import pytest

from backend.activities import services
from backend.customers.models import Interaction
from tests.activities.conftest import at

pytestmark = pytest.mark.django_db


def test_create_filter_and_complete_a_call(team, client_for):
    client = client_for(team["alice"])
    created = client.post(
        "/api/v1/activities/",
        {
            "kind": "call",
            "subject": "电话回访",
            "starts_at": "2026-12-02T10:00:00+08:00",
            "customer": team["customer"].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["owner"], body["status"], body["due_at"]) == (team["alice"].pk, "open", "2026-12-02T10:00:00+08:00")
    services.activity_create(actor=team["alice"], subject="待办", starts_at=at(2026, 12, 5))

    listed = client.get(f"/api/v1/activities/?kind=call&customer={team['customer'].pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["subject"] for r in rows] == ["电话回访"]
    ranged = client.get("/api/v1/activities/?due_after=2026-12-04T00:00:00%2B08:00").json()
    rows = ranged["results"] if isinstance(ranged, dict) else ranged
    assert [r["subject"] for r in rows] == ["待办"]

    done = client.post(f"/api/v1/activities/{body['id']}/complete/", {"notes": "已答复"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert Interaction.objects.get().summary == "电话回访"
    again = client.post(f"/api/v1/activities/{body['id']}/complete/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "activity_not_open"


def test_two_links_is_a_400_and_nothing_is_written(team, client_for):
    client = client_for(team["alice"])
    response = client.post(
        "/api/v1/activities/",
        {
            "subject": "x",
            "starts_at": "2026-12-02T10:00:00+08:00",
            "customer": team["customer"].pk,
            "project": team["project"].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_links"
    assert client.get("/api/v1/activities/").json() in ([], {"count": 0, "next": None, "previous": None, "results": []})


def test_an_activity_one_cannot_see_is_a_404(team, client_for):
    activity = services.activity_create(actor=team["alice"], subject="私事", starts_at=at(2026, 12, 2))
    assert client_for(team["bob"]).get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    assert client_for(team["bob"]).post(f"/api/v1/activities/{activity.pk}/complete/").status_code == 404


def test_a_time_outside_the_stored_range_is_a_400(team, client_for):
    response = client_for(team["alice"]).post(
        "/api/v1/activities/",
        {"subject": "x", "starts_at": "9999-12-31T23:00:00+08:00", "all_day": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "out_of_range"
