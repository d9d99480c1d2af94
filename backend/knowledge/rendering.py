"""Markdown → sanitized HTML for article bodies, and plain text for the search index.

The HTML is cleaned by nh3 (the Ammonia sanitizer) against an allow-list: no scripts, no event
handlers, no style, links only to http(s)/mailto and marked rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sub", "sup", "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tr", "th", "td", "a", "img", "abbr", "mark", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "code": {"class"},
}
_BLANKS = re.compile(r"\s+")


def render_markdown(text: str) -> str:
    """The Markdown ``text`` as safe HTML."""
    raw = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    """Visible text of an HTML fragment, with blocks separated by spaces."""
    spaced = re.sub(r"<(/?(p|div|li|h[1-6]|tr|td|th|br|pre|blockquote)\b[^>]*)>", r" <\1> ", value or "")
    return _BLANKS.sub(" ", html.unescape(nh3.clean(spaced, tags=set()))).strip()
