"""Page-number pagination that stays fast on deep pages (issue 15).

``OFFSET 99950`` over a query with joins and correlated subqueries makes the database build every skipped
row in full. ``DeferredPaginator`` reads a page in two steps instead: the primary keys of the page off the
ordering alone (an index walk, no joins, no annotations), then those rows with everything the list shows.
A page past the middle is read from the other end (the ordering reversed, the offset counted from the
last row), so the last page costs what the first does. Same rows, same order, same count as ``Paginator``;
one more query per page, and the same number for 5 rows as for 50.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

from backend.core.counts import cached_count


def _ordered(queryset: Any) -> TypeGuard[QuerySet[Any]]:
    return isinstance(queryset, QuerySet) and bool(queryset.query.order_by) and not queryset.query.distinct_fields


def _ends_unique(queryset: QuerySet) -> bool:
    """Whether the ordering ends with the primary key, so that reversing it reverses the rows exactly."""
    last = queryset.query.order_by[-1]
    if isinstance(last, str):
        return last.lstrip("-") in ("pk", "id", queryset.model._meta.pk.name)
    expression = getattr(last, "expression", None)
    return getattr(expression, "name", None) in ("pk", "id", queryset.model._meta.pk.name)


def page_rows(queryset: QuerySet, bottom: int, top: int, count: int) -> list[Any]:
    """The rows ``bottom:top`` of ``queryset`` (ordered, with a unique last sort key), read by ids first."""
    if top <= bottom:
        return []
    ids_query = queryset.values_list("pk", flat=True)
    if bottom > count // 2 and top <= count and _ends_unique(queryset):
        # from the other end: the rows count-top … count-bottom of the reversed ordering, read back to front
        ids = list(ids_query.reverse()[count - top : count - bottom])[::-1]
    else:
        ids = list(ids_query[bottom:top])
    if not ids:
        return []
    position = {pk: index for index, pk in enumerate(ids)}
    rows = list(queryset.order_by().filter(pk__in=ids))
    rows.sort(key=lambda row: position[row.pk])
    return rows


def with_tie_breaker(queryset: Any) -> Any:
    """``queryset`` with the primary key appended to an ordering that does not end with it (in the last
    key's direction): rows that tie on the ordering then keep one order from page to page, where the
    database was free to return them differently on each query, and a deep page can be read from the far
    end. Rows that do not tie keep their order."""
    if not _ordered(queryset) or _ends_unique(queryset):
        return queryset
    last = queryset.query.order_by[-1]
    descending = last.startswith("-") if isinstance(last, str) else bool(getattr(last, "descending", False))
    return queryset.order_by(*queryset.query.order_by, "-pk" if descending else "pk")


class DeferredPaginator(Paginator):
    """``Paginator`` whose pages are read ids first (see the module's doc). An unordered queryset or a
    plain list is paginated as ``Paginator`` does; an ordering without a unique last key gets the primary
    key as its tie-breaker."""

    def __init__(self, object_list: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(with_tie_breaker(object_list), *args, **kwargs)

    @cached_property
    def count(self) -> int:  # type: ignore[override]  # Paginator's is a cached_property too
        """The number of rows, kept until a table the query reads is written (``backend.core.counts``)."""
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return super().count

    def page(self, number: Any) -> Any:
        if not _ordered(self.object_list):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        count = self.count
        if top + self.orphans >= count:
            top = count
        rows = page_rows(self.object_list, bottom, top, count)
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]  # Django's hook, not in the stubs


# --- keyset (cursor) navigation ------------------------------------------------------------------------------
#
# "Next" and "Previous" carry the sort key of the page's last (first) row: the next page is the rows after
# that key, not "rows 25-50 now". A row inserted or deleted between two clicks then neither repeats a row
# on the next page nor skips one, and a deep page is an index range read rather than an offset.


def _keyset_fields(queryset: QuerySet) -> list[tuple[str, bool]] | None:
    """``[(field name, descending), …]`` when the ordering is plain non-null fields ending with the primary
    key (a unique key, so the cursor names one position); None otherwise (page numbers only)."""
    if not _ordered(queryset) or not _ends_unique(queryset):
        return None
    fields = []
    for item in queryset.query.order_by:
        if not isinstance(item, str) or "__" in item or item.startswith("?"):
            return None
        name = item.lstrip("-")
        field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
        if field.null or field.is_relation:
            return None
        fields.append((field.attname if name != "pk" else "pk", item.startswith("-")))
    return fields


def _encode(values: list[Any]) -> str:
    text = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value for value in values], default=str)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(token: str, queryset: QuerySet, fields: list[tuple[str, bool]]) -> list[Any] | None:
    """The sort key a cursor names, each value checked by its field; None for anything malformed."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        meta = queryset.model._meta
        return [
            (meta.pk if name == "pk" else meta.get_field(name)).to_python(value)
            for (name, _desc), value in zip(fields, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        return None


def _beyond(fields: list[tuple[str, bool]], values: list[Any], forward: bool) -> Q:
    """Rows after (forward) or before the key ``values`` in the ordering ``fields``, as a lexicographic Q."""
    condition = Q(pk__in=[])
    for index, (name, descending) in enumerate(fields):
        later = "lt" if descending == forward else "gt"
        term = Q(**{f"{name}__{later}": values[index]})
        for prior, value in zip(fields[:index], values[:index], strict=True):
            term &= Q(**{prior[0]: value})
        condition |= term
    return condition


class KeysetPage(Page):
    """A page read from a cursor: its neighbours are known from the rows, not from the page number."""

    def __init__(self, object_list: Any, number: int, paginator: Any, *, more: bool, forward: bool) -> None:
        super().__init__(object_list, number, paginator)
        self._next = more if forward else True
        self._previous = True if forward else more

    def has_next(self) -> bool:
        return self._next and bool(self.object_list)

    def has_previous(self) -> bool:
        return self._previous and bool(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def _with_cursors(page: Page, fields: list[tuple[str, bool]] | None) -> Page:
    rows = list(page.object_list)
    cursors = {"next_cursor": "", "previous_cursor": ""}
    if fields and rows:
        key = lambda row: [getattr(row, name) for name, _desc in fields]  # noqa: E731
        cursors = {"next_cursor": _encode(key(rows[-1])), "previous_cursor": _encode(key(rows[0]))}
    vars(page).update(cursors)  # attributes the templates read: page.next_cursor, page.previous_cursor
    return page


def keyset_page(paginator: DeferredPaginator, number: Any, *, after: str = "", before: str = "") -> Page:
    """The page after (or before) a cursor, numbered ``number`` for display; a plain numbered page when there
    is no cursor or it cannot be read. Every page carries ``next_cursor`` and ``previous_cursor``."""
    queryset = paginator.object_list
    if not isinstance(queryset, QuerySet):
        return _with_cursors(paginator.get_page(number), None)
    fields = _keyset_fields(queryset)
    values = _decode(after or before, queryset, fields) if fields and (after or before) else None
    if fields is None or values is None:
        return _with_cursors(paginator.get_page(number), fields)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    forward = bool(after)
    ordered = queryset.filter(_beyond(fields, values, forward))
    ids_query = ordered.values_list("pk", flat=True)
    ids = list((ids_query if forward else ids_query.reverse())[: paginator.per_page + 1])
    more = len(ids) > paginator.per_page
    ids = ids[: paginator.per_page]
    if not forward:
        ids.reverse()
    position = {pk: index for index, pk in enumerate(ids)}
    rows = sorted(queryset.order_by().filter(pk__in=ids), key=lambda row: position[row.pk]) if ids else []
    page = KeysetPage(rows, number, paginator, more=more, forward=forward)
    return _with_cursors(page, fields)
