"""Markdown → sanitized HTML for article bodies, and plain text for the search index.

Markdown is GitHub-flavoured (tables, strikethrough, autolinks, task lists, footnotes), parsed by cmark-gfm:
C, linear in the length of the text, with no recursion limit to hit, so no body can make it slow (Python-Markdown
took 9 s for 16 KB of ``<a `` and grew quadratically). Bodies are limited to ``KNOWLEDGE_BODY_MAX_CHARS``
(:func:`check_body`), and services render before their transaction opens.

The HTML is cleaned by nh3 (the Ammonia sanitizer) against an allow-list: no scripts, no event handlers, no style,
links only to http(s)/mailto and marked rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.conf import settings
from django.utils.translation import gettext as _

from backend.core.errors import ValidationFailed

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sub", "sup", "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tr", "th", "td", "a", "img", "abbr", "mark", "span", "div", "input", "section",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "code": {"class"},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "section": {"class"},
}
# Raw HTML is passed to nh3, which keeps only the allow-list; footnotes and task lists are on.
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
_BLANKS = re.compile(r"\s+")


def check_body(text: str, *, field: str = "body") -> None:
    """Refuse (400, naming ``field``) a body longer than ``KNOWLEDGE_BODY_MAX_CHARS`` characters."""
    limit = settings.KNOWLEDGE_BODY_MAX_CHARS
    if len(text or "") > limit:
        raise ValidationFailed(
            _("The text is %(length)s characters long; at most %(limit)s are accepted. Split it or attach a file.")
            % {"length": f"{len(text):,}", "limit": f"{limit:,}"},
            fields={field: [_("too long")]},
            code="text_too_long",
        )


def render_markdown(text: str) -> str:
    """The Markdown ``text`` as safe HTML."""
    raw = cmarkgfm.github_flavored_markdown_to_html(text or "", options=CMARK_OPTIONS)
    return nh3.clean(
        raw.strip(),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    """Visible text of an HTML fragment, with blocks separated by spaces."""
    spaced = re.sub(r"<(/?(p|div|li|h[1-6]|tr|td|th|br|pre|blockquote)\b[^>]*)>", r" <\1> ", value or "")
    return _BLANKS.sub(" ", html.unescape(nh3.clean(spaced, tags=set()))).strip()
