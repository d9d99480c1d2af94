"""The service report and the service KPIs over eight hand-built requests in May 2026; every expected figure
is worked out in the comments from the table below (R7's first survey was superseded unanswered).

    req cust cat       engineer SLA created  1st resp (min, breached)  resolved (min, breached)  closed  survey
    R1  甲   hardware  张伟     yes 05-04    05-04  30  no             05-05  300  no              05-06   05-06 → 5
    R2  甲   software  张伟     yes 05-06    05-06  90  yes            05-08  600  yes             05-09   05-09 → 3
    R3  乙   hardware  李娜     yes 05-10    05-10  60  no             05-12  900  no              05-13   05-13 (open)
    R4  乙   network   李娜     no  05-11    05-11 180  no             05-11  240  no              —       —
    R5  甲   hardware  李娜     yes 05-20    — (due 05-20, breached)   — (due 05-25, breached)   —       —
    R6  乙   software  —        yes 05-28    — (due 06-01)             — (due 06-03)             —       —
    R7  甲   hardware  张伟     yes 04-20    04-20  45  no             05-02 1200  no              05-03   05-01 old,
                                                                                                    05-03 → 4
    R8  乙   hardware  张伟     yes 06-02    06-02  10  no             06-03   60  no              —       —
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backend.service.choices import RequestStatus
from backend.service.models import ServiceRequest, Survey
from reports.models import KpiDimension
from tests.factories import CsatServiceRequestFactory, CsatSlaPolicyFactory, CustomerFactory, UserFactory
from tests.reports.conftest import at, table

pytestmark = pytest.mark.django_db
MAY = {"date_from": "2026-05-01", "date_to": "2026-05-31"}


class World:
    pass


def _request(w, name, customer, category, engineer, created, *, sla=True, **fields):
    request = CsatServiceRequestFactory(
        customer=customer,
        category=category,
        assignee=engineer,
        created_by=w.agent,
        created_at=at(created),
        sla_policy=w.policy if sla else None,
        subject=name,
        **fields,
    )
    setattr(w, name, request)
    return request


def _survey(request, sent, answered=None, score=None):
    return Survey.objects.create(
        request=request,
        nonce=f"n{request.pk}{sent}",
        sent_at=at(sent),
        expires_at=at("2026-12-31"),
        answered_at=at(answered) if answered else None,
        score=score,
    )


@pytest.fixture
def service_world(db):
    w = World()
    w.exec = UserFactory(username="exec", first_name="Eve", last_name="Exec", roles=["exec"])
    w.agent = UserFactory(username="agent", roles=["service"])
    w.zhang = UserFactory(username="zhangwei", first_name="伟", last_name="张", roles=["engineer"])
    w.li = UserFactory(username="lina", first_name="娜", last_name="李", roles=["engineer"])
    w.jia = CustomerFactory(name="甲公司")
    w.yi = CustomerFactory(name="乙公司")
    w.policy = CsatSlaPolicyFactory()
    closed, resolved = RequestStatus.CLOSED, RequestStatus.RESOLVED
    _request(
        w, "R1", w.jia, "hardware", w.zhang, "2026-05-04", status=closed,
        first_response_at=at("2026-05-04", 11), response_minutes=30,
        resolved_at=at("2026-05-05"), resolution_minutes=300, closed_at=at("2026-05-06"),
    )  # fmt: skip
    _request(
        w, "R2", w.jia, "software", w.zhang, "2026-05-06", status=closed,
        first_response_at=at("2026-05-06", 12), response_minutes=90, response_breached=True,
        resolved_at=at("2026-05-08"), resolution_minutes=600, resolution_breached=True, closed_at=at("2026-05-09"),
    )  # fmt: skip
    _request(
        w, "R3", w.yi, "hardware", w.li, "2026-05-10", status=closed,
        first_response_at=at("2026-05-10", 11), response_minutes=60,
        resolved_at=at("2026-05-12"), resolution_minutes=900, closed_at=at("2026-05-13"),
    )  # fmt: skip
    _request(
        w, "R4", w.yi, "network", w.li, "2026-05-11", sla=False, status=resolved,
        first_response_at=at("2026-05-11", 13), response_minutes=180,
        resolved_at=at("2026-05-11", 15), resolution_minutes=240,
    )  # fmt: skip
    _request(
        w, "R5", w.jia, "hardware", w.li, "2026-05-20", status=RequestStatus.ASSIGNED,
        response_due_at=at("2026-05-20", 14), response_breached=True,
        resolution_due_at=at("2026-05-25"), resolution_breached=True,
    )  # fmt: skip
    _request(
        w, "R6", w.yi, "software", None, "2026-05-28", response_due_at=at("2026-06-01"),
        resolution_due_at=at("2026-06-03"),
    )  # fmt: skip
    _request(
        w, "R7", w.jia, "hardware", w.zhang, "2026-04-20", status=closed,
        first_response_at=at("2026-04-20", 11), response_minutes=45,
        resolved_at=at("2026-05-02"), resolution_minutes=1200, closed_at=at("2026-05-03"),
    )  # fmt: skip
    _request(
        w, "R8", w.yi, "hardware", w.zhang, "2026-06-02", status=resolved,
        first_response_at=at("2026-06-02", 11), response_minutes=10,
        resolved_at=at("2026-06-03"), resolution_minutes=60,
    )  # fmt: skip
    _survey(w.R1, "2026-05-06", "2026-05-07", 5)
    _survey(w.R2, "2026-05-09", "2026-05-10", 3)
    _survey(w.R3, "2026-05-13")
    _survey(w.R7, "2026-05-01")  # closed once, reopened: superseded unanswered, not counted
    _survey(w.R7, "2026-05-03", "2026-05-04", 4)
    return w


def get(client_for, user, name="service", **params):
    response = client_for(user).get(f"/api/v1/reports/{name}/", {**MAY, **params})
    assert response.status_code == 200, response.content
    return response.json()


def metrics(body):
    return {m["key"]: m["value"] for m in body["metrics"]}


def test_totals(client_for, service_world):
    body = get(client_for, service_world.exec)
    assert metrics(body) == {
        "created": 6,  # R1–R6 (R7 in April, R8 in June)
        "resolved": 5,  # R1 R2 R3 R4 R7
        "closed": 4,  # R1 R2 R3 R7
        "response_sla": 50.0,  # met R1 R3; missed R2, R5 (running, due 05-20); R4 no SLA; R7 answered in April
        "resolution_sla": 60.0,  # met R1 R3 R7; missed R2, R5 (running, due 05-25)
        "response_avg": 1.5,  # (30 + 90 + 60 + 180) / 4 = 90 min
        "response_median": 1.0,  # 30 60 | 90 180 → 60 min
        "resolution_avg": 10.8,  # (300 + 600 + 900 + 240 + 1200) / 5 = 648 min
        "resolution_median": 10.0,  # 240 300 [600] 900 1200
        "csat_avg": 4.0,  # (5 + 3 + 4) / 3
        "surveys_answered": 3,
        "survey_rate": 75.0,  # S1 S2 S7b answered of S1 S2 S3 S7b (S7a superseded unanswered)
    }


def test_by_engineer(client_for, service_world):
    rows = table(get(client_for, service_world.exec), "by_engineer")
    assert set(rows) == {"张伟", "李娜", "Unassigned"}
    zhang, li, nobody = rows["张伟"], rows["李娜"], rows["Unassigned"]
    # 张伟: R1 R2 (created), R1 R2 R7 (resolved, closed)
    assert (zhang["created"], zhang["resolved"], zhang["closed"]) == (2, 3, 3)
    assert (zhang["response_sla"], zhang["resolution_sla"]) == (50.0, 66.7)  # R1 / R2; R1 R7 / R2
    assert (zhang["response_avg"], zhang["response_median"]) == (1.0, 0.5)  # 30 90
    assert (zhang["resolution_avg"], zhang["resolution_median"]) == (11.7, 10.0)  # 300 600 1200 → 700, 600
    assert (zhang["surveys_answered"], zhang["csat_avg"], zhang["survey_rate"]) == (3, 4.0, 100.0)
    # 李娜: R3 R4 R5
    assert (li["created"], li["resolved"], li["closed"]) == (3, 2, 1)
    assert (li["response_sla"], li["resolution_sla"]) == (50.0, 50.0)  # R3 met, R5 missed (both clocks)
    assert (li["response_avg"], li["response_median"]) == (2.0, 1.0)  # 60 180
    assert (li["resolution_avg"], li["resolution_median"]) == (9.5, 4.0)  # 900 240
    assert (li["surveys_answered"], li["csat_avg"], li["survey_rate"]) == (0, None, 0.0)  # S3 unanswered
    # R6 has nobody yet
    assert (nobody["created"], nobody["resolved"], nobody["response_sla"], nobody["response_avg"]) == (1, 0, None, None)


def test_by_customer_and_category(client_for, service_world):
    body = get(client_for, service_world.exec)
    customers = table(body, "by_customer")
    assert set(customers) == {"甲公司", "乙公司"}
    jia, yi = customers["甲公司"], customers["乙公司"]
    # 甲: R1 R2 R5 R7
    assert (jia["created"], jia["resolved"], jia["closed"]) == (3, 3, 3)
    assert (jia["response_sla"], jia["resolution_sla"]) == (33.3, 50.0)  # R1 / R2 R5; R1 R7 / R2 R5
    assert (jia["response_avg"], jia["resolution_avg"], jia["resolution_median"]) == (1.0, 11.7, 10.0)
    assert (jia["csat_avg"], jia["survey_rate"]) == (4.0, 100.0)
    # 乙: R3 R4 R6 (R8 in June)
    assert (yi["created"], yi["resolved"], yi["closed"]) == (3, 2, 1)
    assert (yi["response_sla"], yi["resolution_sla"]) == (100.0, 100.0)
    assert (yi["response_avg"], yi["response_median"], yi["resolution_avg"]) == (2.0, 1.0, 9.5)
    assert (yi["surveys_answered"], yi["survey_rate"]) == (0, 0.0)
    categories = table(body, "by_category")
    assert set(categories) == {"Hardware fault", "Software issue", "Network fault"}
    hardware, software, network = (categories[k] for k in ("Hardware fault", "Software issue", "Network fault"))
    # hardware: R1 R3 R5 R7
    assert (hardware["created"], hardware["resolved"], hardware["closed"]) == (3, 3, 3)
    assert (hardware["response_sla"], hardware["resolution_sla"]) == (66.7, 75.0)
    assert (hardware["response_avg"], hardware["resolution_avg"]) == (0.8, 13.3)  # 30 60 → 45; 300 900 1200 → 800
    assert hardware["csat_avg"] == 4.5  # S1 5, S7b 4 (S3 unanswered)
    # software: R2 R6
    assert (software["created"], software["resolved"], software["response_sla"], software["resolution_sla"]) == (
        2,
        1,
        0.0,
        0.0,
    )
    assert (network["created"], network["resolved"], network["closed"], network["response_sla"]) == (1, 1, 0, None)


def test_an_engineer_sees_only_their_requests(client_for, service_world):
    body = get(client_for, service_world.zhang)
    # R1 R2 R7 (R8 in June): the totals are their own
    assert {k: metrics(body)[k] for k in ("created", "resolved", "closed", "resolution_sla", "csat_avg")} == {
        "created": 2,
        "resolved": 3,
        "closed": 3,
        "resolution_sla": 66.7,
        "csat_avg": 4.0,
    }
    assert set(table(body, "by_engineer")) == {"张伟"}
    assert set(table(body, "by_customer")) == {"甲公司"}


def test_filters_narrow_to_an_engineer(client_for, service_world):
    body = get(client_for, service_world.exec, owner=service_world.li.pk)
    assert (metrics(body)["created"], metrics(body)["resolved"], metrics(body)["closed"]) == (3, 2, 1)


def test_csv_and_xlsx_hold_the_same_figures_as_the_json(client_for, service_world):
    from tests.reports.test_pages_and_exports import json_sections

    client = client_for(service_world.exec)
    body = client.get("/api/v1/reports/service/", MAY).json()
    expected = [["" if v is None else str(v) for v in row] for row in json_sections(body)]
    assert len(expected) == 1 + 2 + 3 + 3  # the headline figures, 2 customers, 3 categories, 3 engineer rows
    lines = list(
        csv.reader(
            io.StringIO(client.get("/api/v1/reports/service/", {**MAY, "format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    data = [line for line in lines if line and line not in ([body["title"]],)]
    for row in expected:
        assert row in data
    book = load_workbook(io.BytesIO(client.get("/api/v1/reports/service/", {**MAY, "format": "xlsx"}).content))
    values = [list(r) for sheet in book.worksheets for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(values) == len(expected)
    for got, want in zip(values, json_sections(body), strict=True):
        assert [None if v == "" else v for v in got] == [None if v == "" else v for v in want]


def test_export_and_page(client_for, service_world, client):
    response = client_for(service_world.exec).get("/api/v1/reports/service/", {**MAY, "format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "张伟" in text and "甲公司" in text
    response = client_for(service_world.exec).get("/api/v1/reports/service/", {**MAY, "format": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    client.force_login(service_world.exec)
    page = client.get("/reports/service/", {**MAY}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "张伟" in page.content.decode()


def test_query_count_does_not_grow(client_for, service_world, count_queries):
    w = service_world
    client = client_for(w.exec)
    client.get("/api/v1/reports/service/", MAY)  # warm the caches (roles, content types)
    before = count_queries(lambda: client.get("/api/v1/reports/service/", MAY))
    for i in range(40):
        request = _request(
            w, f"X{i}", w.jia if i % 2 else w.yi, "hardware", w.li, "2026-05-15",
            status=RequestStatus.CLOSED, first_response_at=at("2026-05-15", 11), response_minutes=i,
            resolved_at=at("2026-05-16"), resolution_minutes=10 * i, closed_at=at("2026-05-17"),
        )  # fmt: skip
        _survey(request, "2026-05-17", "2026-05-18", 1 + i % 5)
    assert ServiceRequest.objects.count() == 48
    after = count_queries(lambda: client.get("/api/v1/reports/service/", MAY))
    assert metrics(get(client_for, w.exec))["created"] == 46
    assert after == before
    # 4 grouped request queries (total, customer, category, engineer), 4 survey ones, 2 of medians, and the
    # request's own (user, roles, transaction)
    assert before <= 16, before


# --- KPIs -------------------------------------------------------------------------------------------------


def test_service_kpis_per_person(client_for, service_world):
    people = table(get(client_for, service_world.exec, name="kpis"), "people")
    zhang, li = people["张伟"], people["李娜"]
    # 张伟 resolved R1 R2 R7 in May, all with an SLA, R2 late: 2 / 3; surveys answered in May: 5, 3, 4
    assert (zhang["service_resolved"], zhang["service_sla"], zhang["csat"]) == (3, 66.7, 4.0)
    # 李娜 resolved R3 (SLA, met) and R4 (no SLA): 1 / 1; no answered survey
    assert (li["service_resolved"], li["service_sla"], li["csat"]) == (2, 100.0, None)
    assert people["Eve Exec"]["service_resolved"] == 0 and people["Eve Exec"]["service_sla"] is None


def test_service_kpi_dimensions_exist_with_weight_zero_and_score_when_weighted(client_for, service_world):
    dims = {d.code: d for d in KpiDimension.objects.filter(code__in=["service_sla", "service_csat"])}
    assert {(c, d.metric, d.weight, d.is_active) for c, d in dims.items()} == {
        ("service_sla", "service_sla", 0, True),
        ("service_csat", "service_csat", 0, True),
    }
    # weight 0: nobody's composite moves (张伟 has only zeros in the sales figures: none of the sales weights
    # find a best person above 0, win rate and milestones are empty, so no composite at all)
    assert table(get(client_for, service_world.exec, name="kpis"), "people")["张伟"]["composite"] is None
    # weighted alone: SLA 66.7 and satisfaction 4.0 × 20 = 80 → (66.67 + 80) / 2 = 73.3; 李娜 100 (no CSAT)
    KpiDimension.objects.exclude(code__in=dims).update(weight=0)
    KpiDimension.objects.filter(code__in=dims).update(weight=1)
    people = table(get(client_for, service_world.exec, name="kpis"), "people")
    assert people["张伟"]["composite"] == 73.3
    assert people["李娜"]["composite"] == 100.0
    assert Decimal(str(people["张伟"]["service_sla"])) == Decimal("66.7")
