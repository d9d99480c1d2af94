"""Document pages: the project's documents tab, generate and approve, template management, batches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument
from backend.docs_templates.services import defaults_load
from backend.projects import services
from tests.docs_templates.test_rendering import docx_with
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return services.project_create(
        actor=org["bidmgr"], name="数据中心项目", customer=CustomerFactory(owner=org["bidmgr"])
    )


def test_documents_tab_generate_approve_download(client, org, project):
    defaults_load(only={("initiation_request", "zh-hans")})
    client.force_login(org["bidmgr"])
    page = client.get(f"/projects/{project.pk}/?tab=documents")
    assert page.status_code == 200 and "generate-form" in page.content.decode()
    response = client.post(
        f"/documents/project/{project.pk}/generate/", {"gen-doc_type": "initiation_request", "gen-language": "zh-hans"}
    )
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert client.post(f"/documents/{document.pk}/approve/").status_code == 302
    document.refresh_from_db()
    assert document.status == "approved"
    download = client.get(f"/documents/{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    missing = client.post(
        f"/documents/project/{project.pk}/generate/", {"gen-doc_type": "quotation", "gen-language": "en"}, follow=True
    )
    assert missing.status_code == 200 and GeneratedDocument.objects.count() == 1
    client.force_login(org["outsider"])
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    assert (
        client.post(
            f"/documents/project/{project.pk}/generate/",
            {"gen-doc_type": "initiation_request", "gen-language": "zh-hans"},
        ).status_code
        == 404
    )


def test_template_management_is_for_admins(client, make_user):
    client.force_login(make_user("seller", "bid_manager"))
    assert client.get("/documents/templates/").status_code == 404
    client.force_login(make_user("sysadmin", "admin"))
    page = client.get("/documents/templates/")
    assert page.status_code == 200 and "quotation.lines[].net" in page.content.decode()
    bad = client.post(
        "/documents/templates/",
        {
            "doc_type": "quotation",
            "language": "en",
            "file": SimpleUploadedFile("x.docx", docx_with("{{ ''.__class__ }}")),
        },
    )
    assert bad.status_code == 400 and "__class__" in bad.content.decode()
    good = client.post(
        "/documents/templates/",
        {
            "doc_type": "quotation",
            "language": "en",
            "activate": "on",
            "file": SimpleUploadedFile("x.docx", docx_with("{{ project.name }}")),
        },
    )
    assert good.status_code == 302 and DocumentTemplate.objects.get().is_active


def test_batch_page_and_progress(client, org, project, django_capture_on_commit_callbacks):
    defaults_load(only={("weekly_report", "zh-hans")})
    client.force_login(org["bidmgr"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/documents/batches/", {"doc_type": "weekly_report", "language": "zh-hans", "projects": [project.pk]}
        )
    batch = DocumentBatch.objects.get()
    assert response.status_code == 302
    progress = client.get(f"/documents/batches/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "1 / 1" in progress and project.code in progress
