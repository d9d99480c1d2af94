"""Text of uploaded files for the search index: .docx (paragraphs and tables), .pdf (text layer), .txt.

Extraction never fails an upload: a file whose text cannot be read is kept with empty text. Output is
capped so one huge file cannot dominate the index, and it runs on the worker after the upload committed
(``backend.knowledge.services.attachments.attachment_text_extract``), never inside a writing transaction.
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
    """Paragraphs, then each table row as ``cell | cell``, read by streaming ``word/document.xml`` (never the
    whole tree in memory) and stopping at ``MAX_CHARS``: a 30 MB document part costs a pass, not minutes."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    parts: list[str] = []
    rows: list[str] = []
    size = 0
    table_depth = 0
    row: list[str] = []
    cell: list[str] = []
    paragraph: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as handle:
        events = etree.iterparse(
            handle, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False
        )
        for event, element in events:
            tag = element.tag
            if event == "start":
                if tag == f"{w}tbl":
                    table_depth += 1
                continue
            if tag == f"{w}t" and element.text:
                paragraph.append(element.text)
            elif tag == f"{w}tab":
                paragraph.append("\t")
            elif tag == f"{w}p":
                text = "".join(paragraph).strip()
                paragraph = []
                if text:
                    if table_depth:
                        cell.append(text)
                    else:
                        parts.append(text)
                        size += len(text) + 1
            elif tag == f"{w}tc":
                text = " ".join(cell).strip()
                cell = []
                if text:
                    row.append(text)
            elif tag == f"{w}tr":
                if row:
                    line = " | ".join(dict.fromkeys(row))
                    rows.append(line)
                    size += len(line) + 1
                row = []
            elif tag == f"{w}tbl":
                table_depth -= 1
            if tag in (f"{w}p", f"{w}tbl", f"{w}body"):
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
            if size > MAX_CHARS:
                break
    return "\n".join(parts + rows)


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
