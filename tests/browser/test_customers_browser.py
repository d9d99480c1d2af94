"""A bid manager logs in, switches to 简体中文 and creates a customer, in a real browser."""

import pytest
from playwright.sync_api import expect

from backend.customers.models import Customer
from tests.browser.conftest import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bidmgr_switches_to_chinese_and_creates_a_customer(page):
    UserFactory(username="bidmgr", password="demo", roles=["bid_manager"])
    login(page, "bidmgr")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("nav").get_by_text("客户").first).to_be_visible()

    page.get_by_role("link", name="客户", exact=True).click()
    page.get_by_role("link", name="新建客户").click()
    page.get_by_label("名称").fill("深圳前海数据服务有限公司")
    page.get_by_label("行业").select_option("internet")
    page.get_by_label("区域").select_option("south")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/customers/*/")
    expect(page.get_by_role("heading", name="深圳前海数据服务有限公司")).to_be_visible()
    expect(page.locator("body")).to_contain_text("互联网")

    customer = Customer.objects.get(name="深圳前海数据服务有限公司")
    assert customer.owner.username == "bidmgr" and customer.region == "south"

    # the duplicate guard speaks Chinese too, and names the existing customer
    page.goto("/customers/new/")
    page.get_by_label("名称").fill("深圳前海 数据服务有限公司")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").filter(has_text="深圳前海数据服务有限公司")).to_be_visible()
    assert Customer.objects.count() == 1
