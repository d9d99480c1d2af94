"""Tender API: create with routing, duplicate numbers refused, create-project carries the tender over."""

import pytest

from backend.projects.models import Project
from backend.tenders.models import Tender
from workflows.models import RoutingRule

pytestmark = pytest.mark.django_db


def test_tender_routing_duplicate_and_create_project(client_for, org):
    RoutingRule.objects.create(name="Energy to head", order=1, industry="energy", assign_owner=org["head"])
    client = client_for(org["bidmgr"])
    payload = {
        "number": "ZB-2026-0001",
        "title": "变电站视频监控系统",
        "buyer": "国网某省电力公司",
        "budget": "2800000.00",
        "industry": "energy",
        "region": "north",
        "bid_deadline": "2026-12-20T09:30:00+08:00",
        "opening_date": "2026-12-20T10:00:00+08:00",
    }
    created = client.post("/api/v1/tenders/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["owner"]["username"] == "head" and body["routing_rule_name"] == "Energy to head"
    duplicate = client.post("/api/v1/tenders/", {**payload, "title": "again"}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "duplicate_tender"
    assert Tender.objects.count() == 1
    project = client.post(f"/api/v1/tenders/{body['id']}/create-project/", {}, format="json")
    assert project.status_code == 201, project.json()
    made = Project.objects.get()
    assert made.tender_id == body["id"] and made.estimated_amount == 2_800_000
    assert made.customer.name == "国网某省电力公司" and made.owner == org["head"]
    assert "2026-12-20" in made.description


def test_only_sales_roles_create_tenders(client_for, make_user):
    engineer = make_user("eng", "engineer")
    response = client_for(engineer).post(
        "/api/v1/tenders/", {"number": "X-1", "title": "t", "buyer": "b"}, format="json"
    )
    assert response.status_code == 403 and not Tender.objects.exists()
