"""CSV and XLSX renderings of a report's JSON answer (``?format=csv`` / ``?format=xlsx``). They write the same
values the JSON holds, table by table (headline figures first), so an export can never disagree with the API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from rest_framework.renderers import BaseRenderer

from reports.base import DAYS, INT, MONEY, PERCENT, SCORE


def sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[str], list[list[Any]]]]:
    """(title, column labels, column kinds, rows of JSON values) per table, the headline figures first."""
    found = []
    if data.get("metrics"):
        found.append(
            (
                data.get("title", ""),
                [m["label"] for m in data["metrics"]],
                [m["kind"] for m in data["metrics"]],
                [[m["value"] for m in data["metrics"]]],
            )
        )
    for table in data.get("tables", []):
        keys = [c["key"] for c in table["columns"]]
        found.append(
            (
                table["title"],
                [c["label"] for c in table["columns"]],
                [c["kind"] for c in table["columns"]],
                [[row.get(k) for k in keys] for row in table["rows"]],
            )
        )
    return found


def _is_report(data: Any) -> bool:
    return isinstance(data, dict) and "tables" in data


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        if not _is_report(data):  # an error: say what went wrong
            writer.writerow(["detail", "code"])
            writer.writerow([data.get("detail", ""), data.get("code", "")] if isinstance(data, dict) else [data, ""])
            return out.getvalue().encode()
        for title, labels, _kinds, rows in sections(data):
            writer.writerow([title])
            writer.writerow(labels)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
            writer.writerow([])
        # a BOM so that Excel opens the Chinese text as UTF-8
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(value)
    if kind in (PERCENT, DAYS, SCORE, INT):
        return value
    return value


FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0", DAYS: "0.0", SCORE: "0.0", INT: "0"}


def _sheet_title(index: int, title: str) -> str:
    """Excel refuses \\ / ? * [ ] : in sheet names and more than 31 characters."""
    clean = "".join("-" if ch in "\\/?*[]:" else ch for ch in title)
    return f"{index + 1} {clean}"[:31]


class XLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        book = Workbook()
        first = book.active
        book.remove(first)
        if not _is_report(data):
            sheet = book.create_sheet("error")
            sheet.append(["detail", "code"])
            sheet.append([data.get("detail", ""), data.get("code", "")] if isinstance(data, dict) else [str(data), ""])
        for index, (title, labels, kinds, rows) in enumerate(sections(data) if _is_report(data) else []):
            sheet = book.create_sheet(_sheet_title(index, title))
            sheet.append([title])
            sheet.append(labels)
            for row in rows:
                sheet.append([_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
            for col, kind in enumerate(kinds, start=1):
                number_format = FORMATS.get(kind)
                if number_format:
                    for (cell,) in sheet.iter_rows(min_row=3, min_col=col, max_col=col):
                        cell.number_format = number_format
                sheet.column_dimensions[get_column_letter(col)].width = 18
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
