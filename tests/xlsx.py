"""Reading an exported workbook back in tests (openpyxl, the real file)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response: Any) -> list[list[Any]]:
    """The rows of the first sheet of an .xlsx response, header row first."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX, response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    """The values under ``header`` (the header row excluded)."""
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]
