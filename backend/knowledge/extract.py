"""Text of uploaded files for the search index: .docx (paragraphs and tables), .pdf (text layer), .txt.

Extraction never fails an upload: a file whose text cannot be read is kept with empty text. Output is
capped so one huge file cannot dominate the index.
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)
MAX_CHARS = 1_000_000
MAX_PDF_PAGES = 500


def extract_text(*, kind: str, data: bytes) -> str:
    """The text of a file already identified (``backend.core.uploads.sniff``) as ``kind``."""
    try:
        if kind == "docx":
            text = _docx(data)
        elif kind == "pdf":
            text = _pdf(data)
        elif kind == "txt":
            text = data.decode("utf-8", errors="replace")
        else:
            text = ""
    except Exception:  # a damaged file: keep it, without text
        log.warning("could not extract text from a %s file", kind, exc_info=True)
        text = ""
    return text.replace("\x00", "")[:MAX_CHARS]


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                parts.append(" | ".join(dict.fromkeys(cells)))
    return "\n".join(parts)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = []
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            break
        parts.append(page.extract_text() or "")
        if sum(len(p) for p in parts) > MAX_CHARS:
            break
    return "\n".join(parts)
