"""Text analysis for the embedded backend: the same function turns a document and a query into terms.

Steps, each length-preserving so that offsets in the analysed text are offsets in the original:
1. fold each character: Traditional (and Hong Kong/Taiwan variants) → Simplified, full-width ASCII → ASCII,
   ideographic space → space (one character for one character, so 驗收 and 验收 become the same term);
2. segment with rjieba (jieba-rs) in search mode: the precise words plus the dictionary words inside them
   (验收报告 → 验收报告, 验收, 报告), so a query for a part finds the whole;
3. per token: lower-case, drop punctuation, stop words and over-long tokens, Snowball-stem English words
   (milestones → mileston).

``index_text`` gives the terms of a document as one space-separated string (the index splits it on
whitespace). ``query_groups`` gives, for each precise word of a query, the word's term and the terms of
its parts, so the backend can ask for "the word, or all of its parts". ``highlight`` marks the original
text where query terms occur. The segmentation dictionary plus ``DOMAIN_WORDS`` must be the same when
indexing and searching: changing either needs ``sicrm reindex`` (``ANALYZER_VERSION`` makes the periodic
reconcile rewrite every document).

This module must not know about models, users or visibility.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import rjieba
import Stemmer

# Bump when the analysis changes: every stored fingerprint then differs and reconcile rewrites the index.
ANALYZER_VERSION = 1
MAX_TERM_BYTES = 40  # the index drops longer terms; the query side must drop them too

# Words of the trade that the general dictionary splits (深信服 → 深 | 信服). Added to rjieba at import,
# identically in every process (web, worker, reindex).
DOMAIN_WORDS = (
    "深信服",
    "新华三",
    "华三",
    "锐捷",
    "浪潮",
    "中科曙光",
    "曙光",
    "奇安信",
    "启明星辰",
    "天融信",
    "绿盟",
    "用友",
    "金蝶",
    "东方通",
    "达梦",
    "人大金仓",
    "麒麟",
    "统信",
    "两地三中心",
    "同城双活",
    "异地灾备",
    "信创",
    "国产化",
    "等保",
    "等级保护",
    "动环",
    "动环监控",
    "机房",
    "微模块",
    "超融合",
    "云桌面",
    "初验",
    "终验",
    "到货验收",
    "交付物",
    "里程碑",
    "系统集成",
    "集成商",
    "数据中心",
    "投标保证金",
    "评标",
    "废标",
    "偏离表",
)

# fmt: off
EN_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "there", "these", "this", "those", "to",
    "was", "were", "will", "with", "we", "our", "you", "your", "they", "them", "he", "she", "his", "her",
    "not", "no", "but", "if", "then", "than", "so", "such", "can", "i", "me", "my", "s", "t",
})
ZH_STOPWORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "是", "在", "把", "被", "之", "其", "等", "也", "就", "都", "而",
    "着", "对", "为", "将", "从", "以", "由", "于", "并", "且", "呢", "吗", "啊", "吧",
})
# fmt: on

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORDISH = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_ASCII_ALPHA = re.compile(r"[a-z]+")


def _read_pairs(name: str) -> dict[str, str]:
    """One-character → one-character pairs of an OpenCC dictionary (first candidate)."""
    text = resources.files("opencc").joinpath("dictionary", name).read_text(encoding="utf-8")
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        source, target = parts[0], parts[1].split(" ")[0]
        if len(source) == 1 and len(target) == 1:
            pairs[source] = target
    return pairs


@lru_cache(maxsize=1)
def fold_table() -> dict[int, int]:
    """``str.translate`` table: Traditional/variant → Simplified, full-width → ASCII; always 1 char ↔ 1 char."""
    to_simplified = _read_pairs("TSCharacters.txt")
    variants = {**_read_pairs("HKVariantsRev.txt"), **_read_pairs("TWVariantsRev.txt")}
    table: dict[int, int] = {}
    for source, standard in variants.items():
        target = to_simplified.get(standard, standard)
        if target != source:
            table[ord(source)] = ord(target)
    for source, target in to_simplified.items():
        table.setdefault(ord(source), ord(target))
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = code - 0xFEE0
    table[0x3000] = 0x20  # ideographic space
    return table


def fold(text: str) -> str:
    """``text`` with every character folded (same length, so offsets carry over)."""
    return text.translate(fold_table())


_stemmer_local = threading.local()


def _stem(word: str) -> str:
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        stemmer = _stemmer_local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


_term_cache: dict[str, str] = {}
_TERM_CACHE_LIMIT = 500_000


def term(token: str) -> str:
    """The index term of one segmented token, or "" when the token is dropped."""
    cached = _term_cache.get(token)
    if cached is not None:
        return cached
    value = token.strip().lower()
    if not value or not _WORDISH.search(value) or value in EN_STOPWORDS or value in ZH_STOPWORDS:
        value = ""
    elif _ASCII_ALPHA.fullmatch(value):
        value = _stem(value)
    if len(value.encode()) > MAX_TERM_BYTES:
        value = ""
    if len(_term_cache) >= _TERM_CACHE_LIMIT:
        _term_cache.clear()
    _term_cache[token] = value
    return value


def _init_dictionary() -> None:
    for word in DOMAIN_WORDS:
        if not rjieba.has_word(word):
            rjieba.add_word(word, 20000, None)


_init_dictionary()


def index_terms(text: str) -> list[str]:
    """All terms of ``text`` in search mode (words and their dictionary parts), in order."""
    if not text:
        return []
    out = []
    for token in rjieba.cut_for_search(fold(text)):
        value = term(token)
        if value:
            out.append(value)
    return out


def index_text(text: str) -> str:
    """The terms of ``text`` joined by spaces: what the embedded index stores for a text field."""
    return " ".join(index_terms(text))


@dataclass(frozen=True)
class TermGroup:
    """One precise word of a query: its own term and the terms of a non-overlapping cover by its parts."""

    word: str
    parts: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.word, *self.parts)


def query_groups(text: str) -> list[TermGroup]:
    """The query ``text`` analysed exactly like a document, grouped by the precise words it contains.

    A document matches a group when it has the word's term or every term of the word's parts; e.g.
    数据中心 → 数据中心, or 数据 and 中心."""
    folded = fold(text or "")
    words = rjieba.tokenize(folded, mode="default")
    pieces = rjieba.tokenize(folded, mode="search")
    groups: list[TermGroup] = []
    seen: set[TermGroup] = set()
    for word, start, end in words:
        value = term(word)
        if not value:
            continue
        inner = [(s, e, term(t)) for t, s, e in pieces if start <= s and e <= end and (s, e) != (start, end)]
        cover: list[str] = []
        position = start
        while position < end:
            here = [(e, t) for s, e, t in inner if s == position and t]
            if not here:
                cover = []  # the parts leave a gap: only the whole word stands for it
                break
            stop, best = max(here)
            cover.append(best)
            position = stop
        group = TermGroup(value, tuple(dict.fromkeys(p for p in cover if p != value)))
        if group not in seen:
            seen.add(group)
            groups.append(group)
    return groups


def query_terms(text: str) -> list[str]:
    """Every distinct term of a query (words and parts)."""
    return list(dict.fromkeys(t for g in query_groups(text) for t in g.terms))


# --- highlighting ----------------------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    alternatives = []
    for value in sorted(set(terms), key=len, reverse=True):
        if not value:
            continue
        escaped = re.escape(value)
        if _ASCII_ALPHA.fullmatch(value):
            # a stem: match the words it came from (mileston → milestones), at a word start
            alternatives.append(rf"(?<![0-9a-z]){escaped}[0-9a-z]*")
        elif value[0].isascii() and value[0].isalnum():
            alternatives.append(rf"(?<![0-9a-z]){escaped}")
        else:
            alternatives.append(escaped)
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str] | None, limit: int = 500) -> list[tuple[int, int]]:
    if pattern is None or not text:
        return []
    folded = fold(text)
    spans = []
    for match in pattern.finditer(folded):
        if match.end() > match.start():
            spans.append((match.start(), match.end()))
            if len(spans) >= limit:
                break
    return spans


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    position = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s < position:
            continue
        out.append(html.escape(text[position:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        position = e
    out.append(html.escape(text[position:end]))
    return "".join(out)


def highlight_all(text: str, terms: list[str]) -> str:
    """``text`` HTML-escaped with every occurrence of ``terms`` wrapped in ``<mark>``."""
    return _mark(text, _spans(text, _pattern(terms)), 0, len(text))


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s+|\n+")


def sentences(text: str) -> list[str]:
    """``text`` cut after sentence ends (。！？； and their ASCII forms, a full stop before a space) and at
    line breaks, each with its whitespace collapsed; empty ones dropped."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text or "") if part and part.strip()]


def snippet(text: str, terms: list[str], *, size: int = 160) -> str:
    """A sentence of ``text`` (HTML-escaped, terms marked): the one with the most query terms, followed by
    the next ones while they fit in about ``size`` characters; a longer sentence is cut to the window with
    the most terms. The first sentences when no term occurs. ``…`` marks text left out."""
    parts = sentences(text)
    if not parts:
        return ""
    pattern = _pattern(terms)
    counts = [len({m.lower() for m in _matches(part, pattern)}) for part in parts]
    best = max(range(len(parts)), key=lambda i: (counts[i], -i)) if any(counts) else 0
    if len(parts[best]) > size:
        window = _window(parts[best], pattern, size)
        return (
            ("…" if best > 0 and not window.startswith("…") else "")
            + window
            + ("…" if best < len(parts) - 1 and not window.endswith("…") else "")
        )
    chosen, last = parts[best], best
    while last + 1 < len(parts) and len(chosen) + 1 + len(parts[last + 1]) <= size:
        last += 1
        chosen += ("" if chosen[-1] in "。！？；" else " ") + parts[last]
    spans = _spans(chosen, pattern)
    prefix = "…" if best > 0 else ""
    suffix = "…" if last < len(parts) - 1 else ""
    return prefix + _mark(chosen, spans, 0, len(chosen)) + suffix


def _matches(text: str, pattern: re.Pattern[str] | None) -> list[str]:
    folded = fold(text)
    return [folded[s:e] for s, e in _spans(text, pattern)]


def _window(text: str, pattern: re.Pattern[str] | None, size: int) -> str:
    """The window of ``text`` (about ``size`` characters) with the most matches, marked."""
    spans = _spans(text, pattern)
    if not spans:
        end = min(len(text), size)
        return html.escape(text[:end]) + ("…" if end < len(text) else "")
    best_start, best_count = spans[0][0], 0
    for i, (s, _e) in enumerate(spans[:100]):
        count = sum(1 for s2, _ in spans[i:] if s2 < s + size)
        if count > best_count:
            best_start, best_count = s, count
    start = max(0, best_start - size // 4)
    end = min(len(text), start + size)
    start = max(0, min(start, end - size))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + _mark(text, spans, start, end) + suffix
