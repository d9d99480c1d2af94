"""Document API: template upload rights and errors, generate → download, download permissions, gate
document requirements, batch generation with progress."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from backend.core.errors import TransitionRefused
from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument
from backend.docs_templates.services import defaults_load
from backend.projects import services
from tests.docs_templates.test_rendering import docx_with, text_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return services.project_create(
        actor=org["bidmgr"],
        name="智慧校园一卡通",
        customer=CustomerFactory(name="北京交通大学", owner=org["bidmgr"]),
        estimated_amount=880_000,
    )


def test_only_admins_upload_and_errors_are_400(client_for, make_user):
    admin = make_user("sysadmin", "admin")
    payload = {
        "doc_type": "quotation",
        "language": "en",
        "name": "Quote",
        "file": SimpleUploadedFile("q.docx", docx_with("{{ project.name }}")),
    }
    assert (
        client_for(make_user("seller", "bid_manager"))
        .post("/api/v1/document-templates/", payload, format="multipart")
        .status_code
        == 403
    )
    payload["file"] = SimpleUploadedFile("q.docx", docx_with("{{ project.name }}"))
    created = client_for(admin).post("/api/v1/document-templates/", payload, format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1 and created.json()["placeholders"] == ["project", "project.name"]
    bad = client_for(admin).post(
        "/api/v1/document-templates/",
        {"doc_type": "quotation", "language": "en", "file": SimpleUploadedFile("q.docx", docx_with("{{ salary }}"))},
        format="multipart",
    )
    assert bad.status_code == 400 and "salary" in bad.json()["detail"]
    assert DocumentTemplate.objects.count() == 1
    catalogue = client_for(admin).get("/api/v1/document-templates/catalogue/").json()
    assert any(row["name"] == "quotation.lines[].net" for row in catalogue["quotation"])


def test_generate_download_and_permissions(client_for, org, project):
    defaults_load(only={("initiation_request", "zh-hans")})
    created = client_for(org["bidmgr"]).post(
        "/api/v1/documents/", {"project": project.pk, "doc_type": "initiation_request"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["download_url"].endswith(f"/api/v1/documents/{body['id']}/download/")
    response = client_for(org["bidmgr"]).get(body["download_url"])
    assert response.status_code == 200
    text = text_of(b"".join(response.streaming_content))
    assert "智慧校园一卡通" in text and "北京交通大学" in text and "880,000.00" in text
    assert client_for(org["outsider"]).get(body["download_url"]).status_code == 404
    assert (
        client_for(org["outsider"])
        .post("/api/v1/documents/", {"project": project.pk, "doc_type": "initiation_request"}, format="json")
        .status_code
        == 400
    )  # the project does not exist for them
    assert client_for(org["outsider"]).get("/api/v1/documents/").json()["count"] == 0
    missing = client_for(org["bidmgr"]).post(
        "/api/v1/documents/", {"project": project.pk, "doc_type": "quotation", "language": "en"}, format="json"
    )
    assert missing.status_code == 409 and "template" in missing.json()["detail"]


def test_pdf_is_optional_and_reported(client_for, org, project, settings):
    settings.LIBREOFFICE_BINARY = "no-such-office-binary"
    defaults_load(only={("initiation_request", "zh-hans")})
    body = (
        client_for(org["bidmgr"])
        .post(
            "/api/v1/documents/", {"project": project.pk, "doc_type": "initiation_request", "pdf": True}, format="json"
        )
        .json()
    )
    if body["pdf_url"] is None:
        assert "LibreOffice" in body["pdf_note"]
        assert client_for(org["bidmgr"]).get(body["download_url"] + "?pdf=1").status_code == 404


def test_the_pdf_copy_is_made_after_commit_not_inside_the_write_transaction(
    client_for, org, project, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A stand-in LibreOffice (a script that logs each run and writes a PDF) proves the conversion happens
    only once the generating transaction has committed, and that the copy is then downloadable."""
    runs = tmp_path / "runs.log"
    office = tmp_path / "fake-office"
    office.write_text(
        f'#!/bin/sh\necho "$6" >> "{runs}"\nprintf \'%%PDF-1.4 made by the stand-in\\n\' > "$5/document.pdf"\n'
    )
    office.chmod(0o755)
    settings.LIBREOFFICE_BINARY = str(office)
    defaults_load(only={("initiation_request", "zh-hans")})
    client = client_for(org["bidmgr"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/documents/", {"project": project.pk, "doc_type": "initiation_request", "pdf": True}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["pdf_url"] is None and "being made" in body["pdf_note"]
        assert not runs.exists()  # nothing converted while the request's transaction was open
    assert len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert runs.read_text().count("document.docx") == 1  # converted once, after commit
    document = GeneratedDocument.objects.get(pk=body["id"])
    assert document.pdf and document.pdf_note == ""
    download = client.get(body["download_url"] + "?pdf=1")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 made by the stand-in\n"


def test_gate_requires_an_approved_document(org, project):
    from workflows.models import Gate

    Gate.objects.filter(kind="initiation").update(required_documents=["initiation_request"])
    for item in project.checklist.filter(stage="tender", required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    with pytest.raises(TransitionRefused) as err:
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    assert "initiation_request" in err.value.message
    defaults_load(only={("initiation_request", "zh-hans")})
    from backend.docs_templates.services import document_approve, document_generate

    document = document_generate(actor=org["bidmgr"], project=project, doc_type="initiation_request")
    with pytest.raises(TransitionRefused):  # generated is not approved
        services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    document_approve(actor=org["bidmgr"], document=document)
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    project.refresh_from_db()
    assert project.status == "initiation_review"


def test_batch_generation_reports_progress(client_for, org, project, django_capture_on_commit_callbacks):
    defaults_load(only={("weekly_report", "zh-hans")})
    other = services.project_create(
        actor=org["bidmgr"], name="第二个项目", customer=CustomerFactory(owner=org["bidmgr"])
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org["bidmgr"]).post(
            "/api/v1/document-batches/",
            {"doc_type": "weekly_report", "language": "zh-hans", "project_ids": [project.pk, other.pk]},
            format="json",
        )
    assert response.status_code == 201, response.json()
    batch = DocumentBatch.objects.get()
    progress = client_for(org["bidmgr"]).get(f"/api/v1/document-batches/{batch.pk}/").json()
    assert (progress["status"], progress["done"], progress["total"]) == ("done", 2, 2)
    assert GeneratedDocument.objects.filter(doc_type="weekly_report").count() == 2
    hidden = services.project_create(
        actor=org["outsider"], name="hidden", customer=CustomerFactory(owner=org["outsider"])
    )
    refused = client_for(org["bidmgr"]).post(
        "/api/v1/document-batches/",
        {"doc_type": "weekly_report", "language": "zh-hans", "project_ids": [hidden.pk]},
        format="json",
    )
    assert refused.status_code == 403


@pytest.mark.worker
def test_batch_runs_on_the_real_worker(real_worker, org, templates, client_for):
    from tests.conftest import wait_until

    defaults_load(only={("weekly_report", "en")})
    projects = [
        services.project_create(
            actor=org["bidmgr"], name=f"Batch project {i}", customer=CustomerFactory(owner=org["bidmgr"])
        )
        for i in range(3)
    ]
    response = client_for(org["bidmgr"]).post(
        "/api/v1/document-batches/",
        {"doc_type": "weekly_report", "language": "en", "project_ids": [p.pk for p in projects]},
        format="json",
    )
    assert response.status_code == 201
    batch_id = response.json()["id"]
    wait_until(
        lambda: DocumentBatch.objects.get(pk=batch_id).status == "done",
        timeout=60,
        message="the worker never finished the batch",
    )
    assert DocumentBatch.objects.get(pk=batch_id).done == 3
    document = GeneratedDocument.objects.filter(project=projects[0]).get()
    assert "Batch project 0" in text_of(document.file.open("rb").read())


def test_docx_helper_roundtrip():
    assert "hello" in text_of(docx_with("hello"))
    assert Document(io.BytesIO(docx_with("x"))).paragraphs[0].text == "x"
