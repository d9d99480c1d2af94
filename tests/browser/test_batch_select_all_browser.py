"""The document batch page in a real browser: the select-all checkbox ticks and unticks every project shown (the
behaviour lives in sicrm.js; the Content-Security-Policy allows no inline script), and follows the boxes."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import CustomerFactory, ProjectFactory, UserFactory, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_ticks_every_project_shown(page, templates):
    owner = UserFactory(username="bidmgr", password="demo", roles=["bid_manager"])
    for code, name in (("P-2026-0201", "智慧校园一卡通"), ("P-2026-0202", "数据中心机房"), ("P-2026-0203", "医院平台")):
        project = ProjectFactory(code=code, name=name, owner=owner, customer=CustomerFactory(owner=owner))
        if code != "P-2026-0201":
            set_status(project, "won")
    login(page, "bidmgr")
    page.goto("/documents/batches/?status=won")
    boxes = page.locator("#batch-form input[name=projects]")
    expect(boxes).to_have_count(2)
    select_all = page.locator("#select-all-projects")
    select_all.check()
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    boxes.nth(0).uncheck()  # one unticked: select-all is no longer ticked, but half
    expect(select_all).not_to_be_checked()
    assert select_all.evaluate("el => el.indeterminate") is True
    boxes.nth(0).check()
    expect(select_all).to_be_checked()
    select_all.uncheck()
    for index in range(2):
        expect(boxes.nth(index)).not_to_be_checked()
