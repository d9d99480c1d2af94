"""Uploads are what they claim (issue 12 item 8): a text file named .docx is refused as a deliverable (its content is
checked against its extension), and an identical re-upload (the same SHA-256 as the latest version) makes no new
version and says so."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backend.core.errors import Conflict, ValidationFailed
from backend.milestones import services as delivery
from backend.milestones.models import Deliverable, DeliverableVersion
from tests.milestones.conftest import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db

TEXT_BYTES = "这不是 Word 文件 just some text\n".encode()


@pytest.fixture
def project(kicked_off):
    return kicked_off["project"]


@pytest.fixture
def engineer_client(client, kicked_off):
    client.force_login(kicked_off["engineer"])
    return client


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def first_milestone(project):
    return project.milestones.order_by("order").first()


def a_deliverable(ctx, data: bytes = PDF_BYTES, name: str = "design.pdf") -> Deliverable:
    return delivery.deliverable_upload(
        actor=ctx["engineer"],
        milestone=first_milestone(ctx["project"]),
        doc_type="design",
        title="总体设计方案",
        name=name,
        data=data,
    )


def test_a_text_file_named_docx_is_refused_as_a_deliverable(kicked_off, project):
    with pytest.raises(ValidationFailed) as refused:
        a_deliverable(kicked_off, data=TEXT_BYTES, name="design.docx")
    assert refused.value.code == "file_extension_mismatch"
    assert refused.value.message == "design.docx is named .docx but its content is a txt file; upload the right file."
    assert not Deliverable.objects.exists() and not DeliverableVersion.objects.exists()


def test_the_page_refuses_a_text_file_named_docx_in_chinese(engineer_client, project):
    milestone = first_milestone(project)
    response = engineer_client.post(
        reverse("milestones:deliverable-upload", args=[project.pk, milestone.pk]),
        {"doc_type": "design", "title": "总体设计方案", "file": SimpleUploadedFile("design.docx", TEXT_BYTES)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 302
    assert any("design.docx 的扩展名为 .docx，但其内容是 txt 文件" in t for t in texts(response)), texts(response)
    assert not Deliverable.objects.exists()


def test_a_text_file_named_docx_is_refused_as_a_new_version_too(kicked_off, project):
    deliverable = a_deliverable(kicked_off)
    with pytest.raises(ValidationFailed, match="is named .docx but its content is a txt file"):
        delivery.deliverable_add_version(
            actor=kicked_off["engineer"], deliverable=deliverable, name="design-v2.docx", data=TEXT_BYTES
        )
    assert list(deliverable.versions.values_list("version", flat=True)) == [1]


def test_an_identical_re_upload_makes_no_new_version(kicked_off, project):
    deliverable = a_deliverable(kicked_off, data=docx_bytes("v1"), name="design.docx")
    same = deliverable.versions.get().file.open("rb").read()
    with pytest.raises(Conflict) as refused:
        delivery.deliverable_add_version(
            actor=kicked_off["engineer"], deliverable=deliverable, name="design-copy.docx", data=same
        )
    assert refused.value.code == "identical_version" and refused.value.status_code == 409
    assert refused.value.message == (
        "design-copy.docx is identical to version 1 of '总体设计方案' (the same SHA-256); no new version was made."
    )
    assert list(deliverable.versions.values_list("version", flat=True)) == [1]
    # a changed file is a new version; going back to the first one's content is one more (it is not the latest)
    delivery.deliverable_add_version(
        actor=kicked_off["engineer"], deliverable=deliverable, name="design-v2.docx", data=docx_bytes("v2")
    )
    delivery.deliverable_add_version(
        actor=kicked_off["engineer"], deliverable=deliverable, name="design-v1-again.docx", data=same
    )
    assert list(deliverable.versions.values_list("version", "original_name")) == [
        (3, "design-v1-again.docx"),
        (2, "design-v2.docx"),
        (1, "design.docx"),
    ]


def test_the_page_says_an_identical_re_upload_made_no_version(engineer_client, kicked_off, project):
    deliverable = a_deliverable(kicked_off)
    url = reverse("milestones:deliverable-version-add", args=[project.pk, deliverable.pk])
    response = engineer_client.post(
        url, {"file": SimpleUploadedFile("design.pdf", PDF_BYTES)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 302
    assert any(
        "design.pdf 与“总体设计方案”的第 1 版完全相同（SHA-256 一致），未生成新版本。" in t for t in texts(response)
    ), texts(response)
    assert deliverable.versions.count() == 1


def test_the_api_answers_409_for_an_identical_re_upload(client_for, kicked_off, project):
    deliverable = a_deliverable(kicked_off)
    response = client_for(kicked_off["engineer"]).post(
        f"/api/v1/deliverables/{deliverable.pk}/versions/",
        {"file": SimpleUploadedFile("design.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "identical_version"
    assert "is identical to version 1" in response.json()["detail"]
    assert deliverable.versions.count() == 1
