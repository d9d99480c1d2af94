"""Hostile files for the upload tests: a .docx that is tiny on disk and huge unpacked."""

from __future__ import annotations

import io
import zipfile

from docx import Document


def real_docx(text: str = "交付文档") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bomb(unpacked_mb: int = 200) -> bytes:
    """A real Word package whose document part unpacks to ``unpacked_mb`` MB of zeros (about 200 KB zipped)."""
    source = zipfile.ZipFile(io.BytesIO(real_docx()))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                continue
            archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return buffer.getvalue()
