"""Upload checks shared by every app that takes files: a size limit, and the type decided by the
content (magic bytes and, for Office files, the parts inside the zip), not by the file name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from backend.core.errors import ValidationFailed

OFFICE_PARTS = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
DEFAULT_ALLOWED = ("pdf", "docx", "xlsx", "pptx", "png", "jpeg", "txt")


@dataclass(frozen=True)
class SniffedFile:
    kind: str
    content_type: str


def sniff(data: bytes) -> SniffedFile | None:
    """What ``data`` really is, or None when it is none of the known kinds."""
    if data.startswith(b"%PDF-"):
        return SniffedFile("pdf", "application/pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return SniffedFile("png", "image/png")
    if data.startswith(b"\xff\xd8\xff"):
        return SniffedFile("jpeg", "image/jpeg")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for kind, (part, content_type) in OFFICE_PARTS.items():
                if part in names:
                    return SniffedFile(kind, content_type)
        return None
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" not in text:
        return SniffedFile("txt", "text/plain")
    return None


def check_upload(
    *,
    name: str,
    data: bytes,
    allowed: tuple[str, ...] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
    field: str = "file",
) -> SniffedFile:
    """Refuse (400, naming the problem) an empty, oversized or disallowed file."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if not data:
        raise ValidationFailed(_("%(name)s is empty.") % {"name": name}, fields={field: [_("empty file")]})
    if len(data) > limit:
        raise ValidationFailed(
            _("%(name)s is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"name": name, "size": len(data) / 1e6, "limit": limit / 1e6},
            fields={field: [_("too large")]},
            code="file_too_large",
        )
    kind = sniff(data)
    if kind is None or kind.kind not in allowed:
        raise ValidationFailed(
            _("%(name)s is not an allowed file type (allowed: %(allowed)s); its content was checked, not its name.")
            % {"name": name, "allowed": ", ".join(allowed)},
            fields={field: [_("type not allowed")]},
            code="file_type_not_allowed",
        )
    return kind
