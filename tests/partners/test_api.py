"""/api/v1/partners/: list with grade, terms, figures and reasons; the grade filter; create and update of the
profile; trainings and certifications with their validation (400 {"detail","code"}); permissions (403 for
those who may not change partners); the grades; the OpenAPI schema; a query count flat for 5 and 50 rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.partners.models import PartnerProfile
from backend.partners.services import partner_regrade
from tests.partners.conftest import certification, local, make_partner, trainings, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {"bidmgr": make_user("bidmgr", "bid_manager"), "engineer": make_user("engineer", "engineer")}


@pytest.fixture
def graded(grades):
    """Graded today: 金信 silver (2 trainings, 3 years, ¥1,500,000, 1 certification), 青松 registered."""
    today = timezone.localdate()
    silver = make_partner("金信科技", since=today.replace(year=today.year - 3))
    trainings(silver, today - timedelta(days=10), today - timedelta(days=40))
    certification(silver, "华为认证", today - timedelta(days=100), today + timedelta(days=300))
    won(silver, "1500000", timezone.now() - timedelta(days=20))
    registered = make_partner("青松信息")
    partner_regrade()
    return {"silver": silver, "registered": registered}


def test_list_shows_grade_terms_figures_and_reasons(graded, people, client_for):
    answer = client_for(people["engineer"]).get("/api/v1/partners/")
    assert answer.status_code == 200
    rows = {r["name"]: r for r in answer.json()["results"]}
    silver = rows["金信科技"]
    assert silver["grade"]["code"] == "silver"
    assert (silver["grade"]["discount_ceiling"], silver["grade"]["credit_limit"]) == ("10.00", "1000000.00")
    assert silver["grade"]["support_level"] == "5x8"
    assert (silver["trainings_12m"], silver["volume_12m"], silver["valid_certifications"]) == (2, "1500000.00", 1)
    assert silver["cooperation_years"] == 3
    assert silver["reasons"][4] == {
        "grade": "gold",
        "criterion": "trainings",
        "text": "2 trainings in 12 months (Gold needs 4)",
        "met": False,
    }
    assert rows["青松信息"]["grade"]["code"] == "registered"


def test_filter_by_grade(graded, people, client_for):
    client = client_for(people["engineer"])
    assert [r["name"] for r in client.get("/api/v1/partners/?grade=silver").json()["results"]] == ["金信科技"]
    assert [r["name"] for r in client.get("/api/v1/partners/?grade=registered").json()["results"]] == ["青松信息"]
    bad = client.get("/api/v1/partners/?grade=platinum")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_grade"
    assert "platinum is not a partner grade" in bad.json()["detail"]


def test_create_and_lock_the_grade(graded, people, client_for):
    client = client_for(people["bidmgr"])
    created = client.post("/api/v1/partners/", {"name": "远山系统", "kind": "subcontractor"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["grade"]["code"] == "registered"
    duplicate = client.post("/api/v1/partners/", {"name": "远山系统"}, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (400, "duplicate")
    pk = created.json()["id"]
    locked = client.patch(f"/api/v1/partners/{pk}/", {"grade_lock": "gold", "cooperation_since": "2020-01-01"})
    assert locked.status_code == 200, locked.content
    assert (locked.json()["grade"]["code"], locked.json()["grade_manual"]) == ("gold", True)
    assert locked.json()["cooperation_since"] == "2020-01-01"
    wrong = client.patch(f"/api/v1/partners/{pk}/", {"grade_lock": "platinum"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_grade")
    back = client.patch(f"/api/v1/partners/{pk}/", {"grade_lock": ""})
    assert (back.json()["grade"]["code"], back.json()["grade_manual"]) == ("registered", False)


def test_trainings_and_certifications(graded, people, client_for):
    client = client_for(people["bidmgr"])
    pk = graded["silver"].pk
    today = timezone.localdate()
    for n in range(2):
        made = client.post(
            f"/api/v1/partners/{pk}/trainings/",
            {"course": f"售后培训 {n}", "held_on": (today - timedelta(days=n + 1)).isoformat(), "attendees": 3},
        )
        assert made.status_code == 201, made.content
    listed = client.get(f"/api/v1/partners/{pk}/trainings/").json()
    assert len(listed) == 4
    for n in range(2):
        made = client.post(
            f"/api/v1/partners/{pk}/certifications/",
            {"name": f"ITSS {n}", "issued": "2025-01-01", "valid_until": (today + timedelta(days=9)).isoformat()},
        )
        assert made.status_code == 201, made.content
    # 4 trainings and 3 certifications now, but ¥1,500,000 is short of gold's ¥5,000,000
    row = client.get(f"/api/v1/partners/{pk}/").json()
    assert (row["trainings_12m"], row["valid_certifications"], row["grade"]["code"]) == (4, 3, "silver")
    assert [r["met"] for r in row["reasons"][4:]] == [True, True, False, True]


def test_validation_errors_are_400_with_detail_and_code(graded, people, client_for):
    client = client_for(people["bidmgr"])
    pk = graded["silver"].pk
    backwards = client.post(
        f"/api/v1/partners/{pk}/certifications/", {"name": "CMMI", "issued": "2025-05-01", "valid_until": "2025-04-30"}
    )
    assert backwards.status_code == 400
    assert backwards.json()["code"] == "date_order"
    assert backwards.json()["detail"] == (
        "The certification is valid until 2025-04-30, before it was issued (2025-05-01)."
    )
    future = client.post(
        f"/api/v1/partners/{pk}/trainings/", {"course": "X", "held_on": (date.today() + timedelta(days=30)).isoformat()}
    )
    assert (future.status_code, future.json()["code"]) == (400, "date_in_future")
    zero = client.post(f"/api/v1/partners/{pk}/trainings/", {"course": "X", "held_on": "2025-01-01", "attendees": 0})
    assert zero.status_code == 400 and "detail" in zero.json()


def test_who_may_change(graded, people, client_for):
    client = client_for(people["engineer"])
    pk = graded["silver"].pk
    refused = client.post(f"/api/v1/partners/{pk}/trainings/", {"course": "X", "held_on": "2025-01-01"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert client.patch(f"/api/v1/partners/{pk}/", {"grade_lock": "gold"}).status_code == 403
    assert client.post("/api/v1/partners/", {"name": "新伙伴"}).status_code == 403
    assert PartnerProfile.objects.get(partner_id=pk).grade.code == "silver"
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/partners/").status_code in (401, 403)


def test_grades_endpoint_and_schema(grades, people, client_for):
    client = client_for(people["engineer"])
    listed = client.get("/api/v1/partner-grades/").json()
    assert [(g["code"], g["min_trainings"], g["discount_ceiling"]) for g in listed] == [
        ("gold", 4, "15.00"),
        ("silver", 2, "10.00"),
        ("registered", 0, "5.00"),
    ]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else {}
    text = schema.content.decode()
    assert "/api/v1/partners/{id}/certifications/" in (paths or text)


def test_list_queries_do_not_grow(grades, people, client_for, count_queries):
    client = client_for(people["engineer"])
    counts = []
    for start, end in ((0, 5), (5, 50)):
        for n in range(start, end):
            partner = make_partner(f"伙伴 {n:02d}")
            trainings(partner, timezone.localdate())
            won(partner, "100", local(2026, 1, 1))
        partner_regrade()
        counts.append(count_queries(lambda: client.get("/api/v1/partners/?page_size=100")))
    assert counts[0] == counts[1] <= 6
