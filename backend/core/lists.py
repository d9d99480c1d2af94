"""Lists that work like a CRM's, built once for every list page: sortable columns (a whitelist of sort keys),
a totals row summed in SQL over exactly the filtered rows, an Excel export of exactly the filtered and sorted
rows, and the user's saved filters. An app describes its list with a ``ListSpec``; its view hands the
visible, filtered queryset to ``listing()`` and paginates what comes back. Nothing here decides visibility:
the queryset arrives already restricted to what the user may see, so the export cannot show more.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Expression, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.core.counts import cached

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# query parameters that are not part of a filter: never saved, never carried into a header link
NAVIGATION = ("page", "after", "before", "export")
MAX_EXPORT_ROWS = 50_000

LISTS: dict[str, ListSpec] = {}  # list key → spec, filled as the apps import their specs


@dataclass(frozen=True)
class Column:
    """One column of a list. ``order``: what ``?sort=key`` orders by (a field path or an expression; None:
    the column does not sort). ``value``: the cell of the export for a row. ``total``: an aggregate summed
    over the filtered rows for the totals row (None: no total). ``money``: formatted as an amount."""

    key: str
    label: Any
    value: Callable[[Any], Any]
    order: str | Expression | None = None
    total: Any = None
    money: bool = False
    link: Callable[[Any], str] | None = None  # on the generic list page, the cell links there


@dataclass(frozen=True)
class ListSpec:
    """A list page: its key (saved filters are kept per key), the page's URL name, its columns and the
    ordering when no sort is asked for."""

    key: str
    url_name: str
    title: Any
    columns: Sequence[Column]
    default_order: Sequence[Any]
    filename: str = ""

    def __post_init__(self) -> None:
        LISTS[self.key] = self

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def sort_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.order is not None]


@dataclass
class Listing:
    """What a list page shows around its rows: the sort in force, the totals, the filter query (for page
    and header links), the user's saved filters, and a message when the sort asked for is unknown."""

    spec: ListSpec
    sort: str
    descending: bool
    query: str  # the filters and the sort, without page/cursor (links to other pages add page=)
    filter_query: str  # the filters alone (header links add their sort=)
    totals: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    saved: list[Any] = field(default_factory=list)

    def header(self, key: str) -> dict[str, Any]:
        """A header's label, link (the other direction when it is the sort in force) and state."""
        column = self.spec.column(key)
        if column is None:
            raise KeyError(key)
        active = self.sort == key
        target = f"-{key}" if active and not self.descending else key
        params = f"{self.filter_query}&" if self.filter_query else ""
        return {
            "label": column.label,
            "sortable": column.order is not None,
            "url": f"?{params}sort={target}",
            "active": active,
            "descending": active and self.descending,
            "money": column.money,
        }

    @property
    def sort_param(self) -> str:
        """The sort as the filter form carries it on (a hidden field), so filtering keeps the order."""
        return f"-{self.sort}" if self.sort and self.descending else self.sort

    @property
    def has_totals(self) -> bool:
        return bool(self.totals)

    def export_url(self) -> str:
        return f"?{self.query}&export=xlsx" if self.query else "?export=xlsx"


def _without(params: QueryDict, keys: Sequence[str]) -> QueryDict:
    params = params.copy()
    for key in keys:
        params.pop(key, None)
    return params


def sort_queryset(spec: ListSpec, queryset: QuerySet, raw: str) -> tuple[QuerySet, str, bool, str]:
    """``queryset`` ordered by the sort ``raw`` names (``key`` ascending, ``-key`` descending; empty values
    last either way; the primary key breaks ties in the same direction). An unknown key is ignored with a
    message and the default ordering kept. Returns (queryset, key, descending, message)."""
    raw = (raw or "").strip()
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    column = spec.column(key) if key else None
    if column is None or column.order is None:
        message = _("The list cannot be sorted by “%(key)s”; it is shown in its usual order.") % {"key": raw[:40]}
        return queryset.order_by(*spec.default_order), "", False, message if raw else ""
    expression = F(column.order) if isinstance(column.order, str) else column.order
    # "empty values last" only where a value can be empty: ``NULLS LAST`` on a column that is never NULL
    # keeps a descending sort off the column's index (PostgreSQL then sorts every visible row)
    nulls_last = True if _nullable(queryset.model, column.order) else None
    if descending:
        ordering = [expression.desc(nulls_last=nulls_last), F("pk").desc()]
    else:
        ordering = [expression.asc(nulls_last=nulls_last), F("pk").asc()]
    return queryset.order_by(*ordering), key, descending, ""


def _nullable(model: Any, order: str | Expression) -> bool:
    """Whether the sort key ``order`` can be NULL: an expression is assumed to; a field path is NULL when a
    field on it is nullable (or a relation on it is)."""
    if not isinstance(order, str):
        return True
    for name in order.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001  not a field (an annotation): assume it can be
            return True
        if getattr(field, "null", False):
            return True
        model = getattr(field, "related_model", None) or model
    return False


def totals(spec: ListSpec, queryset: QuerySet) -> dict[str, Any]:
    """The totals row: each column's aggregate over every row of ``queryset`` (not just a page), one query."""
    aggregates = {
        f"total_{c.key}": Coalesce(c.total, Value(Decimal(0)) if c.money else Value(0))
        for c in spec.columns
        if c.total is not None
    }
    if not aggregates:
        return {}
    row = cached(queryset.order_by(), f"totals:{spec.key}", lambda qs: qs.aggregate(**aggregates))
    return {key.removeprefix("total_"): value for key, value in row.items()}


def listing(request: HttpRequest, spec: ListSpec, queryset: QuerySet) -> tuple[Listing, QuerySet]:
    """Sort ``queryset`` (visible and filtered already) as the request asks, sum its totals and read the
    user's saved filters for this list. The view paginates (or exports) the queryset returned."""
    from backend.core.selectors import saved_filters  # noqa: PLC0415  (selectors import the registry)

    raw = request.GET.get("sort", "")
    queryset, key, descending, message = sort_queryset(spec, queryset, raw)
    query = _without(request.GET, NAVIGATION)
    if not key:
        query.pop("sort", None)
    result = Listing(
        spec=spec,
        sort=key,
        descending=descending,
        query=query.urlencode(),
        filter_query=_without(query, ["sort"]).urlencode(),
        totals=totals(spec, queryset),
        message=message,
        saved=list(saved_filters(user=request.user, list_key=spec.key)) if request.user.is_authenticated else [],
    )
    return result, queryset


def table(spec: ListSpec, rows: Any) -> list[list[dict[str, Any]]]:
    """The cells of ``rows`` for the generic list page (``core/list_page.html``): value, link, amount."""
    return [
        [{"value": c.value(row), "url": c.link(row) if c.link else "", "money": c.money} for c in spec.columns]
        for row in rows
    ]


def render_list(
    request: HttpRequest,
    spec: ListSpec,
    queryset: QuerySet,
    *,
    filterset: Any = None,
    per_page: int = 25,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A whole list page on ``core/list_page.html``: ``queryset`` (visible and filtered) sorted as asked,
    with its totals row, saved filters and pages, or the Excel file when ``?export=xlsx``."""
    from django.shortcuts import render  # noqa: PLC0415

    from backend.core.pagination import DeferredPaginator  # noqa: PLC0415

    state, queryset = listing(request, spec, queryset)
    if wants_export(request):
        return export_xlsx(spec, queryset)
    page = DeferredPaginator(queryset, per_page).get_page(request.GET.get("page"))
    totals_row = [
        {"value": state.totals.get(c.key), "money": c.money, "has": c.key in state.totals} for c in spec.columns
    ]
    values = {
        "listing": state,
        "page": page,
        "query": state.query,
        "rows": table(spec, page.object_list),
        "filterset": filterset,
        "headers": [c.key for c in spec.columns],
        "totals_row": totals_row,
        **(context or {}),
    }
    return render(request, "core/list_page.html", values)


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float | bool) or value is None:
        return value
    return str(value)


def export_xlsx(spec: ListSpec, queryset: QuerySet) -> HttpResponse:
    """The rows of ``queryset`` (visible, filtered and sorted already) as an Excel workbook: the headers in
    the user's language, amounts as numbers, one query for the rows whatever their number."""
    from openpyxl import Workbook  # noqa: PLC0415  (only loaded for an export)

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(spec.title)[:31]
    sheet.append([str(c.label) for c in spec.columns])
    limit = MAX_EXPORT_ROWS
    for index, row in enumerate(queryset[: limit + 1]):
        if index == limit:  # said in the file rather than cut silently
            sheet.append([_("Only the first %(n)s rows are exported; narrow the filter for the rest.") % {"n": limit}])
            break
        sheet.append([_cell(c.value(row)) for c in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        if column.money:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    name = f"{spec.filename or spec.key}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def clean_query(query: str) -> str:
    """A filter query as saved: the navigation parameters dropped, the rest kept in order."""
    params = _without(QueryDict(query.lstrip("?")), NAVIGATION)
    return urlencode(list(params.lists()), doseq=True)
