"""The pages under the Content-Security-Policy in a real browser: on the demo data, the pages with scripts
(charts, the board, the language picker, confirmations, the admin, Swagger UI) work with no violation, and
the watcher does catch an inline script."""

import re

import pytest
from playwright.sync_api import expect

from backend.milestones.models import Milestone
from backend.projects.models import Project
from tests.browser.conftest import CSP_VIOLATIONS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_with_scripts_work_under_the_policy(page, demo_data):
    project = Project.objects.filter(pk__in=Milestone.objects.values("project")).order_by("pk").first()
    login(page, "admin")

    # Plotly charts are drawn from json_script data by sicrm.js
    for url in (
        f"/projects/{project.pk}/?tab=milestones",
        f"/projects/{project.pk}/?tab=payments",
        "/delivery/receivables/",
    ):
        page.goto(url)
        expect(page.locator(".plotly-graph-div .main-svg").first).to_be_visible()

    # the language picker submits on change (data-autosubmit)
    page.goto("/")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # the board's script file loads and the board is there
    page.goto("/projects/board/")
    expect(page.locator("#board .board-column").first).to_be_visible()

    # the admin and Swagger UI
    page.goto("/admin/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto("/api/docs/")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=30_000)

    assert CSP_VIOLATIONS == []


def test_a_cancelled_confirmation_sends_nothing(page, make_user):
    from rest_framework.test import APIClient

    bidder = make_user("bidder", "bid_manager", password="demo")
    api = APIClient()
    api.force_authenticate(bidder)
    tender = {"number": "ZB-CSP-1", "title": "数据中心扩容项目", "buyer": "某市大数据局", "industry": "government"}
    created = api.post("/api/v1/tenders/", {**tender, "region": "east"}, format="json")
    assert created.status_code == 201, created.json()
    url = f"/tenders/{created.json()['id']}/"
    login(page, "bidder")
    page.goto(url)

    # when the bidder dismisses the question, nothing is sent
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog"):  # wait until the question was asked and dismissed
        page.locator("form[data-confirm] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))  # still on the tender: nothing was sent
    expect(page.locator("form[data-confirm] button[type=submit]")).to_be_visible()
    assert api.get(f"/api/v1/tenders/{created.json()['id']}/").status_code == 200

    # and when they accept it, the tender is deleted
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[data-confirm] button[type=submit]").click()
    page.wait_for_url("**/tenders/")
    assert api.get(f"/api/v1/tenders/{created.json()['id']}/").status_code == 404


def test_the_watcher_catches_an_inline_script(page):
    page.goto("/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; "
        "document.body.appendChild(s); }"
    )

    def caught() -> bool:
        return any(v.startswith("script-src") and "inline" in v for v in CSP_VIOLATIONS)

    for _ in range(100):  # the report reaches Python while Playwright runs: wait in the page, not in a sleep
        if caught():
            break
        page.wait_for_timeout(100)
    assert caught(), CSP_VIOLATIONS
    assert page.evaluate("() => window.x") is None  # blocked
    CSP_VIOLATIONS.clear()
