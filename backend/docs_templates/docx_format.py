"""Print layout and metadata of Word files: the page (A4, the margins of GB/T 9704-2012), the fonts (宋体 and 仿宋
for Chinese text with Times New Roman for Latin text, and a font table naming their fallbacks), and the document
properties (author, company, title). Used by the default templates when they are built and by every render. It
only formats python-docx objects: no database, no rendering.

Decisions: A4 portrait 210 × 297 mm; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (GB/T 9704-2012
§5.2.1, the page of Chinese official documents); header 15 mm and footer 20 mm from the edge, the footer holding
the page number (第 1 页 共 3 页). Tables and labels
are set in 宋体 五号 (10.5 pt), headings in 宋体 bold (小二 18 pt / 四号 14 pt), running text in 仿宋 小四 (12 pt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, unescape

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
HEADER_MM, FOOTER_MM = 15, 20
LATIN_FONT = "Times New Roman"
SONG, FANGSONG = "宋体", "仿宋"
# The font table entries: Word and LibreOffice substitute by the alternative name and the GB2312 character set
# (86) when the Chinese name is not installed (SimSun / FangSong on Windows, Noto/Source Han elsewhere).
FALLBACKS = {
    SONG: ("SimSun", "02010600030101010101", "auto", "variable"),
    FANGSONG: ("FangSong", "02010609060101010101", "modern", "fixed"),
}
STYLE_FONTS = {  # style name: (East Asian font, size in points, bold)
    "Normal": (SONG, 10.5, False),
    "Heading 1": (SONG, 18, True),
    "Heading 2": (SONG, 14, True),
    "Body Text": (FANGSONG, 12, False),
}


def set_page(document: DocumentObject) -> None:
    """A4 portrait with the GB/T 9704 margins on every section."""
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance, section.footer_distance = Mm(HEADER_MM), Mm(FOOTER_MM)


def set_page_numbers(document: DocumentObject, *, language: str) -> None:
    """A centred page number in every section's footer: 第 1 页 共 3 页 / Page 1 of 3 (Word fields, filled in
    when the document is laid out)."""
    zh = language.startswith("zh")
    pieces = ["第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"] if zh else ["Page ", "PAGE", " of ", "NUMPAGES"]
    for section in document.sections:
        footer = section.footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece in pieces:
            if piece in ("PAGE", "NUMPAGES"):
                paragraph._p.append(
                    parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {piece} "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
                )
            else:
                paragraph.add_run(piece)


def _set_run_fonts(rpr: object, east_asia: str) -> None:
    """Explicit fonts on a ``w:rPr``: a theme font attribute would win over them, so those are removed."""
    rfonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is None:
        rfonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, rfonts)  # type: ignore[attr-defined]
    for name in list(rfonts.attrib):
        if name.lower().endswith("theme"):
            del rfonts.attrib[name]
    for attribute in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{attribute}"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def set_fonts(document: DocumentObject, *, language: str) -> None:
    """宋体/仿宋 for Chinese text (``w:eastAsia``), Times New Roman for Latin text, black headings, the document
    language, and the fallbacks in the font table."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_fonts(rpr, SONG)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN" if language.startswith("zh") else "en-GB")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for name, (east_asia, size, bold) in STYLE_FONTS.items():
        style: BaseStyle = styles[name]
        font = style.font  # type: ignore[attr-defined]
        font.size = Pt(size)
        font.bold = bold or None
        font.color.rgb = RGBColor(0, 0, 0)
        _set_run_fonts(style.element.get_or_add_rPr(), east_asia)
    _font_table_fallbacks(document)


def _font_table_fallbacks(document: DocumentObject) -> None:
    for rel in document.part.rels.values():
        if rel.reltype != RT.FONT_TABLE:
            continue
        part = rel.target_part
        xml = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
            for name, (alt, panose, family, pitch) in FALLBACKS.items()
            if f'w:name="{name}"' not in xml
        )
        part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")  # a generic Part's bytes


@dataclass(frozen=True)
class Properties:
    """What the document says about itself (File → Properties)."""

    author: str
    company: str
    title: str
    subject: str = ""
    category: str = ""
    comments: str = ""
    language: str = "zh-CN"


def set_properties(document: DocumentObject, properties: Properties, *, now: datetime) -> None:
    """The core properties (author, last modified by, title, subject, category, keywords, comments, dates) and
    the company and application in the extended properties: nothing says "python-docx"."""
    core = document.core_properties
    core.author = properties.author[:255]
    core.last_modified_by = properties.author[:255]
    core.title = properties.title[:255]
    core.subject = properties.subject[:255]
    core.category = properties.category[:255]
    core.keywords = properties.company[:255]
    core.comments = properties.comments
    core.language = properties.language
    core.created = core.modified = now.replace(tzinfo=None)
    core.revision = 1
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            xml = part.blob.decode("utf-8")
            for tag, value in (("Company", properties.company), ("Application", "sicrm"), ("Template", "")):
                element = f"<{tag}>{escape(value)}</{tag}>" if value else f"<{tag}/>"
                xml, found = re.subn(rf"<{tag}>[^<]*</{tag}>|<{tag}/>", element.replace("\\", "\\\\"), xml)
                if not found:
                    xml = xml.replace("</Properties>", element + "</Properties>")
            part._blob = xml.encode("utf-8")  # type: ignore[attr-defined]


def company_of(document: DocumentObject) -> str:
    """The company named in the extended properties ("" when none)."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            found = re.search(r"<Company>([^<]*)</Company>", part.blob.decode("utf-8"))
            return unescape(found.group(1)) if found else ""
    return ""
