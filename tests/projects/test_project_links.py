"""Navigation that leads somewhere, from the project: its source tender (linked, and its attachments among the
project's documents), the receivables page from the payments tab; and no open-checklist badge on a finished
project in the lists."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from backend.projects.choices import Status
from backend.projects.models import StageChecklistItem
from backend.tenders.models import Tender, TenderAttachment
from tests.factories import CustomerFactory, ProjectFactory, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager")


@pytest.fixture
def web(client, seller):
    client.force_login(seller)
    return client


@pytest.fixture
def tendered(seller):
    tender = Tender.objects.create(number="ZB-2026-017", title="数据中心扩容招标", buyer="华信银行", owner=seller)
    for name in ("招标文件.pdf", "技术规格书.pdf"):
        attachment = TenderAttachment(tender=tender, name=name)
        attachment.file.save(name, ContentFile(b"%PDF-1.4 test"), save=True)
    project = ProjectFactory(owner=seller, customer=CustomerFactory(owner=seller), tender=tender, code="P-T-1")
    return project, tender


def test_the_project_links_its_source_tender(web, tendered):
    project, tender = tendered
    page = web.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert (
        f'<a href="{reverse("tenders:detail", args=[tender.pk])}" id="source-tender">ZB-2026-017 · 数据中心扩容招标</a>'
        in page
    )


def test_the_tenders_attachments_are_among_the_projects_documents(web, tendered):
    project, tender = tendered
    response = web.get(reverse("projects:detail", args=[project.pk]), {"tab": "documents"})
    page = response.content.decode()
    assert [a.name for a in response.context["tender_attachments"]] == ["招标文件.pdf", "技术规格书.pdf"]
    for attachment in TenderAttachment.objects.filter(tender=tender):
        assert f'href="{reverse("tenders:attachment", args=[attachment.pk])}"' in page
    assert "Documents of tender ZB-2026-017" in page
    download = web.get(reverse("tenders:attachment", args=[TenderAttachment.objects.first().pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_a_project_without_tender_has_no_tender_section(web, seller):
    project = ProjectFactory(owner=seller, code="P-N-1")
    response = web.get(reverse("projects:detail", args=[project.pk]), {"tab": "documents"})
    assert response.context["tender_attachments"] == []
    assert 'id="tender-attachments"' not in response.content.decode()


def test_the_payments_tab_links_the_receivables_page(web, seller):
    project = ProjectFactory(owner=seller, code="P-M-1")
    set_status(project, Status.IMPLEMENTATION)
    page = web.get(reverse("projects:detail", args=[project.pk]), {"tab": "payments"}).content.decode()
    assert f'href="{reverse("payments:receivables")}" id="receivables-link"' in page


def test_finished_projects_show_no_open_checklist_badge(web, seller):
    projects = {}
    for code, status in [("P-OPEN", Status.PURSUIT), ("P-LOST", Status.LOST), ("P-ABAN", Status.ABANDONED),
                         ("P-DONE", Status.CLOSED), ("P-WON", Status.WON)]:  # fmt: skip
        project = ProjectFactory(owner=seller, code=code)
        for n in range(2):
            StageChecklistItem.objects.create(project=project, stage=Status.PURSUIT, text=f"事项 {n}", required=True)
        set_status(project, status)
        projects[code] = project
    response = web.get(reverse("projects:list"))
    counts = {p.code: p.open_items for p in response.context["page"].object_list}
    # a lost, abandoned or closed project has nothing left to do; a won one goes on to delivery
    assert counts == {"P-OPEN": 2, "P-LOST": 0, "P-ABAN": 0, "P-DONE": 0, "P-WON": 2}
    assert response.content.decode().count("2 open items") == 2
