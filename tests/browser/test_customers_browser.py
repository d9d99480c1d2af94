"""A bid manager logs in, switches to 简体中文 and creates a customer, in a real browser."""

import pytest

from backend.customers.models import Customer
from tests.browser.conftest import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bidmgr_switches_to_chinese_and_creates_a_customer(page):
    UserFactory(username="bidmgr", password="demo", roles=["bid_manager"])
    login(page, "bidmgr")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.locator("nav").get_by_text("客户").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.get_by_role("link", name="客户", exact=True).click()
    page.get_by_role("link", name="新建客户").click()
    page.get_by_label("名称").fill("深圳前海数据服务有限公司")
    page.get_by_label("行业").select_option("internet")
    page.get_by_label("区域").select_option("south")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/customers/*/")
    assert page.get_by_role("heading", name="深圳前海数据服务有限公司").is_visible()
    assert "互联网" in page.content()

    customer = Customer.objects.get(name="深圳前海数据服务有限公司")
    assert customer.owner.username == "bidmgr" and customer.region == "south"

    # the duplicate guard speaks Chinese too, and names the existing customer
    page.goto("/customers/new/")
    page.get_by_label("名称").fill("深圳前海 数据服务有限公司")
    page.get_by_role("button", name="保存").click()
    assert page.locator(".invalid-feedback").filter(has_text="深圳前海数据服务有限公司").is_visible()
    assert Customer.objects.count() == 1
