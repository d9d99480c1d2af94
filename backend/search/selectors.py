"""The one read path of search: a user's query, with the user's visibility terms inside the index query,
facet labels in the reader's language, and page arithmetic. Pages and the API both call
``search_for_user``; nothing else asks a backend for hits on behalf of a user."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from backend.core.choices import Industry
from backend.core.errors import ValidationFailed
from backend.search import registry
from backend.search.base import get_backend
from backend.search.documents import FACETS, SearchQuery, SearchResult

MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # like Elasticsearch's max_result_window: deep pages are refused, not slow
MAX_QUERY_CHARS = 500


@dataclass
class SearchPage:
    result: SearchResult
    page: int
    page_size: int
    query: SearchQuery

    @property
    def num_pages(self) -> int:
        return max(1, -(-min(self.result.total, MAX_WINDOW) // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _resolve(name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    source = registry.facet_source(name)
    if source and source.resolve:
        return source.resolve(value) or "-"  # an unknown name matches nothing
    return value


def search_for_user(
    *,
    user,
    text: str = "",
    types: list[str] | None = None,
    category: str = "",
    keyword: str = "",
    industry: str = "",
    page: int = 1,
    page_size: int = 20,
    facets: bool = True,
) -> SearchPage:
    known = {index.type for index in registry.indexes()}
    types = [t for t in (types or []) if t]
    unknown = sorted(set(types) - known)
    if unknown:
        raise ValidationFailed(
            _("Unknown type %(type)s; use one of %(known)s.")
            % {"type": ", ".join(unknown), "known": ", ".join(sorted(known))},
            fields={"type": [_("unknown type")]},
        )
    if industry and industry not in Industry.values:
        raise ValidationFailed(
            _("Unknown industry %(value)s.") % {"value": industry}, fields={"industry": [_("unknown")]}
        )
    if page < 1 or page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise ValidationFailed(
            _("page must be 1 or more and page_size between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
            fields={"page": [_("out of range")]},
        )
    if page * page_size > MAX_WINDOW:
        raise ValidationFailed(
            _("Only the first %(max)d results can be paged through; refine the query.") % {"max": MAX_WINDOW},
            fields={"page": [_("out of range")]},
        )
    query = SearchQuery(
        text=(text or "")[:MAX_QUERY_CHARS],
        acl=registry.user_acl(user),
        types=types,
        category=_resolve("category", category),
        keyword=_resolve("keyword", keyword),
        industry=industry,
        offset=(page - 1) * page_size,
        limit=page_size,
        facets=facets,
    )
    result = get_backend().search(query)
    if facets:
        label_facets(result)
    return SearchPage(result=result, page=page, page_size=page_size, query=query)


def label_facets(result: SearchResult) -> None:
    """Fill in each facet value's label (type names, industries, category and keyword names)."""
    type_labels = {index.type: str(index.label) for index in registry.indexes()}
    industry_labels = {value: str(label) for value, label in Industry.choices}
    for name in FACETS:
        values = result.facets.get(name, [])
        if name == "type":
            labels = type_labels
        elif name == "industry":
            labels = industry_labels
        else:
            source = registry.facet_source(name)
            labels = source.labels([v.value for v in values]) if source and values else {}
        for value in values:
            value.label = labels.get(value.value, value.value)
