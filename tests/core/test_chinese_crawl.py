"""Every page, read in Chinese by several roles, holds none of the product's own English: no text of the
catalogue left untranslated (a msgid, with or without its placeholders filled), no choice value such as
``contract_review``, and no product data (a process template's stage or step name) in English.

The crawl starts at the dashboard of the demo installation and follows the links a user can click, a few
pages of each kind (a kind is the path with its numbers taken out, plus the names of its query parameters).
Text a user typed is never compared: only whole text nodes (and titles, placeholders, labels) that equal
the product's own English are leaks."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.utils.translation import trans_real

from backend.accounts.models import User
from workflows.models import GateStep, MilestoneTemplate, StageAction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]

ROLES = ("bidmgr", "engineer", "exec", "finance")
PAGES_PER_KIND = 2
PAGES_PER_ROLE = 140
SKIP = re.compile(
    r"^/(logout|admin|api|i18n|static|media|favicon)|/download|/export|format=(csv|xlsx|ics|docx|pdf)|\.(xlsx|csv|docx|ics)$"
)
# Words a Chinese page rightly shows in Latin letters: the language switcher names English in English.
ALLOWED = {"English", "sicrm", "API", "CNY", "OK"}


VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "embed", "wbr"}


class Text(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, and the attributes read aloud or shown.
    What a user typed may be marked ``translate="no"`` (HTML's own mark for text not to translate, such as a
    keyword an author gave in English): it is not the product's words and is skipped."""

    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._closing: list[str] = []  # the hiding elements open, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style", "template") or (a.get("translate") == "no" and tag not in VOID):
            self._hidden += 1
            self._closing.append(tag)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for name in self.SHOWN:
            if a.get(name):
                self.nodes.append((a[name] or "").strip())
        if tag == "input" and (a.get("type") or "").lower() in ("submit", "button") and a.get("value"):
            self.nodes.append((a["value"] or "").strip())

    def handle_endtag(self, tag: str) -> None:
        if self._closing and tag == self._closing[-1]:
            self._closing.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.nodes.append(" ".join(data.split()))


def _english_of_the_catalogue() -> tuple[set[str], re.Pattern[str]]:
    """The catalogue's msgids that Chinese translates into something else: plain ones as a set, those with
    placeholders as one pattern (each placeholder matching any text)."""
    catalog = trans_real.translation("zh-hans")._catalog
    plain: set[str] = set()
    patterns: list[str] = []
    for key, translated in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # a context goes before the msgid
        if not msgid or translated == msgid or not re.search(r"[A-Za-z]{2}", msgid) or msgid in ALLOWED:
            continue
        if re.search(r"%(\([a-z_]+\))?[sd]|\{", msgid):
            literal = re.split(r"%(?:\([a-z_]+\))?[sd]|\{[^}]*\}", msgid)
            if max(len(part.strip()) for part in literal) >= 8:
                patterns.append(r".+?".join(re.escape(part) for part in literal))
        else:
            plain.add(" ".join(msgid.split()))
    return plain, re.compile("|".join(f"(?:{p})" for p in patterns))


def _choice_values() -> set[str]:
    """Internal values of the models' choices (``contract_review``), which a page must show by their label."""
    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+_[a-z_]+", value):
                    values.add(value)
    return values


def _product_english() -> set[str]:
    """The English of the data that comes with the product (stage actions, milestone and step names)."""
    found: set[str] = set()
    for model, field in ((StageAction, "text_en"), (MilestoneTemplate, "name_en"), (GateStep, "name_en")):
        found |= {value for value in model.objects.values_list(field, flat=True) if value}
    return found


def _kind(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _crawl(client, start: str = "/") -> dict[str, list[str]]:
    """Path → its visible text nodes, for the pages reached from ``start``."""
    seen_kinds: dict[str, int] = {}
    queue, visited, pages = deque([start]), {start}, {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Text()
        parser.feed(response.content.decode())
        pages[url] = parser.nodes
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            kind = _kind(target)
            if target in visited or seen_kinds.get(kind, 0) >= PAGES_PER_KIND:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            visited.add(target)
            queue.append(target)
    return pages


def test_no_english_leaks_into_chinese_pages(client, demo_data):
    plain, formatted = _english_of_the_catalogue()
    values = _choice_values()
    product = _product_english()
    leaks: dict[str, set[str]] = {}
    crawled = 0
    for username in ROLES:
        user = User.objects.get(username=username)
        user.language = "zh-hans"
        user.save(update_fields=["language"])
        client.force_login(user)
        pages = _crawl(client)
        crawled += len(pages)
        for url, nodes in pages.items():
            for node in nodes:
                if node in ALLOWED:
                    continue
                if node in plain or node in values or node in product or formatted.fullmatch(node):
                    leaks.setdefault(node, set()).add(f"{username} {url}")
    report = "\n".join(f"{text!r} on {sorted(where)[:3]}" for text, where in sorted(leaks.items()))
    assert not leaks, f"{len(leaks)} English texts on {crawled} Chinese pages:\n{report}"
    assert crawled >= 150, f"the crawl reached only {crawled} pages"
