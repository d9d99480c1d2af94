"""The values that cross the backend interface: a document to index, a query, and a result page.

Plain dataclasses, the same for every backend, so the contract tests can run one set of functions against
each. A document carries its visibility as ``acl`` terms (``"<type>:<principal>"``); a query carries the
terms of the asking user (``None`` = sees everything), and a backend filters on them inside its query.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from backend.search.analysis import ANALYZER_VERSION


def doc_key(type_: str, pk: int) -> str:
    return f"{type_}:{pk}"


def split_key(key: str) -> tuple[str, int]:
    type_, _, pk = key.partition(":")
    return type_, int(pk)


@dataclass
class SearchDocument:
    """One searchable object as the index sees it."""

    type: str
    pk: int
    title: str
    body: str = ""
    keywords_text: str = ""  # keyword and category names: searchable, weighted above the body
    url: str = ""
    subtitle: str = ""
    industry: str = ""
    category: str = ""  # the direct category id (a facet)
    category_path: list[str] = field(default_factory=list)  # it and its ancestors (a filter)
    keywords: list[str] = field(default_factory=list)  # keyword ids (a facet)
    acl: list[str] = field(default_factory=list)
    date: datetime | None = None

    @property
    def key(self) -> str:
        return doc_key(self.type, self.pk)

    def fingerprint(self) -> int:
        """A 63-bit hash of everything indexed: reconcile compares it with the one stored in the index."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["acl"] = sorted(self.acl)
        data["keywords"] = sorted(self.keywords)
        data["_v"] = ANALYZER_VERSION
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big") >> 1


@dataclass
class SearchQuery:
    text: str = ""
    acl: list[str] | None = None  # the user's principal terms; None = no visibility filter (superuser, system)
    types: list[str] = field(default_factory=list)
    category: str = ""
    keyword: str = ""
    industry: str = ""
    offset: int = 0
    limit: int = 20
    facets: bool = True
    highlight: bool = True


@dataclass
class Hit:
    type: str
    pk: int
    score: float
    title: str
    title_html: str
    snippet_html: str
    url: str
    subtitle: str = ""
    industry: str = ""
    category: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return doc_key(self.type, self.pk)


@dataclass
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


FACETS = ("type", "category", "keyword", "industry")
