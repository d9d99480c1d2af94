"""Delivery pages (backend.milestones.views): the milestones and payments tabs and their standalone pages, the
Gantt chart, the POST actions (happy path and refusals that write nothing), downloads, visibility (404 for a
user of another project), receivables aging, "my alarms", and query counts that do not grow."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from backend.milestones import charts
from backend.milestones import services as delivery
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Task,
)
from backend.milestones.views import my_alarms, project_milestones_context
from backend.payments import services as payments
from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.payments.views import project_payments_context
from backend.projects import services as project_services
from backend.projects.models import ProjectEvent, ProjectMember
from tests.factories import ProjectFactory
from tests.milestones.conftest import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db

PLOTLY_DIV = 'class="plotly-graph-div"'
EXE_BYTES = b"MZ\x90\x00\x03 not a document"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def milestones_tab(project) -> str:
    return reverse("projects:detail", args=[project.pk]) + "?tab=milestones"


def payments_tab(project) -> str:
    return reverse("projects:detail", args=[project.pk]) + "?tab=payments"


def first_milestone(project) -> Milestone:
    return project.milestones.order_by("order").first()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def project(kicked_off):
    return kicked_off["project"]


@pytest.fixture
def pm_client(client, kicked_off):
    client.force_login(kicked_off["pm"])
    return client


@pytest.fixture
def engineer_client(client, kicked_off):
    client.force_login(kicked_off["engineer"])
    return client


@pytest.fixture
def finance_client(client, kicked_off):
    client.force_login(kicked_off["finance"])
    return client


@pytest.fixture
def stranger(kicked_off, make_user):
    """An engineer on ANOTHER project: sees that one, not ours."""
    engineer = make_user("engineer2", "engineer")
    other = ProjectFactory(owner=kicked_off["bidmgr"], code="X-2026-0001")
    ProjectMember.objects.create(project=other, user=engineer, role="engineer")
    return engineer


def a_deliverable(ctx, *, status: str = "draft", data: bytes = PDF_BYTES, name: str = "design.pdf") -> Deliverable:
    milestone = first_milestone(ctx["project"])
    deliverable = delivery.deliverable_upload(
        actor=ctx["engineer"], milestone=milestone, doc_type="design", title="总体设计方案", name=name, data=data
    )
    if status in ("submitted", "approved"):
        delivery.deliverable_submit(actor=ctx["engineer"], deliverable=deliverable)
    if status == "approved":
        delivery.deliverable_review(actor=ctx["pm"], deliverable=deliverable, approve=True)
    deliverable.refresh_from_db()
    return deliverable


def terms_of(project) -> list[PaymentTerm]:
    return list(project.payment_terms.order_by("order"))


# --- pages and fragments render ----------------------------------------------------------------------------


def test_milestones_page_shows_gantt_table_and_names(pm_client, project):
    response = pm_client.get(reverse("milestones:project-milestones", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(PLOTLY_DIV) == 1 and 'id="milestone-gantt"' in page
    assert page.count("/static/plotly/plotly.min.js") == 1 and "cdn.plot.ly" not in page
    for milestone in project.milestones.all():
        assert milestone.name in page
    assert "Solution design" in page and "✗" in page  # the first milestone's required deliverable, missing
    assert "milestone-overdue" in page  # kicked off 2026-11-02: the first milestone ended 2026-11-20
    assert 'value="start"' in page and "Upload a deliverable" in page and "Re-plan this milestone" in page
    assert "Kickoff meeting" in page and "项目启动会" not in page  # a project task (no milestone), in English
    assert "Record the customer's acceptance" in page


def test_payments_page_shows_terms_chart_and_budget(pm_client, project):
    advance = terms_of(project)[0]
    PaymentTerm.objects.filter(pk=advance.pk).update(due_date=timezone.localdate() + timedelta(days=10))
    response = pm_client.get(reverse("payments:project-payments", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert PLOTLY_DIV in page and page.count("/static/plotly/plotly.min.js") == 1 and "cdn.plot.ly" not in page
    for milestone in project.milestones.all():  # the term form's milestone choices name every milestone
        assert milestone.name in page
    assert "1,900,000.00" in page and "600,000.00" in page
    assert "term-state-due" in page  # the advance payment falls due within 30 days
    assert "term-state-not_due" in page  # milestone terms have no due date until acceptance
    assert "Budget and actual cost" in page and "Add a payment term" in page and "Record a receipt" in page
    assert "Write off a receivable" not in page  # the PM is not finance


def test_pages_in_chinese(pm_client, project):
    expected = {
        "milestones:project-milestones": (
            ["里程碑", "必需交付物", "需求调研与方案设计"],
            ["Required deliverables"],
        ),
        "payments:project-payments": (
            ["付款条件", "合同金额", "已核销", "到期日"],
            ["Payment terms", "Contract amount"],
        ),
    }
    for name, (present, absent) in expected.items():
        response = pm_client.get(reverse(name, args=[project.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200  # not a redirect to the login page
        page = response.content.decode()
        assert '<html lang="zh-hans">' in page
        assert project.code in page
        for text in present:
            assert text in page, (name, text)
        for text in absent:
            assert text not in page, (name, text)


def test_fragments_render_from_their_context_functions(rf, kicked_off, project):
    request = rf.get("/")
    request.user = kicked_off["pm"]
    for builder, template in (
        (project_milestones_context, "milestones/_project_milestones_tab.html"),
        (project_payments_context, "payments/_project_payments_tab.html"),
    ):
        html = render_to_string(template, builder(request, project), request=request)
        assert PLOTLY_DIV in html and "<html" not in html
        assert project.milestones.get(order=2).name in html  # "Equipment delivered" has a payment term


def test_milestones_context_for_a_reader(rf, kicked_off, project):
    request = rf.get("/")
    request.user = kicked_off["exec"]  # sees every project, works on none
    context = project_milestones_context(request, project)
    assert context["can_edit"] is False and context["acceptance_form"] is None
    assert all(not row["transitions"] and row["upload_form"] is None for row in context["milestone_rows"])
    assert context["progress"] == {"total": 6, "done": 0, "percent": 0}


def test_payments_context_states_and_totals(rf, kicked_off, project):
    advance = terms_of(project)[0]
    PaymentTerm.objects.filter(pk=advance.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    request = rf.get("/")
    request.user = kicked_off["finance"]
    context = project_payments_context(request, project)
    assert [t.state for t in context["terms"]] == ["overdue", "not_due", "not_due"]
    assert context["totals"]["amount"] == Decimal("1900000.00")
    assert context["totals"]["outstanding"] == Decimal("1900000.00")
    assert context["write_off_form"] is not None and context["can_write_off"] is True


def test_login_required(client, project):
    response = client.get(reverse("milestones:project-milestones", args=[project.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the Gantt chart ---------------------------------------------------------------------------------------


def test_gantt_has_a_plan_bar_per_milestone_and_actual_bars(kicked_off, project):
    today = timezone.localdate()
    milestones = list(project.milestones.order_by("order"))
    Milestone.objects.filter(pk=milestones[0].pk).update(
        status="accepted", actual_start=date(2026, 11, 3), actual_end=date(2026, 11, 18)
    )
    Milestone.objects.filter(pk=milestones[1].pk).update(status="in_progress", actual_start=today - timedelta(days=2))
    milestones = list(project.milestones.order_by("order"))
    fig = charts.milestone_gantt(milestones, today=today)
    plan = [t for t in fig.data if t.meta["kind"] == "plan"]
    actual = [t for t in fig.data if t.meta["kind"] == "actual"]
    plan_rows = {y: (base, x) for t in plan for y, base, x in zip(t.y, t.base, t.x, strict=True)}
    assert set(plan_rows) == {m.name for m in milestones}
    first = milestones[0]
    assert plan_rows[first.name] == (first.planned_start.isoformat(), 19 * charts.DAY_MS)  # 2 → 20 Nov, both in
    actual_rows = {y: (base, x) for t in actual for y, base, x in zip(t.y, t.base, t.x, strict=True)}
    assert actual_rows == {
        first.name: ("2026-11-03", 16 * charts.DAY_MS),
        milestones[1].name: ((today - timedelta(days=2)).isoformat(), 3 * charts.DAY_MS),  # runs to today
    }
    colours = {t.legendgroup: t.marker.color for t in plan}
    assert colours["accepted"] == charts.STATUS_COLOURS["accepted"]
    assert all(t.orientation == "h" for t in fig.data) and fig.layout.xaxis.type == "date"
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"  # no English month names on a Chinese page
    assert [s.x0 for s in fig.layout.shapes] == [today.isoformat()]  # the today marker
    html = charts.figure_html(fig, div_id="g")
    assert PLOTLY_DIV in html and "<script src" not in html  # plotly.js is not embedded
    # plotly.js's plain look, in the house font: no template's JSON travels with the figure
    assert '"template"' not in html and '"font": {"family": "system-ui, sans-serif", "size": 12}' in html


# --- POST: milestone transitions and re-planning -----------------------------------------------------------


def transition(client, project, milestone, name, comment=""):
    return client.post(
        reverse("milestones:milestone-transition", args=[project.pk, milestone.pk]),
        {"transition": name, "comment": comment},
    )


def test_start_a_milestone(engineer_client, project):
    milestone = first_milestone(project)
    response = transition(engineer_client, project, milestone, "start", "开工")
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    milestone.refresh_from_db()
    assert milestone.status == "in_progress" and milestone.actual_start == timezone.localdate()
    assert ProjectEvent.objects.get(milestone=milestone).comment == "开工"
    assert any("now In progress" in t for t in texts(response))


@pytest.mark.parametrize(
    ("name", "comment", "expected"),
    [
        ("accept", "", "is Planned: 'Accept' is not possible now."),
        ("cancel", "", "a comment is required"),
        ("explode", "", "Unknown milestone transition"),
        ("", "", "Transition"),
    ],
)
def test_a_refused_transition_changes_nothing(pm_client, project, name, comment, expected):
    milestone = first_milestone(project)
    response = transition(pm_client, project, milestone, name, comment)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    milestone.refresh_from_db()
    assert milestone.status == "planned" and not ProjectEvent.objects.filter(milestone=milestone).exists()


def test_submit_names_the_missing_deliverables(engineer_client, project):
    milestone = first_milestone(project)
    transition(engineer_client, project, milestone, "start")
    response = transition(engineer_client, project, milestone, "submit")
    assert any("Solution design" in t for t in texts(response))
    milestone.refresh_from_db()
    assert milestone.status == "in_progress"


def test_replan_a_milestone(pm_client, kicked_off, project):
    milestone = first_milestone(project)
    url = reverse("milestones:milestone-plan", args=[project.pk, milestone.pk])
    response = pm_client.post(
        url,
        {
            "name": "需求调研 Requirements",
            "planned_start": "2026-11-02",
            "planned_end": "2026-11-27",
            "owner": kicked_off["engineer"].pk,
            "weight": "3",
            "required_deliverables": ["design", "test_report"],
        },
    )
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    milestone.refresh_from_db()
    assert (milestone.name, milestone.planned_end, milestone.owner, milestone.weight) == (
        "需求调研 Requirements",
        date(2026, 11, 27),
        kicked_off["engineer"],
        3,
    )
    assert milestone.required_deliverables == ["design", "test_report"]


@pytest.mark.parametrize(
    ("who", "data", "expected"),
    [
        ("pm", {"planned_start": "2026-11-20", "planned_end": "2026-11-02"}, "cannot end before it starts"),
        ("pm", {"planned_start": "soon"}, "Enter a valid date"),
        ("pm", {"owner": "999999"}, "Select a valid choice"),
        ("engineer", {}, "Only the project manager"),
    ],
)
def test_a_refused_replan_changes_nothing(client, kicked_off, project, who, data, expected):
    client.force_login(kicked_off[who])
    milestone = first_milestone(project)
    before = (milestone.name, milestone.planned_start, milestone.planned_end, milestone.owner_id)
    form = {"name": "x", "planned_start": "2026-11-02", "planned_end": "2026-11-20", "owner": "", "weight": "1", **data}
    response = client.post(reverse("milestones:milestone-plan", args=[project.pk, milestone.pk]), form)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    milestone.refresh_from_db()
    assert (milestone.name, milestone.planned_start, milestone.planned_end, milestone.owner_id) == before


# --- POST: deliverables ------------------------------------------------------------------------------------


def post_upload(client, project, milestone, name, data, *, title="总体设计方案", doc_type="design"):
    return client.post(
        reverse("milestones:deliverable-upload", args=[project.pk, milestone.pk]),
        {"doc_type": doc_type, "title": title, "file": upload(name, data)},
    )


def test_upload_a_deliverable(engineer_client, kicked_off, project):
    milestone = first_milestone(project)
    response = post_upload(engineer_client, project, milestone, "design.docx", docx_bytes())
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    deliverable = Deliverable.objects.get()
    version = deliverable.versions.get()
    assert (deliverable.milestone, deliverable.doc_type, deliverable.status) == (milestone, "design", "draft")
    assert version.original_name == "design.docx" and version.uploaded_by == kicked_off["engineer"]
    assert texts(response) == ["Deliverable '总体设计方案' uploaded as version 1."]


@pytest.mark.parametrize(
    ("name", "data", "title", "expected"),
    [
        ("evil.docx", EXE_BYTES, "x", "not an allowed file type"),
        ("empty.pdf", b"", "x", "empty"),
        ("ok.pdf", PDF_BYTES, "", "Title: This field is required."),
    ],
)
def test_a_bad_upload_writes_nothing(engineer_client, project, name, data, title, expected):
    response = post_upload(engineer_client, project, first_milestone(project), name, data, title=title)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not Deliverable.objects.exists() and not DeliverableVersion.objects.exists()


def test_an_upload_without_a_file_is_refused(engineer_client, project):
    milestone = first_milestone(project)
    response = engineer_client.post(
        reverse("milestones:deliverable-upload", args=[project.pk, milestone.pk]), {"doc_type": "design", "title": "x"}
    )
    assert response.status_code == 302
    assert any("File: " in t for t in texts(response)) and not Deliverable.objects.exists()


def test_a_too_large_upload_is_refused_with_the_limit(engineer_client, project, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = post_upload(engineer_client, project, first_milestone(project), "big.pdf", PDF_BYTES + b"0" * 2000)
    assert response.status_code == 302
    assert any("the limit is" in t for t in texts(response)), texts(response)
    assert not Deliverable.objects.exists()


def test_add_a_version(engineer_client, kicked_off, project):
    deliverable = a_deliverable(kicked_off, status="submitted")
    url = reverse("milestones:deliverable-version-add", args=[project.pk, deliverable.pk])
    response = engineer_client.post(url, {"file": upload("design-v2.docx", docx_bytes("v2"))})
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    assert list(deliverable.versions.values_list("version", flat=True)) == [2, 1]
    deliverable.refresh_from_db()
    assert deliverable.status == "draft"  # a new version goes back to draft


@pytest.mark.parametrize(
    ("status", "data", "expected"),
    [
        ("draft", EXE_BYTES, "not an allowed file type"),
        ("approved", PDF_BYTES, "is approved"),
    ],
)
def test_a_refused_version_writes_nothing(engineer_client, kicked_off, project, status, data, expected):
    deliverable = a_deliverable(kicked_off, status=status)
    url = reverse("milestones:deliverable-version-add", args=[project.pk, deliverable.pk])
    response = engineer_client.post(url, {"file": upload("v2.pdf", data)})
    assert any(expected in t for t in texts(response)), texts(response)
    assert deliverable.versions.count() == 1


def test_submit_a_deliverable_and_not_twice(engineer_client, kicked_off, project):
    deliverable = a_deliverable(kicked_off)
    url = reverse("milestones:deliverable-submit", args=[project.pk, deliverable.pk])
    response = engineer_client.post(url)
    assert response.status_code == 302 and texts(response) == ["'总体设计方案' submitted for review."]
    deliverable.refresh_from_db()
    assert deliverable.status == "submitted"
    response = engineer_client.post(url)
    assert any("only a draft or a rejected deliverable" in t for t in texts(response))
    deliverable.refresh_from_db()
    assert deliverable.status == "submitted"


def review(client, project, deliverable, decision, comment=""):
    return client.post(
        reverse("milestones:deliverable-review", args=[project.pk, deliverable.pk]),
        {"decision": decision, "comment": comment},
    )


def test_approve_and_reject_a_deliverable(pm_client, kicked_off, project):
    approved = a_deliverable(kicked_off, status="submitted")
    response = review(pm_client, project, approved, "approve")
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.reviewed_by == kicked_off["pm"]
    rejected = a_deliverable(kicked_off, status="submitted")
    review(pm_client, project, rejected, "reject", "缺少网络拓扑图")
    rejected.refresh_from_db()
    assert rejected.status == "rejected" and rejected.review_comment == "缺少网络拓扑图"
    page = pm_client.get(reverse("milestones:project-milestones", args=[project.pk])).content.decode()
    assert "缺少网络拓扑图" in page and "✓" in page  # the required design deliverable is now approved


@pytest.mark.parametrize(
    ("who", "decision", "comment", "expected"),
    [
        ("pm", "reject", "", "a comment is required to reject"),
        ("pm", "maybe", "", "Select a valid choice"),
        ("engineer", "approve", "", "Only the project manager"),
    ],
)
def test_a_refused_review_changes_nothing(client, kicked_off, project, who, decision, comment, expected):
    client.force_login(kicked_off[who])
    deliverable = a_deliverable(kicked_off, status="submitted")
    response = review(client, project, deliverable, decision, comment)
    assert any(expected in t for t in texts(response)), texts(response)
    deliverable.refresh_from_db()
    assert deliverable.status == "submitted" and deliverable.reviewed_by is None


# --- POST: customer acceptance -----------------------------------------------------------------------------


def acceptance_data(**extra):
    return {
        "milestone": "",
        "accepted_on": "2026-11-20",
        "signatory": "王主任",
        "signatory_title": "信息中心主任",
        "result": "passed",
        "punch_list": "",
        "notes": "",
        **extra,
    }


def test_record_a_milestone_acceptance_with_certificate(pm_client, project):
    milestone = first_milestone(project)
    response = pm_client.post(
        reverse("milestones:acceptance-add", args=[project.pk]),
        acceptance_data(
            milestone=milestone.pk,
            result="conditional",
            punch_list="补充运维手册\n\n  整理机柜标签  \n",
            certificate=upload("cert.pdf", PDF_BYTES),
        ),
    )
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    record = Acceptance.objects.get()
    assert (record.milestone, record.signatory, record.result) == (milestone, "王主任", "conditional")
    assert record.punch_list == ["补充运维手册", "整理机柜标签"]
    download = pm_client.get(reverse("milestones:certificate-download", args=[record.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment")
    page = pm_client.get(reverse("milestones:project-milestones", args=[project.pk])).content.decode()
    assert "整理机柜标签" in page and reverse("milestones:certificate-download", args=[record.pk]) in page


def test_record_the_project_sign_off_in_acceptance_review(pm_client, kicked_off, project):
    for milestone in project.milestones.all():
        delivery.milestone_transition(milestone_id=milestone.pk, name="cancel", actor=kicked_off["pm"], comment="scope")
    project_services.project_transition(project_id=project.pk, name="request_acceptance", actor=kicked_off["pm"])
    response = pm_client.post(reverse("milestones:acceptance-add", args=[project.pk]), acceptance_data())
    assert response.status_code == 302
    record = Acceptance.objects.get()
    assert record.milestone is None and record.result == "passed"
    assert "Acceptance recorded" in texts(response)[0]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "during acceptance review"),  # the whole project, but it is still in implementation
        ({"milestone": "first", "result": "conditional"}, "lists its punch items"),
        ({"milestone": "first", "signatory": ""}, "Customer signatory: This field is required."),
        ({"milestone": "first", "accepted_on": "someday"}, "Enter a valid date"),
        ({"milestone": "first", "certificate": ("cert.exe", EXE_BYTES)}, "not an allowed file type"),
    ],
)
def test_a_refused_acceptance_writes_nothing(pm_client, project, data, expected):
    if data.get("milestone") == "first":
        data["milestone"] = first_milestone(project).pk
    if "certificate" in data:
        data["certificate"] = upload(*data["certificate"])
    response = pm_client.post(reverse("milestones:acceptance-add", args=[project.pk]), acceptance_data(**data))
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not Acceptance.objects.exists()


# --- POST: tasks -------------------------------------------------------------------------------------------


def test_tick_and_untick_a_task(pm_client, kicked_off, project):
    task = project.tasks.get(assignee=kicked_off["pm"], name__startswith="项目启动会")
    url = reverse("milestones:task-status", args=[project.pk, task.pk])
    response = pm_client.post(url, {"done": "on"})
    assert response.status_code == 302 and response["Location"] == milestones_tab(project)
    task.refresh_from_db()
    assert task.status == "done"
    pm_client.post(url, {})
    task.refresh_from_db()
    assert task.status == "open"


def test_someone_elses_task_is_refused(engineer_client, kicked_off, project):
    task = project.tasks.get(assignee=kicked_off["pm"], name__startswith="项目启动会")
    response = engineer_client.post(reverse("milestones:task-status", args=[project.pk, task.pk]), {"done": "on"})
    assert any("may not change this task" in t for t in texts(response))
    task.refresh_from_db()
    assert task.status == "open"


# --- POST: payments ----------------------------------------------------------------------------------------


def test_add_a_payment_term(pm_client, project):
    response = pm_client.post(
        reverse("payments:payment-term-add", args=[project.pk]),
        {
            "name": "质保金 Retention",
            "percent": "5",
            "milestone": first_milestone(project).pk,
            "due_date": "",
            "days_after_acceptance": "365",
        },
    )
    assert response.status_code == 302 and response["Location"] == payments_tab(project)
    term = project.payment_terms.get(name="质保金 Retention")
    assert (term.amount, term.milestone, term.days_after_acceptance) == (
        Decimal("100000.00"),
        first_milestone(project),
        365,
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"percent": "10"}, "at most 100% of the contract"),
        ({"percent": "lots"}, "Enter a number"),
        ({"name": ""}, "Name: This field is required."),
    ],
)
def test_a_refused_payment_term_writes_nothing(pm_client, project, data, expected):
    form = {"name": "质保金", "percent": "5", "milestone": "", "due_date": "", "days_after_acceptance": "30", **data}
    response = pm_client.post(reverse("payments:payment-term-add", args=[project.pk]), form)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert project.payment_terms.count() == 3


def test_create_an_invoice(finance_client, project):
    term = terms_of(project)[0]
    response = finance_client.post(
        reverse("payments:invoice-add", args=[project.pk]),
        {
            "number": " INV-2026-001 ",
            "amount": "600000",
            "issued_on": "2026-11-10",
            "due_on": "2026-12-10",
            "payment_term": term.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == payments_tab(project)
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.amount, invoice.payment_term) == ("INV-2026-001", Decimal("600000.00"), term)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"number": "INV-1"}, "already exists"),
        ({"amount": "0"}, "Ensure this value is greater than or equal to 0.01"),
        ({"issued_on": ""}, "Issued on: This field is required."),
    ],
)
def test_a_refused_invoice_writes_nothing(finance_client, project, data, expected):
    Invoice.objects.create(
        project=ProjectFactory(code="X-2026-0003"), number="INV-1", amount=1, issued_on=date(2026, 1, 1)
    )
    form = {"number": "INV-2", "amount": "100", "issued_on": "2026-11-10", "due_on": "", "payment_term": "", **data}
    response = finance_client.post(reverse("payments:invoice-add", args=[project.pk]), form)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert Invoice.objects.count() == 1


def test_record_a_receipt(finance_client, kicked_off, project):
    term = terms_of(project)[0]
    invoice = payments.invoice_create(
        actor=kicked_off["finance"],
        project=project,
        number="INV-9",
        amount=Decimal(600000),
        issued_on=date(2026, 11, 10),
        payment_term=term,
    )
    response = finance_client.post(
        reverse("payments:receipt-add", args=[project.pk]),
        {
            "payment_term": term.pk,
            "amount": "250000",
            "received_on": "2026-11-20",
            "reference": "BANK-77",
            "invoice": invoice.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == payments_tab(project)
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.invoice, receipt.reference) == (Decimal("250000.00"), invoice, "BANK-77")
    page = finance_client.get(reverse("payments:project-payments", args=[project.pk])).content.decode()
    assert "BANK-77" in page and "350,000.00" in page  # outstanding on the advance


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": "600000.01"}, "still outstanding"),
        ({"amount": "-5"}, "must be a positive amount"),
        ({"payment_term": ""}, "Payment term: This field is required."),
        ({"payment_term": "999999"}, "Select a valid choice"),
    ],
)
def test_a_refused_receipt_writes_nothing(finance_client, project, data, expected):
    form = {
        "payment_term": terms_of(project)[0].pk,
        "amount": "100",
        "received_on": "2026-11-20",
        "reference": "",
        "invoice": "",
        **data,
    }
    response = finance_client.post(reverse("payments:receipt-add", args=[project.pk]), form)
    assert response.status_code == 302
    assert any(expected in t for t in texts(response)), texts(response)
    assert not Receipt.objects.exists()


def test_write_off(finance_client, project):
    term = terms_of(project)[0]
    response = finance_client.post(
        reverse("payments:write-off", args=[project.pk]),
        {"payment_term": term.pk, "amount": "1000", "reason": "尾差核销"},
    )
    assert response.status_code == 302 and response["Location"] == payments_tab(project)
    term.refresh_from_db()
    assert term.written_off == Decimal("1000.00") and term.write_off_reason == "尾差核销"


@pytest.mark.parametrize(
    ("who", "data", "expected"),
    [
        ("finance", {"reason": ""}, "Reason: This field is required."),
        ("finance", {"amount": "9999999"}, "at most what is outstanding"),
        ("pm", {}, "Only finance or a director"),
    ],
)
def test_a_refused_write_off_changes_nothing(client, kicked_off, project, who, data, expected):
    client.force_login(kicked_off[who])
    term = terms_of(project)[0]
    form = {"payment_term": term.pk, "amount": "1000", "reason": "尾差", **data}
    response = client.post(reverse("payments:write-off", args=[project.pk]), form)
    assert any(expected in t for t in texts(response)), texts(response)
    term.refresh_from_db()
    assert term.written_off == 0


def test_the_standalone_page_brings_the_user_back(pm_client, project):
    url = reverse("milestones:project-milestones", args=[project.pk])
    response = pm_client.post(
        reverse("milestones:milestone-transition", args=[project.pk, first_milestone(project).pk]),
        {"transition": "start", "next": url},
    )
    assert response["Location"] == url
    response = pm_client.post(
        reverse("payments:write-off", args=[project.pk]), {"payment_term": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == payments_tab(project)  # a foreign next is ignored


def test_get_is_not_allowed_on_actions(pm_client, project):
    assert pm_client.get(reverse("payments:receipt-add", args=[project.pk])).status_code == 405


# --- downloads ---------------------------------------------------------------------------------------------


def test_download_returns_the_exact_uploaded_bytes(engineer_client, project):
    data = PDF_BYTES + bytes(range(256)) * 10
    post_upload(engineer_client, project, first_milestone(project), "方案.pdf", data)
    version = DeliverableVersion.objects.get()
    response = engineer_client.get(reverse("milestones:version-download", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_docx_survives_the_round_trip(engineer_client, project):
    from docx import Document

    post_upload(
        engineer_client, project, first_milestone(project), "验收报告.docx", docx_bytes("验收报告 round trip 驗收")
    )
    version = DeliverableVersion.objects.get()
    response = engineer_client.get(reverse("milestones:version-download", args=[version.pk]))
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert [p.text for p in document.paragraphs] == ["验收报告 round trip 驗收"]


def test_a_missing_file_or_certificate_is_404(pm_client, kicked_off, project):
    deliverable = a_deliverable(kicked_off)
    version = deliverable.versions.get()
    version.file.storage.delete(version.file.name)
    assert pm_client.get(reverse("milestones:version-download", args=[version.pk])).status_code == 404
    record = delivery.acceptance_record(
        actor=kicked_off["pm"],
        project=project,
        accepted_on=date(2026, 11, 20),
        signatory="王主任",
        result="passed",
        milestone=first_milestone(project),
    )
    assert pm_client.get(reverse("milestones:certificate-download", args=[record.pk])).status_code == 404


# --- visibility --------------------------------------------------------------------------------------------


def test_an_engineer_of_another_project_gets_404_everywhere(client, kicked_off, project, stranger):
    deliverable = a_deliverable(kicked_off, status="submitted")
    version = deliverable.versions.get()
    milestone = first_milestone(project)
    term = terms_of(project)[0]
    task = project.tasks.first()
    record = delivery.acceptance_record(
        actor=kicked_off["pm"],
        project=project,
        accepted_on=date(2026, 11, 20),
        signatory="王主任",
        result="passed",
        milestone=milestone,
        certificate=("cert.pdf", PDF_BYTES),
    )
    client.force_login(stranger)
    for name in ("milestones:project-milestones", "payments:project-payments"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 404, name
    for url in (
        reverse("milestones:version-download", args=[version.pk]),
        reverse("milestones:certificate-download", args=[record.pk]),
    ):
        assert client.get(url).status_code == 404, url
    posts = {
        reverse("milestones:milestone-transition", args=[project.pk, milestone.pk]): {"transition": "start"},
        reverse("milestones:milestone-plan", args=[project.pk, milestone.pk]): {},
        reverse("milestones:deliverable-upload", args=[project.pk, milestone.pk]): {
            "doc_type": "design",
            "title": "x",
            "file": upload("x.pdf", PDF_BYTES),
        },
        reverse("milestones:deliverable-version-add", args=[project.pk, deliverable.pk]): {
            "file": upload("x.pdf", PDF_BYTES)
        },
        reverse("milestones:deliverable-submit", args=[project.pk, deliverable.pk]): {},
        reverse("milestones:deliverable-review", args=[project.pk, deliverable.pk]): {"decision": "approve"},
        reverse("milestones:acceptance-add", args=[project.pk]): acceptance_data(milestone=milestone.pk),
        reverse("milestones:task-status", args=[project.pk, task.pk]): {"done": "on"},
        reverse("payments:payment-term-add", args=[project.pk]): {"name": "x", "percent": "1"},
        reverse("payments:invoice-add", args=[project.pk]): {"number": "X", "amount": "1", "issued_on": "2026-11-01"},
        reverse("payments:receipt-add", args=[project.pk]): {
            "payment_term": term.pk,
            "amount": "1",
            "received_on": "2026-11-01",
        },
        reverse("payments:write-off", args=[project.pk]): {"payment_term": term.pk, "amount": "1", "reason": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    milestone.refresh_from_db()
    deliverable.refresh_from_db()
    assert milestone.status == "planned" and deliverable.status == "submitted"
    assert DeliverableVersion.objects.count() == 1 and Acceptance.objects.count() == 1
    assert not Invoice.objects.exists() and not Receipt.objects.exists() and project.payment_terms.count() == 3
    page = client.get(reverse("payments:receivables")).content.decode()
    assert project.code not in page


def test_an_object_of_another_project_is_404(pm_client, kicked_off, project):
    other = ProjectFactory(owner=kicked_off["pm"], code="X-2026-0002")
    foreign = Milestone.objects.create(
        project=other, name="别的里程碑", planned_start=date(2026, 11, 2), planned_end=date(2026, 11, 9)
    )
    foreign_task = Task.objects.create(project=other, name="别的任务")
    assert transition(pm_client, project, foreign, "start").status_code == 404
    url = reverse("milestones:task-status", args=[project.pk, foreign_task.pk])
    assert pm_client.post(url, {"done": "on"}).status_code == 404


# --- receivables and alarms --------------------------------------------------------------------------------


def test_receivables_page_buckets_and_chart(finance_client, kicked_off, project):
    today = timezone.localdate()
    advance, second, final = terms_of(project)
    PaymentTerm.objects.filter(pk=advance.pk).update(due_date=today - timedelta(days=40))
    PaymentTerm.objects.filter(pk=second.pk).update(due_date=today - timedelta(days=200))
    payments.receipt_record(actor=kicked_off["finance"], payment_term=second, amount=Decimal(100000), received_on=today)
    response = finance_client.get(reverse("payments:receivables"))
    assert response.status_code == 200
    page = response.content.decode()
    assert PLOTLY_DIV in page and page.count("/static/plotly/plotly.min.js") == 1
    assert response.context["aging"]["buckets"] == [
        {"label": "0-30", "amount": Decimal(0)},
        {"label": "31-90", "amount": Decimal("600000.00")},
        {"label": "91-180", "amount": Decimal(0)},
        {"label": ">180", "amount": Decimal("500000.00")},
    ]
    assert "1,100,000.00" in page and project.code in page
    assert [t.pk for t in response.context["late_terms"]] == [second.pk, advance.pk]  # oldest first


def test_my_alarms_newest_first_and_only_mine(kicked_off, project):
    pm, engineer = kicked_off["pm"], kicked_off["engineer"]
    milestone = first_milestone(project)
    older = Alarm.objects.create(
        kind="milestone_due",
        object_type="milestone",
        object_id=milestone.pk,
        level=0,
        project=project,
        params={"project": project.code, "milestone": milestone.name, "due": "2026-11-20"},
    )
    newer = Alarm.objects.create(
        kind="milestone_overdue",
        object_type="milestone",
        object_id=milestone.pk,
        level=2,
        project=project,
        params={"project": project.code, "milestone": milestone.name, "days": "3", "level": "2"},
    )
    not_mine = Alarm.objects.create(
        kind="milestone_overdue", object_type="milestone", object_id=milestone.pk, level=1, project=project, params={}
    )
    older.recipients.add(pm)
    newer.recipients.add(pm)
    not_mine.recipients.add(engineer)
    context = my_alarms(pm)
    assert [item["alarm"] for item in context["my_alarms"]] == [newer, older]
    assert my_alarms(pm, limit=1)["my_alarms"][0]["alarm"] == newer
    html = render_to_string("milestones/_my_alarms.html", context)
    assert "is 3 days overdue (escalation level 2)" in html and "is due on 2026-11-20" in html
    assert milestones_tab(project) in html and html.index("overdue") < html.index("is due on")
    assert "No alarms" in render_to_string("milestones/_my_alarms.html", my_alarms(kicked_off["quality"]))


# --- queries -----------------------------------------------------------------------------------------------


def test_milestones_page_queries_do_not_grow_with_deliverables(pm_client, kicked_off, project, count_queries):
    url = reverse("milestones:project-milestones", args=[project.pk])
    engineer = kicked_off["engineer"]

    def fill(per_milestone: int) -> None:
        for milestone in project.milestones.all():
            for i in range(per_milestone):
                d = delivery.deliverable_upload(
                    actor=engineer,
                    milestone=milestone,
                    doc_type="design",
                    title=f"D{i}",
                    name=f"d{i}.pdf",
                    data=PDF_BYTES,
                )
                delivery.deliverable_add_version(  # a changed file: an identical one makes no version
                    actor=engineer, deliverable=d, name=f"d{i}-v2.pdf", data=PDF_BYTES + b"%v2\n"
                )
                if i % 2:
                    delivery.deliverable_submit(actor=engineer, deliverable=d)

    fill(2)
    assert pm_client.get(url).status_code == 200
    two = count_queries(lambda: pm_client.get(url))
    fill(6)
    eight = count_queries(lambda: pm_client.get(url))
    assert Deliverable.objects.count() == 8 * 5 and DeliverableVersion.objects.count() == 16 * 5
    assert two == eight


def test_payments_page_queries_do_not_grow_with_receipts(finance_client, kicked_off, project, count_queries):
    url = reverse("payments:project-payments", args=[project.pk])
    finance = kicked_off["finance"]
    counter = iter(range(1000))

    def fill(per_term: int) -> None:
        for term in terms_of(project):
            invoice = payments.invoice_create(
                actor=finance,
                project=project,
                number=f"INV-{next(counter)}",
                amount=Decimal(1000),
                issued_on=date(2026, 11, 10),
                payment_term=term,
            )
            for _i in range(per_term):
                payments.receipt_record(
                    actor=finance,
                    payment_term=term,
                    amount=Decimal(100),
                    received_on=date(2026, 11, 20),
                    invoice=invoice,
                )

    fill(2)
    assert finance_client.get(url).status_code == 200
    two = count_queries(lambda: finance_client.get(url))
    fill(6)
    eight = count_queries(lambda: finance_client.get(url))
    assert Receipt.objects.count() == 8 * 3
    assert two == eight
