"""Every file field of every model is checked by the one upload validator (backend/core/uploads.py): size,
content against the extension, zip bombs (total unpacked, compression ratio, entry count) and the sanity of
Office parts. The field list comes from the models, so a new FileField cannot escape."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.utils import translation

from backend.core.errors import ValidationFailed
from backend.core.uploads import UploadField, check_upload
from tests.uploads import docx_bomb, real_docx

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model is model:
                found.append((model, field))
    return found


def test_the_models_have_the_file_fields_this_test_knows_of():
    names = sorted(f"{m._meta.label}.{f.name}" for m, f in file_fields())
    assert len(names) >= 9, names  # deliverables, certificates, attachments, templates, documents, tenders...
    assert "milestones.DeliverableVersion.file" in names and "knowledge.ArticleAttachment.file" in names


@pytest.mark.parametrize(("model", "field"), file_fields(), ids=lambda v: getattr(v, "name", None) or str(v))
def test_every_file_field_refuses_a_zip_bomb_before_storing_it(model, field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert isinstance(field, UploadField), f"{model._meta.label}.{field.name} must be an UploadField"
    bomb = docx_bomb(200)
    assert len(bomb) < 400_000  # tiny on disk, 200 MB unpacked
    instance = model()
    with pytest.raises(ValidationFailed) as refused:
        getattr(instance, field.name).save("bomb.docx", ContentFile(bomb), save=False)
    assert refused.value.code in ("zip_bomb", "file_type_not_allowed")
    assert field.name in refused.value.fields
    with pytest.raises(ValidationFailed) as misnamed:
        getattr(instance, field.name).save("report.exe", ContentFile(PDF if "pdf" in field.kinds else real_docx()))
    assert misnamed.value.code in ("file_extension_mismatch", "file_type_not_allowed")
    assert not any(tmp_path.rglob("*.*")), "a refused file was written to the storage"


def test_a_file_of_an_allowed_kind_is_stored(settings, tmp_path):
    from backend.knowledge.models import ArticleAttachment

    settings.MEDIA_ROOT = tmp_path
    attachment = ArticleAttachment()
    attachment.file.save("记录.docx", ContentFile(real_docx()), save=False)
    assert attachment.file.name.startswith("knowledge/") and len(list(tmp_path.rglob("*.docx"))) == 1


def test_the_bomb_is_refused_with_figures_and_in_chinese():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name="交付.docx", data=docx_bomb(200))
    assert refused.value.code == "zip_bomb"
    assert "210.5 MB in 17 files" in refused.value.message and "52.4 MB" in refused.value.message
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as chinese:
        check_upload(name="交付.docx", data=docx_bomb(200))
    assert "解压" in chinese.value.message and "210.5" in chinese.value.message


def test_a_dense_package_under_the_total_is_refused_by_its_ratio():
    bomb = docx_bomb(40)  # under the 50 MB total, but compressed about 1000 to 1
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name="a.docx", data=bomb)
    assert refused.value.code == "zip_bomb" and "to 1" in refused.value.message


def _package(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        (
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'},
            "file_unsafe",
        ),
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>", "../../etc/passwd": b"x"}, "file_damaged"),
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>", "C:/x.xml": b"<x/>"}, "file_damaged"),
    ],
)
def test_office_parts_must_be_sane(parts, code):
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name="a.docx", data=_package(parts))
    assert refused.value.code == code


def test_too_many_entries_are_refused(settings):
    settings.UPLOAD_MAX_ZIP_ENTRIES = 10
    parts = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"}
    parts.update({f"word/media/{i}.png": b"x" for i in range(10)})
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name="a.docx", data=_package(parts))
    assert refused.value.code == "zip_bomb" and "12 files" in refused.value.message


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("scan.pdf", real_docx(), "file_extension_mismatch"),
        ("notes.docx", PDF, "file_extension_mismatch"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "file_extension_mismatch"),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00", "file_type_not_allowed"),
    ],
)
def test_the_content_must_agree_with_the_extension(name, data, code):
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name=name, data=data)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("b.docx", real_docx(), "docx"),
        ("c.JPG", b"\xff\xd8\xff\xe0", "jpeg"),
        ("readme", b"hello", "txt"),
    ],
)
def test_honest_files_pass(name, data, kind):
    assert check_upload(name=name, data=data).kind == kind
