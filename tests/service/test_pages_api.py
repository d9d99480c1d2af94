"""The service desk's pages and API: the hotline log an agent uses during a call, the request list and page in
简体中文, the forms' refusals, and the API's shapes, refusals and constant query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.service import services
from backend.service.models import RequestEvent, ServiceRequest
from tests.factories import ContactFactory, CustomerFactory
from tests.service.conftest import at

pytestmark = pytest.mark.django_db


def browser(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_hotline_finds_the_caller_by_phone_digits_and_shows_projects_warranty_and_open_requests(desk):
    services.request_create(actor=desk["agent"], customer=desk["customer"], subject="打印机卡纸", category="hardware")
    page = browser(desk["agent"]).get("/service/hotline/", {"q": "68881234"})
    html = page.content.decode()

    assert page.status_code == 200
    assert "上海银行" in html and "陈经理" in html and "021-6888 1234" in html
    # the covered project is under warranty until 2027-03-02; the old one is billable
    assert "P-2025-0007 核心网络改造" in html and "保修期内" in html and "至 2027-03-02" in html
    assert "P-2023-0003 机房建设" in html and "收费服务" in html
    assert "打印机卡纸" in html
    # one match: the form to log the request is there, with the caller and the covered project chosen
    assert 'id="call-form"' in html
    assert f'<option value="{desk["contact"].pk}" selected>' in html
    assert f'<option value="{desk["covered"].pk}" selected>' in html


def test_logging_a_call_from_the_hotline_creates_the_request_and_opens_it(desk):
    client = browser(desk["agent"])
    answer = client.post(
        "/service/hotline/?q=68881234",
        {
            "for_customer": desk["customer"].pk,
            "call-subject": "核心交换机风扇告警",
            "call-category": "hardware",
            "call-priority": "p2",
            "call-channel": "hotline",
            "call-contact": desk["contact"].pk,
            "call-project": desk["covered"].pk,
        },
    )
    request = ServiceRequest.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/service/{request.pk}/"
    assert (request.subject, request.contact, request.project, request.coverage) == (
        "核心交换机风扇告警",
        desk["contact"],
        desk["covered"],
        "warranty",
    )
    page = client.get(answer["Location"]).content.decode()
    assert "核心交换机风扇告警" in page and "新建" in page and "保修期内" in page and "首次响应" in page


def test_a_refused_hotline_form_says_why_and_writes_nothing(desk):
    stranger = ContactFactory(customer=CustomerFactory(name="外地客户"), name="路人")
    answer = browser(desk["agent"]).post(
        "/service/hotline/?q=68881234",
        {
            "for_customer": desk["customer"].pk,
            "call-subject": "",
            "call-category": "hardware",
            "call-priority": "p2",
            "call-channel": "hotline",
            "call-contact": stranger.pk,
        },
    )
    assert answer.status_code == 400
    assert ServiceRequest.objects.count() == 0
    html = answer.content.decode()
    assert "这个字段是必填项" in html or "此字段为必填项" in html


def test_only_the_desk_uses_the_hotline_log(desk):
    assert browser(desk["eng1"]).get("/service/hotline/").status_code == 404


def test_request_page_offers_the_moves_of_its_state_and_the_list_shows_the_queue(desk):
    request = services.request_create(
        actor=desk["agent"], customer=desk["customer"], subject="邮件系统无法登录", category="software"
    )
    agent = browser(desk["agent"])
    html = agent.get(f"/service/{request.pk}/").content.decode()
    assert 'id="assign-form"' in html and "data-transition=" not in html  # a new request is assigned first

    services.request_assign(actor=desk["agent"], request=request, assignee=desk["eng1"])
    engineer = browser(desk["eng1"])
    html = engineer.get(f"/service/{request.pk}/").content.decode()
    assert 'data-transition="start"' in html and 'data-transition="resolve"' in html
    assert 'data-transition="close"' not in html and 'id="assign-form"' not in html

    listing = agent.get("/service/", {"queue": "mine"}).content.decode()
    assert request.code not in listing
    listing = engineer.get("/service/", {"queue": "mine"}).content.decode()
    assert request.code in listing and "邮件系统无法登录" in listing and "杨磊" in listing


def test_resolving_from_the_page_without_a_solution_says_why(desk):
    request = services.request_create(
        actor=desk["agent"], customer=desk["customer"], subject="VPN 断线", assignee=desk["eng1"]
    )
    answer = browser(desk["eng1"]).post(f"/service/{request.pk}/resolve/", {"comment": "", "solution": ""}, follow=True)
    html = answer.content.decode()
    assert "请先填写解决方案再解决工单" in html or "describe the solution" in html
    request.refresh_from_db()
    assert request.status == "assigned"


def test_list_page_queries_do_not_grow_with_rows(desk, count_queries):
    client = browser(desk["agent"])

    def make(n: int) -> None:
        for i in range(n):
            services.request_create(
                actor=desk["agent"],
                customer=desk["customer"],
                subject=f"工单 {i}",
                assignee=desk["eng1"],
                project=desk["covered"],
            )

    make(5)
    few = count_queries(lambda: client.get("/service/"))
    make(45)
    many = count_queries(lambda: client.get("/service/"))
    assert few == many


# --- API ----------------------------------------------------------------------------------------------------


def test_api_creates_moves_and_refuses_by_name(desk, client_for):
    api = client_for(desk["agent"])
    created = api.post(
        "/api/v1/service-requests/",
        {
            "customer": desk["customer"].pk,
            "subject": "备份任务失败",
            "category": "software",
            "priority": "p2",
            "project": desk["covered"].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["code"].startswith("SR-") and body["status"] == "new" and body["coverage"] == "warranty"
    assert body["sla"]["response"]["state"] in ("running", "at_risk") and body["sla"]["resolution"]["due_at"]
    pk = body["id"]

    refused = api.post(f"/api/v1/service-requests/{pk}/transitions/close/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "transition_not_allowed"
    assert "is New" in refused.json()["detail"]

    assigned = api.post(f"/api/v1/service-requests/{pk}/assign/", {"assignee": desk["eng1"].pk}, format="json")
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    engineer = client_for(desk["eng1"])
    resolved = engineer.post(
        f"/api/v1/service-requests/{pk}/transitions/resolve/", {"solution": "重新配置备份策略"}, format="json"
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["solution"]) == ("resolved", "重新配置备份策略")
    trail = engineer.get(f"/api/v1/service-requests/{pk}/events/").json()
    assert [e["transition"] for e in trail] == ["create", "assign", "resolve"]


def test_api_bad_input_is_400_naming_the_field_and_writes_nothing(desk, client_for):
    api = client_for(desk["agent"])
    stranger = ContactFactory(customer=CustomerFactory(name="外地客户"), name="路人")
    answer = api.post(
        "/api/v1/service-requests/",
        {"customer": desk["customer"].pk, "subject": "x", "contact": stranger.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "contact_of_other_customer" and "detail" in answer.json()
    bad_priority = api.post(
        "/api/v1/service-requests/", {"customer": desk["customer"].pk, "subject": "x", "priority": "p9"}, format="json"
    )
    assert bad_priority.status_code == 400 and "priority" in bad_priority.json()["detail"]
    assert ServiceRequest.objects.count() == 0 and RequestEvent.objects.count() == 0


def test_api_outsider_sees_nothing_and_cannot_reach_a_request(desk, client_for):
    request = services.request_create(actor=desk["agent"], customer=desk["customer"], subject="交换机")
    outsider = client_for(desk["outsider"])
    assert outsider.get("/api/v1/service-requests/").json()["results"] == []
    missing = outsider.post(f"/api/v1/service-requests/{request.pk}/transitions/start/", {}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_api_list_queries_do_not_grow_with_rows(desk, client_for, count_queries):
    api = client_for(desk["agent"])

    def make(n: int) -> None:
        for i in range(n):
            services.request_create(
                actor=desk["agent"],
                customer=desk["customer"],
                subject=f"工单 {i}",
                assignee=desk["eng1"],
                now=at(2026, 12, 1, 10),
            )

    make(5)
    few = count_queries(lambda: api.get("/api/v1/service-requests/"))
    make(45)
    many = count_queries(lambda: api.get("/api/v1/service-requests/?page_size=50"))
    assert few == many
