"""The one upload check of sicrm, shared by every file field: size, the type decided by the content (magic
bytes and, for Office files, the parts inside the zip) and agreeing with the name's extension, and for zip
packages a zip-bomb guard (entry count, total unpacked size, compression ratio) and the sanity of the Office
parts (no path tricks, no duplicate or encrypted entries, no DTD or entity declarations in an XML part).

Services call :func:`check_upload` with the user's file name to learn the type and refuse early, naming the
form field; :class:`UploadField` (the class of every ``FileField`` of every model) runs the same check again
when a file is stored, so no write path can skip it.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from backend.core.errors import ValidationFailed

OFFICE_PARTS = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
DEFAULT_ALLOWED = ("pdf", "docx", "xlsx", "pptx", "png", "jpeg", "txt")
# The extensions a file of each kind may carry (a name without an extension is judged by its content alone).
EXTENSIONS = {
    "pdf": {"pdf"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "pptx": {"pptx"},
    "png": {"png"},
    "jpeg": {"jpg", "jpeg"},
    "txt": {"txt", "md", "csv", "log", "text"},
}
# Bytes read from the start of each XML part of a package to look for DTD and entity declarations.
XML_HEAD = 4096
# Below this unpacked size the compression ratio is not judged (small, repetitive XML parts compress well).
RATIO_FLOOR = 1024 * 1024


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
        except (zipfile.BadZipFile, ValueError, EOFError):
            return None
        if "[Content_Types].xml" in names:
            for kind, (part, content_type) in OFFICE_PARTS.items():
                if part in names:
                    return SniffedFile(kind, content_type)
        return None
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character cut at the end of the sample is still text
        try:
            text = data[:65533].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if "\x00" not in text:
        return SniffedFile("txt", "text/plain")
    return None


def _refuse(message: str, *, field: str, reason: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [reason]}, code=code)


def _check_package(*, name: str, data: bytes, field: str) -> None:
    """The zip-bomb guard and the sanity of an Office package's parts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _refuse(
            _("%(name)s is damaged: its zip package cannot be read.") % {"name": name},
            field=field,
            reason=_("damaged package"),
            code="file_damaged",
        ) from None
    with archive:
        infos = archive.infolist()
        max_entries = settings.UPLOAD_MAX_ZIP_ENTRIES
        unpacked = sum(info.file_size for info in infos)
        limit = settings.UPLOAD_MAX_UNPACKED_BYTES
        if len(infos) > max_entries or unpacked > limit:
            raise _refuse(
                _(
                    "%(name)s would unpack to %(size).1f MB in %(count)d files; the limit is %(limit).1f MB in "
                    "%(max)d files (a zip bomb?)."
                )
                % {"name": name, "size": unpacked / 1e6, "count": len(infos), "limit": limit / 1e6, "max": max_entries},
                field=field,
                reason=_("unpacks too large"),
                code="zip_bomb",
            )
        ratio = unpacked / max(len(data), 1)
        if unpacked > RATIO_FLOOR and ratio > settings.UPLOAD_MAX_ZIP_RATIO:
            raise _refuse(
                _("%(name)s is compressed %(ratio)d to 1; at most %(max)d to 1 is accepted (a zip bomb?).")
                % {"name": name, "ratio": ratio, "max": settings.UPLOAD_MAX_ZIP_RATIO},
                field=field,
                reason=_("compressed too densely"),
                code="zip_bomb",
            )
        seen: set[str] = set()
        for info in infos:
            part = info.filename
            normalized = os.path.normpath(part.replace("\\", "/"))
            if part.startswith(("/", "\\")) or normalized.startswith("..") or ":" in part or part in seen:
                raise _refuse(
                    _("%(name)s contains a part with a forbidden or repeated name: %(part)s.")
                    % {"name": name, "part": part[:100]},
                    field=field,
                    reason=_("bad part name"),
                    code="file_damaged",
                )
            seen.add(part)
            if info.flag_bits & 0x1:
                raise _refuse(
                    _("%(name)s contains an encrypted part (%(part)s); encrypted files are not accepted.")
                    % {"name": name, "part": part[:100]},
                    field=field,
                    reason=_("encrypted"),
                    code="file_encrypted",
                )
            if part.endswith((".xml", ".rels")):
                try:
                    with archive.open(info) as handle:
                        head = handle.read(XML_HEAD)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                    raise _refuse(
                        _("%(name)s is damaged: part %(part)s cannot be read (%(error)s).")
                        % {"name": name, "part": part[:100], "error": exc},
                        field=field,
                        reason=_("damaged package"),
                        code="file_damaged",
                    ) from None
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise _refuse(
                        _("%(name)s declares a DTD or entities in part %(part)s; Office files never need them.")
                        % {"name": name, "part": part[:100]},
                        field=field,
                        reason=_("DTD in a part"),
                        code="file_unsafe",
                    )


def check_upload(
    *,
    name: str,
    data: bytes,
    allowed: tuple[str, ...] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
    field: str = "file",
) -> SniffedFile:
    """Refuse (400, naming the problem and ``field``) an empty, oversized, disallowed, misnamed or bomb-like
    file; return what the file really is."""
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
    extension = os.path.splitext(name or "")[1].lower().lstrip(".")
    if extension and extension not in EXTENSIONS[kind.kind]:
        raise ValidationFailed(
            _("%(name)s is named .%(extension)s but its content is a %(kind)s file; upload the right file.")
            % {"name": name, "extension": extension, "kind": kind.kind},
            fields={field: [_("extension does not match the content")]},
            code="file_extension_mismatch",
        )
    if data.startswith(b"PK\x03\x04"):
        _check_package(name=name, data=data, field=field)
    return kind


# --- the model field ----------------------------------------------------------------------------------------


def _read(content: Any) -> bytes:
    """The bytes of a Django ``File``/``ContentFile``/``UploadedFile`` (left at its start for the storage)."""
    if hasattr(content, "seek"):
        content.seek(0)
    data = content.read()
    if hasattr(content, "seek"):
        content.seek(0)
    return data if isinstance(data, bytes) else str(data).encode()


class CheckedFieldFile(FieldFile):
    """A stored file that is checked by :func:`check_upload` before it is written to the storage."""

    def save(self, name: str, content: Any, save: bool = True) -> None:
        field: UploadField = self.field  # type: ignore[assignment]
        check_upload(name=os.path.basename(name), data=_read(content), allowed=field.kinds, field=field.name)
        super().save(name, content, save)


class UploadField(models.FileField):
    """Every file field of sicrm: a ``FileField`` whose every stored file passes :func:`check_upload` (the kinds
    it accepts are ``kinds``). It is a ``FileField`` to migrations (no schema or migration differs)."""

    attr_class = CheckedFieldFile

    def __init__(self, *args: Any, kinds: tuple[str, ...] = DEFAULT_ALLOWED, **kwargs: Any) -> None:
        unknown = set(kinds) - set(EXTENSIONS)
        if unknown:
            raise ValueError(f"unknown upload kinds {sorted(unknown)}")
        self.kinds = tuple(kinds)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs
