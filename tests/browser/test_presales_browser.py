"""A project walks from tender to won in a real browser, across the people who move it: the bid manager
creates it, ticks the checklist and submits it; the director approves the initiation; the bid manager
drags it on the board (a refusal first, then the move), marks it awarded and submits the contract review
with a win/loss record; legal and finance approve; the project page finally says Won."""

import re

import pytest
from playwright.sync_api import expect

from backend.bids.services import contract_terms_save
from backend.projects.models import Project
from tests.browser.conftest import login, screenshot
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(templates, reasons):
    return {
        "bidmgr": UserFactory(username="bidmgr", password="demo", roles=["bid_manager"]),
        "director": UserFactory(username="director", password="demo", roles=["director"]),
        "legal": UserFactory(username="legal", password="demo", roles=["legal"]),
        "finance": UserFactory(username="finance", password="demo", roles=["finance"]),
    }


@pytest.fixture
def browser_for(chromium, live_server):
    """One browser context per person, each logged in as that person."""
    contexts = []

    def open_as(username: str):
        context = chromium.new_context(base_url=live_server.url, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def approve_in_review_page(page, comment: str) -> None:
    page.locator("nav").get_by_role("link", name=re.compile("^Reviews")).click()
    page.locator("#reviews tbody td:first-child a").first.click()
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_contain_text("Your decision (Approve) is recorded")


def tick_required(page, text: str) -> None:
    page.get_by_role("link", name=re.compile("^Checklist")).click()
    page.get_by_role("button", name=re.compile(f"Mark done: .*{text}")).click()
    expect(page.locator(".alert-success")).to_contain_text("Done:")


def test_tender_to_won_across_four_people(people, browser_for):
    CustomerFactory(name="上海浦东发展银行 SPD Bank", owner=people["bidmgr"], industry="finance", region="east")

    # --- the bid manager creates the project and asks for initiation ---------------------------------------
    bidmgr = browser_for("bidmgr")
    bidmgr.get_by_role("link", name="Projects", exact=True).click()
    bidmgr.get_by_role("link", name="New project").click()
    bidmgr.get_by_label("Name").fill("浦发银行数据中心网络改造 SPD data-centre network")
    bidmgr.get_by_label("Customer").select_option(label="上海浦东发展银行 SPD Bank")
    bidmgr.get_by_label("Estimated amount").fill("2600000")
    bidmgr.get_by_role("button", name="Create project").click()
    bidmgr.wait_for_url(re.compile(r"/projects/\d+/$"))
    project = Project.objects.get(name__startswith="浦发银行")
    project_url = f"/projects/{project.pk}/"
    expect(bidmgr.locator("#project-status")).to_contain_text("Tender")

    tick_required(bidmgr, "登记招标公告")
    bidmgr.get_by_role("link", name="Overview").click()
    bidmgr.get_by_role("button", name="Submit for initiation").click()
    bidmgr.locator("#transition-submit_initiation").get_by_label("Comment").fill("请审批立项")
    bidmgr.get_by_role("button", name="Confirm: Submit for initiation").click()
    expect(bidmgr.locator("#project-status")).to_contain_text("Initiation review")
    expect(bidmgr.locator("#pending-reviews")).to_contain_text("立项评审")

    # --- the director approves the initiation on the review page --------------------------------------------
    director = browser_for("director")
    expect(director.locator("#nav-inbox-count")).to_have_text("1")
    expect(director.locator("#my-reviews")).to_contain_text(project.code)
    approve_in_review_page(director, "同意立项")
    expect(director.locator("body")).to_contain_text("the review is now Approved")

    # --- the bid manager moves it on the board: refused while the checklist is open, then moved --------------
    bidmgr.goto("/projects/board/")
    card = bidmgr.locator(f"#card-{project.pk}")
    expect(bidmgr.locator("section[data-status=pursuit]")).to_contain_text(project.code)
    card.drag_to(bidmgr.locator("section[data-status=bidding]"))
    expect(bidmgr.locator("#board-alert")).to_contain_text("not done yet")
    expect(bidmgr.locator("section[data-status=pursuit]")).to_contain_text(project.code)  # the card stayed

    bidmgr.goto(project_url)
    tick_required(bidmgr, "完成需求调研")
    bidmgr.goto("/projects/board/")
    bidmgr.locator(f"#card-{project.pk}").drag_to(bidmgr.locator("section[data-status=bidding]"))
    expect(bidmgr.locator("#board-alert")).to_contain_text("moved to Bidding")
    expect(bidmgr.locator("section[data-status=bidding]")).to_contain_text(project.code)
    expect(bidmgr.locator("section[data-status=bidding] .board-count")).to_have_text("1")
    expect(bidmgr.locator("section[data-status=pursuit] .board-count")).to_have_text("0")
    # each column's total amount follows the card without a reload
    expect(bidmgr.locator("section[data-status=bidding] .board-amount")).to_have_text("2,600,000")
    expect(bidmgr.locator("section[data-status=pursuit] .board-amount")).to_have_text("0")

    # the card's menu: mark it awarded
    bidmgr.get_by_role("button", name=f"Move {project.code}").click()
    bidmgr.get_by_role("button", name="Mark as awarded").click()
    expect(bidmgr.locator(".alert-success")).to_contain_text("now Negotiation")
    expect(bidmgr.locator("section[data-status=negotiation]")).to_contain_text(project.code)

    # --- contract terms (the bids tab's job) and the contract review with a win/loss record ------------------
    contract_terms_save(actor=people["bidmgr"], project=project, amount=2_450_000, payment_terms="30% / 60% / 10%")
    bidmgr.goto(project_url)
    tick_required(bidmgr, "商务谈判")
    bidmgr.get_by_role("link", name="Overview").click()
    bidmgr.get_by_role("button", name="Submit contract review").click()
    form = bidmgr.locator("#transition-submit_contract_review")
    form.get_by_label("Comment").fill("合同草案已谈妥")
    form.get_by_label("Primary reason").select_option("technology")
    form.get_by_label("客户关系 Relationship").check()
    form.get_by_label("Our price").fill("2450000")
    form.get_by_label("Lessons learned").fill("Early PoC with the customer's network team won it.")
    bidmgr.get_by_role("button", name="Confirm: Submit contract review").click()
    expect(bidmgr.locator("#project-status")).to_contain_text("Contract review")
    expect(bidmgr.locator("#win-loss")).to_contain_text("Early PoC")

    # --- legal, then finance approve the contract ------------------------------------------------------------
    legal = browser_for("legal")
    approve_in_review_page(legal, "条款可接受")
    expect(legal.locator("body")).to_contain_text("is recorded.")
    finance = browser_for("finance")
    approve_in_review_page(finance, "付款条件可接受")
    expect(finance.locator("body")).to_contain_text("the review is now Approved")

    # --- the project page finally says Won ------------------------------------------------------------------
    bidmgr.goto(project_url)
    expect(bidmgr.locator("#project-status")).to_contain_text("Won")
    bidmgr.goto(project_url + "?tab=history")
    expect(bidmgr.locator("#timeline")).to_contain_text("Contract approved")
    screenshot(bidmgr, "presales-won")
    project.refresh_from_db()
    assert project.status == "won" and project.contract_amount == 2_450_000
    assert project.win_loss.outcome == "won" and project.win_loss.primary_reason.code == "technology"
