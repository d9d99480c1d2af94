"""A bid manager sorts the customer list by a header, filters, saves the filter, applies and deletes it,
and downloads the Excel export, in a real browser (in 简体中文)."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from backend.core.models import SavedFilter
from tests.browser.conftest import login
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def names(page):
    return page.locator("#customer-table tbody tr td:first-child").all_inner_texts()


def test_sort_save_apply_delete_and_export(page):
    seller = UserFactory(username="bidmgr", password="demo", roles=["bid_manager"])
    for name, industry, contacts in (("甲银行", "finance", 2), ("乙商场", "retail", 0), ("丙证券", "finance", 1)):
        customer = CustomerFactory(name=name, industry=industry, owner=seller)
        ContactFactory.create_batch(contacts, customer=customer)
    login(page, "bidmgr")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto("/customers/")

    page.locator("#customer-table thead").get_by_role("link", name="联系人").click()
    page.wait_for_url("**/customers/?sort=contacts")
    assert names(page) == ["乙商场", "丙证券", "甲银行"]
    page.locator("#customer-table thead").get_by_role("link", name="联系人 ▲").click()
    page.wait_for_url("**/customers/?sort=-contacts")
    assert names(page) == ["甲银行", "丙证券", "乙商场"]

    page.goto("/customers/?industry=finance&sort=-contacts")
    expect(page.locator("#list-totals")).to_contain_text("3")
    page.get_by_role("button", name="已存筛选").click()
    page.get_by_label("筛选名称").fill("金融客户")
    page.get_by_role("button", name="保存筛选").click()
    expect(page.locator(".alert-success")).to_contain_text("筛选“金融客户”已保存。")
    assert SavedFilter.objects.get().query == "industry=finance&sort=-contacts"

    page.goto("/customers/")
    page.get_by_role("button", name="已存筛选 (1)").click()
    page.get_by_role("link", name="金融客户").click()
    page.wait_for_url("**/customers/?industry=finance&sort=-contacts")
    assert names(page) == ["甲银行", "丙证券"]

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "名称" and [r[0] for r in rows[1:]] == ["甲银行", "丙证券"]
    assert [r[5] for r in rows[1:]] == [2, 1]

    page.get_by_role("button", name="已存筛选 (1)").click()
    page.get_by_role("button", name="删除筛选 金融客户").click()
    expect(page.locator(".alert-success")).to_contain_text("筛选“金融客户”已删除。")
    assert not SavedFilter.objects.exists()
