"""The service desk in a real browser and in 简体中文: a desk agent takes a hotline call, finds the caller by
the phone number, sees the customer's project under warranty and logs the request; she assigns it to an
engineer; the engineer opens it, finds the knowledge article the page suggests, links it as the solution and
resolves the request."""

import pytest
from playwright.sync_api import expect

from backend.projects.models import ProjectEvent
from backend.service.models import ServiceRequest, SlaPolicy
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory, ProjectFactory, UserFactory, set_status
from tests.knowledge.conftest import index_dir, search_backend  # noqa: F401  (a fresh search index)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def person(username: str, family: str, given: str, *roles: str):
    return UserFactory(
        username=username, password="demo", last_name=family, first_name=given, roles=list(roles), language="zh-hans"
    )


def test_agent_logs_a_hotline_call_assigns_it_and_the_engineer_resolves_it_with_an_article(
    browser_as,
    search_backend,  # noqa: F811
):
    from backend.knowledge import services as knowledge

    # the policy the migration installs (a transactional test may run after others emptied the table)
    SlaPolicy.objects.update_or_create(tier="A", priority="p2", defaults={"response_hours": 2, "resolution_hours": 8})
    agent = person("service", "孙", "婷", "service")
    engineer = person("engineer", "杨", "磊", "engineer")
    sales = person("sales", "王", "丽", "bid_manager")
    customer = CustomerFactory(owner=sales, name="北京交通大学", tier="A")
    ContactFactory(customer=customer, name="何晨", phone="010-5168 0001")
    project = ProjectFactory(owner=sales, customer=customer, name="校园网升级", code="P-2026-0042")
    set_status(project, "warranty")
    ProjectEvent.objects.create(
        project=project, transition="start_warranty", source="accepted", target="warranty", actor=sales
    )
    article = knowledge.article_create(
        author=engineer,
        title="无线 AP 批量离线排查手册",
        body="无线控制器升级后 AP 离线：检查 CAPWAP 隧道与 AP 固件版本。",
        status="published",
    )

    # the agent takes the call: the caller's number finds the customer, its project in warranty
    desk = browser_as("service")
    desk.goto("/service/hotline/")
    desk.locator("#id_q").fill("51680001")
    desk.locator("#id_q").press("Enter")
    match = desk.locator(".caller-match")
    expect(match).to_contain_text("北京交通大学")
    expect(match).to_contain_text("何晨")
    expect(match.locator(".hotline-projects")).to_contain_text("P-2026-0042 校园网升级")
    expect(match.locator(".hotline-projects")).to_contain_text("保修期内")
    call = desk.locator("#call-form")
    call.locator("input[name=call-subject]").fill("无线控制器升级后 AP 离线")
    call.locator("select[name=call-category]").select_option("network")
    call.locator("select[name=call-priority]").select_option("p2")
    call.locator("textarea[name=call-description]").fill("图书馆三层 AP 全部离线。")
    screenshot(desk, "service-hotline")
    call.get_by_role("button", name="登记工单").click()
    expect(desk.locator("#request-status")).to_have_text("新建")
    request = ServiceRequest.objects.get()
    assert (request.customer, request.project, request.coverage, request.channel) == (
        customer,
        project,
        "warranty",
        "hotline",
    )
    assert request.contact.name == "何晨" and request.created_by == agent

    # and assigns it to the engineer
    form = desk.locator("#assign-form")
    form.locator("select[name=assignee]").select_option(str(engineer.pk))
    form.get_by_role("button", name="分派").click()
    expect(desk.locator("#request-status")).to_have_text("已分派")
    expect(desk.locator("#assignee")).to_contain_text("杨磊")

    # the engineer starts, links the suggested article and resolves
    field = browser_as("engineer")
    field.goto(f"/service/{request.pk}/")
    field.locator("button[data-transition=start]").click()
    expect(field.locator("#request-status")).to_have_text("处理中")
    suggestions = field.locator("#suggestions")
    expect(suggestions).to_contain_text("无线 AP 批量离线排查手册")
    suggestions.get_by_role("button", name="关联为解决方案").click()
    expect(field.locator("#linked-article")).to_contain_text("无线 AP 批量离线排查手册")
    field.locator("#transition-form textarea[name=solution]").fill("按手册重建 CAPWAP 隧道，AP 全部上线。")
    field.locator("button[data-transition=resolve]").click()
    expect(field.locator("#request-status")).to_have_text("已解决")
    expect(field.locator("#sla [data-clock=resolution]")).to_contain_text("已达成")
    screenshot(field, "service-resolved")

    request.refresh_from_db()
    assert (request.status, request.assignee, request.article) == ("resolved", engineer, article)
    assert request.solution == "按手册重建 CAPWAP 隧道，AP 全部上线。"
    assert request.first_response_at is not None and request.resolved_at is not None
    assert (request.sla_policy.tier, request.response_breached, request.resolution_breached) == ("A", False, False)
    assert list(request.events.values_list("transition", flat=True)) == [
        "create",
        "assign",
        "start",
        "link_article",
        "resolve",
    ]
