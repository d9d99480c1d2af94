"""An executive opens the reports in 简体中文, filters the win/loss analysis by a competitor and drills down from
a figure to the deals behind it, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.reports.conftest import world  # noqa: F401  (the hand-built sales history)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exec_filters_win_loss_by_competitor_and_drills_down(page, world):  # noqa: F811
    world.exec.set_password("demo")
    world.exec.save()
    login(page, "exec")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.locator("#nav-reports").click()
    page.wait_for_url("**/reports/")
    expect(page.get_by_role("heading", name="经营总览")).to_be_visible()
    page.locator("#figure-0 .main-svg").first.wait_for()  # the charts are drawn
    expect(page.locator(".report-figure .main-svg").nth(5)).to_be_attached()  # six of them at least

    page.locator("#report-nav").get_by_role("link", name="赢丢单分析").click()
    page.wait_for_url("**/reports/win-loss/")
    page.get_by_label("竞争对手", exact=True).select_option(label="华为 Huawei")
    page.get_by_role("button", name="应用").click()
    page.wait_for_url("**/reports/win-loss/?*competitor=*")
    # D1 won, D2 and D5 lost against Huawei in the last twelve months
    expect(page.locator('[data-metric="closed"]')).to_have_text("3")
    expect(page.locator('[data-metric="won"]')).to_have_text("1")
    expect(page.locator('[data-metric="win_rate"]')).to_have_text("33.3%")

    # sort the competitor table by its win rate, then drill into the won deal
    header = page.locator("#table-by_competitor th").filter(has_text="赢单率（按数量）").locator("button")
    header.click()
    expect(page.locator("#table-by_competitor th[aria-sort=ascending]")).to_have_count(1)
    page.locator('[data-metric="won"] a').click()
    page.wait_for_url("**/projects/?*report=win-loss*")
    banner = page.locator("#drill-banner")
    expect(banner).to_contain_text("赢丢单分析")
    expect(banner).to_contain_text("华为 Huawei")
    rows = page.locator("#project-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("D1")
    screenshot(page, "reports-drill-down")

    banner.get_by_role("link", name="返回报表").click()
    page.wait_for_url("**/reports/win-loss/?*")
    expect(page.locator('[data-metric="closed"]')).to_have_text("3")
