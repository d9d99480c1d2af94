"""The journeys of issue 12, each as the person who does it, in a real browser and in 简体中文 (the users' saved
language, a zh-CN browser): the bid manager from a tender to the initiation review, which he may not decide
himself and the director approves; legal and finance through the contract review to won; the PM and the
engineer through kickoff, a deliverable, the acceptance with the customer's sign-off and a receipt; knowledge
search in Traditional and Simplified Chinese; and a language switch that outlives the session.

(The English variants of the sales and delivery journeys are test_presales_browser.py and
test_delivery_browser.py; the executive's reports are test_reports_browser.py.) Each journey's last page is
saved under ``<var dir>/screenshots``."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.bids.services import contract_terms_save, win_loss_save
from backend.customers.models import Customer
from backend.milestones.models import Acceptance, Milestone
from backend.payments.models import Receipt
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import Project
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, UserFactory, set_status
from tests.knowledge.conftest import index_dir, search_backend  # noqa: F401  (a fresh search index)
from tests.milestones.conftest import docx_bytes
from workflows.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZH = "zh-hans"


def person(username: str, family: str, given: str, *roles: str, language: str = ZH):
    return UserFactory(
        username=username, password="demo", last_name=family, first_name=given, roles=list(roles), language=language
    )


def tick_required(project: Project, actor) -> None:
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=actor, item=item, done=True)


FORCE_POST = """([action, fields]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def test_tender_to_initiation_which_the_submitter_may_not_decide_and_the_director_approves(
    browser_as, templates, reasons
):
    # 王磊 bids and is a sales director too: the initiation gate's approvers, but never of his own review
    person("bidmgr", "王", "磊", "bid_manager", "director")
    person("director", "李", "娜", "director")

    # --- the bid manager registers the tender and opens the project from it -----------------------------------
    bidmgr = browser_as("bidmgr")
    expect(bidmgr.locator("html")).to_have_attribute("lang", ZH)
    bidmgr.locator("nav").get_by_role("link", name="招标公告").click()
    bidmgr.get_by_role("link", name="新建招标").click()
    bidmgr.locator("#id_number").fill("ZB-2026-0118")
    bidmgr.locator("#id_title").fill("杭州市政务云扩容项目")
    bidmgr.locator("#id_buyer").fill("杭州市数据资源管理局")
    bidmgr.locator("#id_budget").fill("3800000")
    bidmgr.locator("#id_industry").select_option("government")
    bidmgr.locator("#id_region").select_option("east")
    bidmgr.get_by_role("button", name="保存").click()
    bidmgr.wait_for_url(re.compile(r"/tenders/\d+/$"))
    expect(bidmgr.get_by_role("heading", name="杭州市政务云扩容项目")).to_be_visible()

    bidmgr.get_by_role("button", name="从招标创建项目").click()
    bidmgr.wait_for_url(re.compile(r"/projects/\d+/$"))
    project = Project.objects.get(tender__number="ZB-2026-0118")
    expect(bidmgr.locator(".alert-success")).to_contain_text(f"已由招标 ZB-2026-0118 创建项目 {project.code}。")
    expect(bidmgr.locator("#project-status")).to_contain_text("招标")
    # the buyer became the customer, the budget the estimate
    assert project.customer.name == "杭州市数据资源管理局" and project.estimated_amount == 3_800_000
    assert Customer.objects.get().owner.username == "bidmgr"

    # --- ticks the required action and submits the initiation review ------------------------------------------
    bidmgr.get_by_role("link", name=re.compile("^检查清单")).click()
    bidmgr.get_by_role("button", name=re.compile("标记完成：登记招标公告")).click()
    expect(bidmgr.locator(".alert-success")).to_contain_text("已完成：")
    bidmgr.goto(f"/projects/{project.pk}/?tab=overview&transition=submit_initiation")
    form = bidmgr.locator("#transition-submit_initiation")
    form.get_by_label("意见").fill("预算380万，请审批立项")
    form.locator("button[type=submit]").click()
    expect(bidmgr.locator("#project-status")).to_contain_text("立项评审")

    # --- he may not decide his own review: no decision form, and a forced decision is refused -----------------
    review = Review.objects.get(project=project)
    bidmgr.goto(f"/reviews/{review.pk}/")
    expect(bidmgr.locator("#steps")).to_contain_text("李娜")  # the other director
    expect(bidmgr.locator("#steps")).not_to_contain_text("王磊")
    expect(bidmgr.locator("#decide")).to_have_count(0)
    expect(bidmgr.get_by_role("button", name="批准")).to_have_count(0)
    token = bidmgr.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    with bidmgr.expect_navigation():
        bidmgr.evaluate(
            FORCE_POST,
            [f"/reviews/{review.pk}/decide/", {"csrfmiddlewaretoken": token, "decision": "approve", "comment": "同意"}],
        )
    expect(bidmgr.locator(".alert-danger")).to_contain_text("这项评审是您提交的，须由其他人审批。")
    review.refresh_from_db()
    assert review.status == "pending" and not review.steps.get().approvals.exists()

    # --- the director approves it ---------------------------------------------------------------------------
    director = browser_as("director")
    expect(director.locator("#my-reviews")).to_contain_text(project.code)
    director.goto(f"/reviews/{review.pk}/")
    expect(director.locator("#review-amount")).to_contain_text("3,800,000.00")
    director.get_by_label("意见").fill("同意立项")
    director.get_by_role("button", name="批准").click()
    expect(director.locator(".alert-success")).to_contain_text("您的决定（批准）已记录；评审当前状态：已批准。")
    expect(director.locator("#steps")).to_contain_text("李娜")
    expect(director.locator("#steps")).to_contain_text("同意立项")
    director.goto(f"/projects/{project.pk}/")
    expect(director.locator("#project-status")).to_contain_text("跟进")
    screenshot(director, "journey-initiation-approved")
    project.refresh_from_db()
    assert project.status == Status.PURSUIT


def test_legal_and_finance_approve_the_contract_and_the_project_is_won(browser_as, templates, reasons):
    owner = person("bidmgr", "王", "磊", "bid_manager")
    person("legal", "周", "敏", "legal")
    person("finance", "赵", "静", "finance")
    project = services.project_create(
        actor=owner, name="省人民医院信息平台升级", customer=CustomerFactory(owner=owner), estimated_amount=1_500_000
    )
    set_status(project, Status.NEGOTIATION)
    tick_required(project, owner)
    contract_terms_save(actor=owner, project=project, amount=1_280_000, payment_terms="30% / 60% / 10%")
    services.project_transition(
        project_id=project.pk,
        name="submit_contract_review",
        actor=owner,
        comment="合同草案已谈妥",
        win_loss={"primary_reason": "technology", "lessons": "方案演示打动了信息科。"},
    )
    review = Review.objects.get(project=project)

    # legal approves first: the review waits for finance
    legal = browser_as("legal")
    legal.locator("nav").get_by_role("link", name=re.compile("^评审")).click()
    legal.locator("#reviews tbody td:first-child a").first.click()
    expect(legal.get_by_role("heading", name="合同评审 Contract review")).to_be_visible()
    expect(legal.locator("#review-amount")).to_contain_text("1,280,000.00")
    expect(legal.locator("body")).to_contain_text("30% / 60% / 10%")
    legal.get_by_label("意见").fill("条款可接受")
    legal.get_by_role("button", name="批准").click()
    expect(legal.locator(".alert-success")).to_have_text(re.compile(r"^\s*您的决定（批准）已记录。\s*$"))
    expect(legal.locator("#steps")).to_contain_text("赵静")  # still waiting for her

    # finance approves: the review is approved and the project won
    finance = browser_as("finance")
    finance.goto(f"/reviews/{review.pk}/")
    finance.get_by_label("意见").fill("付款条件可接受")
    finance.get_by_role("button", name="批准").click()
    expect(finance.locator(".alert-success")).to_contain_text("评审当前状态：已批准。")
    finance.goto(f"/projects/{project.pk}/")
    expect(finance.locator("#project-status")).to_contain_text("已赢单")
    screenshot(finance, "journey-contract-won")
    project.refresh_from_db()
    assert project.status == Status.WON and project.contract_amount == 1_280_000
    assert sorted(review.steps.order_by("order").first().approvals.values_list("approver__username", flat=True)) == [
        "finance",
        "legal",
    ]


def test_pm_and_engineer_deliver_with_customer_sign_off_and_a_receipt(browser_as, templates, reasons):
    owner = person("bidmgr", "王", "磊", "bid_manager")
    pm = person("pm", "刘", "洋", "pm")
    engineer = person("engineer", "陈", "杰", "engineer")
    project = services.project_create(
        actor=owner, name="机房动环监控系统", customer=CustomerFactory(owner=owner), estimated_amount=900_000
    )
    services.member_add(actor=owner, project=project, user=pm, role="pm")
    services.member_add(actor=owner, project=project, user=engineer, role="engineer")
    contract_terms_save(actor=owner, project=project, amount=900_000)
    win_loss_save(project=project, actor=owner, outcome="won", data={"primary_reason": "service"})
    set_status(project, Status.WON)
    url = f"/projects/{project.pk}/"

    # the PM kicks off delivery
    pm_page = browser_as("pm")
    pm_page.goto(url + "?tab=overview&transition=kickoff")
    pm_page.locator("#transition-kickoff button[type=submit]").click()
    expect(pm_page.locator("#project-status")).to_contain_text("实施中")
    first = Milestone.objects.filter(project=project).order_by("order").first()
    assert first.name == "需求调研与方案设计 Requirements and design"

    # the engineer starts the first milestone, uploads the design and submits it for review
    eng = browser_as("engineer")
    eng.goto(url + "?tab=milestones")
    row = eng.locator(f"#milestone-row-{first.pk}")
    row.locator("button[name=transition][value=start]").click()
    expect(eng.locator(f"#milestone-row-{first.pk}")).to_contain_text("进行中")
    section = eng.locator(f"#milestone-{first.pk}")
    section.locator("summary", has_text="上传交付物").click()
    upload = section.locator("form.deliverable-upload")
    upload.locator("select[name=doc_type]").select_option("design")
    upload.locator("input[name=title]").fill("总体设计方案")
    upload.locator("input[name=file]").set_input_files(
        files=[{"name": "总体设计方案.docx", "mimeType": "application/octet-stream", "buffer": docx_bytes("设计")}]
    )
    upload.locator("button[type=submit]").click()
    expect(eng.locator(f"#milestone-{first.pk}")).to_contain_text("总体设计方案")
    eng.locator(f"#milestone-{first.pk}").get_by_role("button", name="提交评审").click()
    expect(eng.locator(f"#milestone-{first.pk} form.deliverable-review")).to_have_count(0)

    # the PM approves the deliverable; the engineer submits the milestone; the PM accepts it
    pm_page.goto(url + "?tab=milestones")
    pm_page.locator(f"#milestone-{first.pk} form.deliverable-review button[value=approve]").click()
    expect(pm_page.locator(f"#milestone-{first.pk} form.deliverable-review")).to_have_count(0)
    eng.goto(url + "?tab=milestones")
    eng.locator(f"#milestone-row-{first.pk} button[name=transition][value=submit]").click()
    expect(eng.locator(f"#milestone-row-{first.pk} button[name=transition][value=submit]")).to_have_count(0)
    pm_page.goto(url + "?tab=milestones")
    pm_page.locator(f"#milestone-row-{first.pk} button[name=transition][value=accept]").click()
    expect(pm_page.locator(f"#milestone-row-{first.pk}")).to_contain_text("已验收")

    # the PM records the customer's sign-off of the milestone, with the signed certificate
    today = timezone.localdate().isoformat()
    acceptances = pm_page.locator("#acceptances")
    acceptances.locator("summary", has_text="登记客户验收").click()
    form = acceptances.locator("form.acceptance-form")
    form.get_by_label("范围").select_option(label=first.name)
    form.get_by_label("日期").fill(today)
    form.get_by_label("客户签字人").fill("陈建国")
    form.get_by_label("签字人职务").fill("信息中心主任")
    form.get_by_label("结果").select_option("passed")
    form.locator("input[name=certificate]").set_input_files(
        files=[{"name": "验收证书.docx", "mimeType": "application/octet-stream", "buffer": docx_bytes("验收")}]
    )
    form.get_by_role("button", name="登记验收").click()
    expect(pm_page.locator(".alert-success")).to_contain_text("验收已登记：通过，签字人：陈建国。")
    signed = Acceptance.objects.get(project=project)
    signed_row = pm_page.locator(f"#acceptance-{signed.pk}")
    for text in (first.name, today, "陈建国", "信息中心主任", "通过", "刘洋", "下载"):
        expect(signed_row).to_contain_text(text)

    # the PM records the advance payment received: 30 % of 900,000
    pm_page.goto(url + "?tab=payments")
    receipts = pm_page.locator("#receipts")
    receipts.locator("summary", has_text="登记回款").click()
    form = receipts.locator("form.receipt-form")
    # the advance is 30 % of 900,000, all of it outstanding
    form.get_by_label("付款节点").select_option(label="预付款 Advance payment (270,000.00)")
    form.get_by_label("金额").fill("270000")
    form.get_by_label("回款日期").fill(today)
    form.get_by_label("银行流水号").fill("CMB-20261130-0001")
    form.get_by_role("button", name="登记回款").click()
    expect(pm_page.locator(".alert-success")).to_contain_text("已为 预付款 Advance payment 登记回款 270,000.00。")
    receipt = Receipt.objects.get(project=project)
    receipt_row = pm_page.locator(f"#receipt-{receipt.pk}")
    for text in (today, "预付款 Advance payment", "270,000.00", "CMB-20261130-0001", "刘洋"):
        expect(receipt_row).to_contain_text(text)
    advance = pm_page.locator(f"#term-{receipt.payment_term_id}")
    expect(advance).to_contain_text("已收款")
    expect(advance.locator("td").nth(7)).to_have_text("0.00")  # nothing outstanding on the advance
    screenshot(pm_page, "journey-delivery-receipt")
    first.refresh_from_db()
    assert first.status == "accepted" and signed.milestone_id == first.pk and signed.result == "passed"
    assert signed.certificate.name.endswith(".docx") and receipt.amount == 270_000


def test_knowledge_search_finds_the_same_articles_in_traditional_and_simplified(
    browser_as,
    search_backend,  # noqa: F811
):
    from backend.knowledge import services as knowledge

    author = person("author", "孙", "丽", "presales")
    person("engineer", "陈", "杰", "engineer")
    for title, body in (
        ("数据中心机房验收规范", "机房验收步骤与签字。"),  # Simplified
        ("網絡割接驗收清單", "割接後逐項驗收。"),  # Traditional
        ("投标保证金缴纳流程", "保证金退还。"),  # about something else
    ):
        knowledge.article_create(author=author, title=title, body=body, status="published")

    page = browser_as("engineer")
    found = {}
    for query in ("驗收", "验收"):
        page.goto("/knowledge/")
        page.locator("input[name=q]").first.fill(query)
        page.locator("input[name=q]").first.press("Enter")
        page.wait_for_url("**/knowledge/search/?*q=*")
        expect(page.locator("#result-count")).to_contain_text("2")
        found[query] = sorted(page.locator("#results li a.fs-5").all_inner_texts())
    assert found["驗收"] == found["验收"] == ["数据中心机房验收规范", "網絡割接驗收清單"]
    expect(page.locator("#results")).not_to_contain_text("投标保证金")
    screenshot(page, "journey-knowledge-search")


def test_a_language_switch_outlives_the_session(browser_as):
    user = person("exec", "张", "伟", "exec")

    # a Chinese user switches to English and logs out
    page = browser_as("exec")
    expect(page.locator("html")).to_have_attribute("lang", ZH)
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")
    user.refresh_from_db()
    assert user.language == "en"

    # a fresh browser that asks for Chinese still gets English for him
    again = browser_as("exec", locale="zh-CN")
    expect(again.locator("html")).to_have_attribute("lang", "en")
    expect(again.locator("nav").get_by_role("link", name="Projects", exact=True)).to_be_visible()

    # he switches back; a fresh browser that asks for English gets Chinese
    again.select_option("#language-select", ZH)
    expect(again.locator("html")).to_have_attribute("lang", ZH)
    english_browser = browser_as("exec", locale="en-US")
    expect(english_browser.locator("html")).to_have_attribute("lang", ZH)
    expect(english_browser.locator("nav").get_by_role("link", name="项目", exact=True)).to_be_visible()
    screenshot(english_browser, "journey-language-persists")
    user.refresh_from_db()
    assert user.language == ZH
