"""Accessibility in a real browser, on the demo data in 简体中文: axe-core finds no serious or critical violation
on the main pages, each seen by the demo user who works there; at a phone's 390 px the navbar collapses behind
its toggler and neither the dashboard nor the milestones tab scrolls sideways (the Gantt chart becomes a list).

axe-core comes from the npm registry at `make install` (var/node, not committed). The page's
Content-Security-Policy refuses an added inline <script>, so its source is evaluated through the DevTools
protocol (page.evaluate), which the policy does not govern, and no violation is reported."""

import pytest
from playwright.sync_api import expect

from backend.bids.models import QuotationLine
from backend.milestones.models import Milestone
from backend.payments.models import PaymentTerm
from backend.projects.models import Project
from tests.browser.conftest import AXE_CORE, login
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_RUN = """async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


def axe_violations(page) -> list[str]:
    """The page's serious and critical axe-core violations, one line each: rule, impact, the first elements."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")  # folded forms too
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_CORE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in found]


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def test_main_pages_have_no_serious_accessibility_violation(chromium, live_server, demo_data, settings):
    require(AXE_CORE.is_file(), f"axe-core is not installed at {AXE_CORE} (make test fetches it with npm)")
    settings.REPORT_KEPT_SECONDS = 900  # the overview as users get it: with the time of its figures
    presales = (
        Project.objects.filter(owner__username="bidmgr", quotations__lines__in=QuotationLine.objects.all())
        .order_by("pk")
        .first()
    )
    delivery = (
        Project.objects.filter(
            members__user__username="pm",
            pk__in=Milestone.objects.values("project"),
        )
        .filter(pk__in=PaymentTerm.objects.values("project"))
        .order_by("pk")
        .first()
    )
    customer = presales.customer
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    walk = {
        "bidmgr": [
            "/",
            "/customers/",
            f"/customers/{customer.pk}/",
            "/tenders/",
            "/projects/",
            f"/projects/{presales.pk}/?tab=overview",
            f"/projects/{presales.pk}/?tab=bids",
        ],
        "pm": [
            f"/projects/{delivery.pk}/?tab=milestones",
            f"/projects/{delivery.pk}/?tab=payments",
            "/knowledge/search/?q=机房",
        ],
        "director": ["/reviews/", "/reports/"],
    }
    violations: dict[str, list[str]] = {}
    for username, urls in walk.items():
        switch_user(page, username)
        for url in urls:
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
            page.wait_for_load_state("load")
            if url == "/reports/":  # checked with the line that says when its figures were computed
                expect(page.locator("#report-kept")).to_contain_text("数据截至")
            found = axe_violations(page)
            if found:
                violations[f"{username} {url}"] = found
    assert violations == {}, "axe-core: serious or critical violations\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in violations.items()
    )

    # the quotation-line inputs (a table of inputs under column headers) are among the fields checked
    switch_user(page, "bidmgr")
    page.goto(f"/projects/{presales.pk}/?tab=bids")
    page.locator("summary", has_text="新建报价版本").click()
    first_line = page.locator("table.line-formset input[type=text], table.line-formset input[type=number]").first
    expect(first_line).to_have_accessible_name("描述，第 1 行")
    context.close()


def test_a_phone_gets_a_collapsed_navbar_and_no_sideways_scrolling(chromium, live_server, demo_data):
    delivery = (
        Project.objects.filter(members__user__username="pm", pk__in=Milestone.objects.values("project"))
        .order_by("pk")
        .first()
    )
    milestones = Milestone.objects.filter(project=delivery).count()
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, "pm")
    width = "document.scrollingElement.scrollWidth"

    page.goto("/")
    assert page.evaluate(width) <= 390
    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#nav").get_by_role("link", name="客户")).to_be_hidden()
    toggler.click()
    expect(page.locator("#nav").get_by_role("link", name="客户")).to_be_visible()
    assert page.evaluate(width) <= 390

    page.goto(f"/projects/{delivery.pk}/?tab=milestones")
    expect(page.locator("#milestone-timeline li")).to_have_count(milestones)
    expect(page.locator("#milestone-timeline")).to_be_visible()
    expect(page.locator(".milestone-gantt")).to_be_hidden()
    assert page.evaluate(width) <= 390
    context.close()


def test_the_skip_link_takes_the_keyboard_to_the_main_content(page, make_user):
    make_user("bidder", "bid_manager", password="demo")
    login(page, "bidder")
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
