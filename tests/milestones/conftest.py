"""A won project ready for delivery, with a PM, an engineer and a quality reviewer."""

import io
from datetime import date

import pytest

from backend.bids.services import contract_terms_save, win_loss_save
from backend.projects import services
from backend.projects.choices import Status
from tests.factories import CustomerFactory, set_status


def docx_bytes(text: str = "交付文档 deliverable") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def delivery(org, make_user):
    pm = make_user("pm", "pm", department=org["department"])
    engineer = make_user("engineer", "engineer")
    quality = make_user("quality", "quality")
    project = services.project_create(
        actor=org["bidmgr"],
        name="数据中心机房建设",
        customer=CustomerFactory(owner=org["bidmgr"]),
        estimated_amount=2_000_000,
    )
    services.member_add(actor=org["bidmgr"], project=project, user=pm, role="pm")
    services.member_add(actor=org["bidmgr"], project=project, user=engineer, role="engineer")
    contract_terms_save(actor=org["bidmgr"], project=project, amount=2_000_000)
    win_loss_save(project=project, actor=org["bidmgr"], outcome="won", data={"primary_reason": "technology"})
    set_status(project, Status.WON)
    project.contract_amount = 2_000_000
    project.save(update_fields=["contract_amount"])
    return {"project": project, "pm": pm, "engineer": engineer, "quality": quality, **org}


@pytest.fixture
def kicked_off(delivery):
    services.project_transition(
        project_id=delivery["project"].pk, name="kickoff", actor=delivery["pm"], kickoff_date=date(2026, 11, 2)
    )
    delivery["project"].refresh_from_db()
    return delivery
