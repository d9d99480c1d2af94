"""Delivery in a real browser: the PM kicks off a won project, the engineer uploads a deliverable, the PM
approves it, the engineer submits the milestone and the PM accepts it."""

import pytest
from playwright.sync_api import expect

from backend.bids.services import contract_terms_save, win_loss_save
from backend.milestones.models import Milestone
from backend.projects import services
from backend.projects.choices import Status
from tests.browser.conftest import login, screenshot
from tests.factories import CustomerFactory, UserFactory, set_status
from tests.milestones.conftest import docx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pm_kicks_off_engineer_delivers_pm_accepts(chromium, live_server, templates, reasons):
    owner = UserFactory(username="bidmgr", password="demo", roles=["bid_manager"])
    pm = UserFactory(username="pm", password="demo", roles=["pm"])
    engineer = UserFactory(username="engineer", password="demo", roles=["engineer"])
    project = services.project_create(
        actor=owner, name="机房动环监控系统", customer=CustomerFactory(owner=owner), estimated_amount=900_000
    )
    services.member_add(actor=owner, project=project, user=pm, role="pm")
    services.member_add(actor=owner, project=project, user=engineer, role="engineer")
    contract_terms_save(actor=owner, project=project, amount=900_000)
    win_loss_save(project=project, actor=owner, outcome="won", data={"primary_reason": "service"})
    set_status(project, Status.WON)

    def page_for(username):
        context = chromium.new_context(base_url=live_server.url, locale="en-US")
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, username)
        return page

    # the PM kicks off delivery from the project page
    pm_page = page_for("pm")
    pm_page.goto(f"/projects/{project.pk}/?tab=overview&transition=kickoff")
    pm_page.locator("#transition-kickoff button[type=submit]").click()
    expect(pm_page.locator("#project-status")).to_contain_text("Implementation")
    project.refresh_from_db()
    assert project.status == Status.IMPLEMENTATION
    first = Milestone.objects.filter(project=project).order_by("order").first()

    # the engineer starts the first milestone and uploads its design document
    eng = page_for("engineer")
    eng.goto(f"/projects/{project.pk}/?tab=milestones")
    expect(eng.locator(".js-plotly-plot, .plotly-graph-div").first).to_be_visible()  # the Gantt chart
    eng.locator(f"#milestone-row-{first.pk} button[name=transition][value=start]").click()
    expect(eng.locator(f"#milestone-row-{first.pk}")).to_contain_text("In progress")
    section = eng.locator(f"#milestone-{first.pk}")
    section.locator("summary", has_text="Upload a deliverable").click()
    upload = section.locator("form.deliverable-upload")
    upload.locator("select[name=doc_type]").select_option("design")
    upload.locator("input[name=title]").fill("总体设计方案 Overall design")
    upload.locator("input[name=file]").set_input_files(
        files=[{"name": "design.docx", "mimeType": "application/octet-stream", "buffer": docx_bytes("设计")}]
    )
    upload.locator("button[type=submit]").click()
    expect(eng.locator(f"#milestone-{first.pk}")).to_contain_text("总体设计方案 Overall design")
    eng.locator(f"#milestone-{first.pk}").get_by_role("button", name="Submit for review").click()
    expect(eng.locator(f"#milestone-{first.pk} form.deliverable-review")).to_have_count(0)
    expect(eng.locator(f"#milestone-{first.pk}").get_by_role("button", name="Submit for review")).to_have_count(0)

    # the PM approves the deliverable
    pm_page.goto(f"/projects/{project.pk}/?tab=milestones")
    pm_page.locator(f"#milestone-{first.pk} form.deliverable-review button[value=approve]").click()
    expect(pm_page.locator(f"#milestone-{first.pk} form.deliverable-review")).to_have_count(0)

    # the engineer submits the milestone, the PM accepts it
    eng.goto(f"/projects/{project.pk}/?tab=milestones")
    eng.locator(f"#milestone-row-{first.pk} button[name=transition][value=submit]").click()
    expect(eng.locator(f"#milestone-row-{first.pk} button[name=transition][value=submit]")).to_have_count(0)
    pm_page.goto(f"/projects/{project.pk}/?tab=milestones")
    pm_page.locator(f"#milestone-row-{first.pk} button[name=transition][value=accept]").click()
    expect(pm_page.locator(f"#milestone-row-{first.pk}")).to_contain_text("Accepted")
    screenshot(pm_page, "delivery-accepted")
    first.refresh_from_db()
    assert first.status == "accepted"
    assert first.deliverables.get().versions.get().original_name == "design.docx"
