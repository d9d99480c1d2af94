"""Tender import from real CSV and XLSX files: all rows or nothing, every bad row named by its line number,
duplicates refused, Chinese headers, and the ``import-tenders`` command."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from backend.core.errors import PermissionDenied, ValidationFailed
from backend.tenders import importer as tender_import
from backend.tenders.importer import tenders_import
from backend.tenders.models import Tender

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ["number", "title", "buyer", "budget", "industry", "region", "publish_date", "bid_deadline", "source_url"]


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[int, str]:
    return {e["line"]: "; ".join(e["problems"]) for e in exc.value.extra["errors"]}


def test_good_csv_imports_every_row(bidmgr):
    # given a CSV with three good rows in the formats people actually type
    content = csv_bytes(
        [
            HEADER,
            [
                "ZB-001",
                "数据中心扩容",
                "某市大数据局",
                "1,200,000.50",
                "government",
                "east",
                "2026-11-01",
                "2026-11-30",
            ],
            ["ZB-002", "Core banking", "Alpha Bank", "120万", "Finance", "华北", "2026/11/02", "2026/11/30 09:30"],
            ["ZB-003", "PACS upgrade", "City Hospital", "", "医疗卫生", "", "", "", "www.ccgp.gov.cn/a"],
        ]
    )
    # when it is imported
    result = tenders_import(actor=bidmgr, filename="tenders.csv", content=content)
    # then every row is a tender with typed values
    assert result.count == 3 and Tender.objects.count() == 3
    first, second, third = (Tender.objects.get(number=n) for n in ("ZB-001", "ZB-002", "ZB-003"))
    assert first.budget == Decimal("1200000.50") and first.industry == "government" and first.region == "east"
    assert first.publish_date.isoformat() == "2026-11-01"
    assert first.bid_deadline == datetime(2026, 11, 30, 0, 0, tzinfo=SHANGHAI)
    assert second.budget == Decimal("1200000") and second.industry == "finance" and second.region == "north"
    assert second.bid_deadline == datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI)
    assert third.budget is None and third.industry == "healthcare" and third.region == ""
    assert third.source_url == "https://www.ccgp.gov.cn/a"
    assert first.owner == bidmgr and first.title == "数据中心扩容"


def test_good_xlsx_with_real_cell_types_imports_every_row(bidmgr):
    content = xlsx_bytes(
        [
            [*HEADER, "opening_date"],
            [
                20260001,
                "园区网络改造",
                "某大学",
                850000,
                "education",
                "south",
                datetime(2026, 11, 3),
                "2026/12/01 09:30",
            ]
            + [None, datetime(2026, 12, 1, 10, 0)],
            ["ZB-X-2", "Smart grid", "State Grid", 1234.5, "Energy and utilities", "northwest", None, None],
        ]
    )
    result = tenders_import(actor=bidmgr, filename="tenders.xlsx", content=content)
    assert result.count == 2
    first = Tender.objects.get(number="20260001")
    assert first.budget == Decimal("850000") and first.industry == "education"
    assert first.publish_date.isoformat() == "2026-11-03"
    assert first.bid_deadline == datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    assert first.opening_date == datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    assert Tender.objects.get(number="ZB-X-2").industry == "energy"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_two_bad_rows_import_nothing_and_both_lines_are_named(bidmgr, kind):
    # given a file whose lines 3 and 5 are bad (header = line 1)
    rows = [
        HEADER,
        ["ZB-101", "Good one", "Buyer A", "100", "", "", "", ""],
        ["ZB-102", "", "Buyer B", "abc", "", "", "", ""],
        ["ZB-103", "Good two", "Buyer C", "", "", "", "", ""],
        ["ZB-104", "Bad date", "Buyer D", "", "astrology", "", "2026-13-45", "2026/11/30 25:00"],
    ]
    content = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    # when it is imported
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename=f"tenders.{kind}", content=content)
    # then nothing is written and each bad row is reported by its line number
    assert Tender.objects.count() == 0
    errors = errors_of(exc)
    assert sorted(errors) == [3, 5]
    assert "title is required" in errors[3] and "budget 'abc' is not an amount" in errors[3]
    assert "industry 'astrology'" in errors[5] and "publish_date '2026-13-45' is not a date" in errors[5]
    assert "bid_deadline '2026/11/30 25:00'" in errors[5]
    assert exc.value.fields["file"][0].startswith("line 3: ") and exc.value.fields["file"][1].startswith("line 5: ")
    assert "line 3:" in exc.value.message and "line 5:" in exc.value.message
    assert exc.value.message.startswith("2 rows have errors; nothing was imported.")


def test_csv_line_numbers_count_blank_lines_and_quoted_line_breaks(bidmgr):
    content = (
        b'number,title,buyer,notes\r\nZB-1,One,Buyer,"two\r\nline note"\r\n\r\nZB-2,,Buyer,\r\nZB-3,Three,Buyer,\r\n'
    )
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="t.csv", content=content)
    assert list(errors_of(exc)) == [5]  # header 1, ZB-1 on lines 2-3, blank line 4, ZB-2 on line 5


def test_xlsx_line_numbers_are_sheet_row_numbers_below_a_title_row(bidmgr):
    content = xlsx_bytes(
        [["2026年招标信息汇总"], [], HEADER, ["ZB-1", "One", "Buyer"], [], ["ZB-2", "Two", ""], ["ZB-3", "", "B"]]
    )
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="t.xlsx", content=content)
    assert list(errors_of(exc)) == [6, 7]


def test_duplicate_within_the_file_is_refused(bidmgr):
    content = csv_bytes([HEADER, ["ZB-7", "A", "Buyer"], ["ZB-8", "B", "Buyer"], ["ZB-7", "C", "Buyer"]])
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="t.csv", content=content)
    assert errors_of(exc) == {4: "tender number ZB-7 repeats line 2"}
    assert Tender.objects.count() == 0


def test_duplicate_against_the_database_is_refused(bidmgr):
    tenders_import(actor=bidmgr, filename="first.csv", content=csv_bytes([HEADER, ["ZB-9", "Existing", "Buyer"]]))
    content = csv_bytes([HEADER, ["ZB-10", "New", "Buyer"], ["ZB-9", "Again", "Buyer"]])
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="second.csv", content=content)
    assert errors_of(exc) == {3: "tender number ZB-9 is already registered: Existing"}
    assert list(Tender.objects.values_list("number", flat=True)) == ["ZB-9"]


def test_chinese_headers_in_gb18030_csv_and_in_xlsx(bidmgr):
    header = ["招标编号", "项目名称", "采购人", "预算金额（元）", "行业", "区域", "发布日期", "报名截止", "投标截止"]
    header += ["开标时间", "资格要求", "来源链接", "备注", "联系人"]
    row = ["ZB-中-1", "政务云平台", "某省政务服务中心", "¥3,000,000", "政府", "西南", "2026年11月1日"]
    row += ["2026/11/20 17:00", "2026/11/30 09:30", "2026-11-30 09:30", "具有CMMI3资质", "", "急", "张三"]
    result = tenders_import(actor=bidmgr, filename="招标.csv", content=csv_bytes([header, row], encoding="gb18030"))
    assert result.count == 1 and result.ignored_columns == ["联系人"]
    tender = Tender.objects.get(number="ZB-中-1")
    assert (tender.title, tender.buyer, tender.budget) == ("政务云平台", "某省政务服务中心", Decimal("3000000"))
    assert (tender.industry, tender.region, tender.notes) == ("government", "southwest", "急")
    assert tender.registration_deadline == datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    assert tender.qualification_requirements == "具有CMMI3资质"
    row[0] = "ZB-中-2"
    assert tenders_import(actor=bidmgr, filename="招标.xlsx", content=xlsx_bytes([header, row])).count == 1


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("t.csv", b"", "The file is empty."),
        ("t.csv", b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        ("t.csv", b"number,title,buyer\r\n", "has a header row but no tenders"),
        ("t.csv", b"number,title\r\nZB-1,x\r\n", "Required column missing: buyer/采购人"),
        ("t.csv", b"foo,bar\r\n1,2\r\n", "No header row with known column names"),
        ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old Excel files (.xls) are not supported"),
        ("t.xlsx", b"PK\x03\x04 not really a zip", "could not be read as an Excel workbook"),
        ("t.pdf", b"%PDF-1.4", "Unsupported file type .pdf"),
        ("t.csv", b"number,title,buyer\r\nZB,\xff\xff,x\r\n", "neither UTF-8 nor GB18030"),
    ],
)
def test_file_level_problems_are_clear_errors(bidmgr, filename, content, message):
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename=filename, content=content)
    assert message in exc.value.message
    assert Tender.objects.count() == 0


def test_size_and_row_limits(bidmgr, monkeypatch):
    monkeypatch.setattr(tender_import, "MAX_ROWS", 3)
    rows = [HEADER] + [[f"ZB-{i}", "T", "B"] for i in range(4)]
    with pytest.raises(ValidationFailed, match="more than 3 rows"):
        tenders_import(actor=bidmgr, filename="t.csv", content=csv_bytes(rows))
    assert tenders_import(actor=bidmgr, filename="t.csv", content=csv_bytes(rows[:4])).count == 3
    monkeypatch.setattr(tender_import, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationFailed, match="larger than"):
        tenders_import(actor=bidmgr, filename="t.csv", content=b"number,title,buyer\r\n" + b"x" * 100)


def test_blank_rows_inside_data_are_skipped_and_a_long_blank_run_ends_it(bidmgr, monkeypatch):
    monkeypatch.setattr(tender_import, "MAX_BLANK_RUN", 4)
    rows = [HEADER, ["ZB-1", "T", "B"], [], [], ["ZB-2", "T", "B"], [], [], [], [], ["ZB-3", "T", "B"]]
    result = tenders_import(actor=bidmgr, filename="t.xlsx", content=xlsx_bytes(rows))
    assert sorted(t.number for t in result.created) == ["ZB-1", "ZB-2"]


def test_an_xlsx_that_would_unzip_too_large_is_refused(bidmgr, monkeypatch):
    monkeypatch.setattr(tender_import, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(ValidationFailed, match="could not be read as an Excel workbook"):
        tenders_import(actor=bidmgr, filename="t.xlsx", content=xlsx_bytes([HEADER, ["ZB-1", "T", "B"]]))


def test_misaligned_row_and_model_limits_are_reported(bidmgr):
    content = csv_bytes(
        [
            ["number", "title", "buyer"],
            ["ZB-1", "Title", "北京", "海淀区"],  # an unquoted comma split the buyer
            ["ZB-2", "T" * 301, "Buyer"],
            ["ZB-3", "T", "B", ""],  # an empty trailing cell is fine
        ]
    )
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="t.csv", content=content)
    errors = errors_of(exc)
    assert sorted(errors) == [2, 3]
    assert "has 4 values but the header has 3 columns" in errors[2]
    assert errors[3].startswith("title: ") and "300" in errors[3]


def test_deadlines_out_of_order_are_refused(bidmgr):
    content = csv_bytes(
        [
            ["number", "title", "buyer", "报名截止", "投标截止", "开标时间"],
            ["ZB-1", "T", "B", "2026-12-01", "2026-11-30", ""],
        ]
    )
    with pytest.raises(ValidationFailed) as exc:
        tenders_import(actor=bidmgr, filename="t.csv", content=content)
    assert "registration deadline is after the bid deadline" in errors_of(exc)[2]


def test_only_tender_editors_may_import(make_user):
    engineer = make_user("eng", "engineer")
    with pytest.raises(PermissionDenied, match="Only bid managers"):
        tenders_import(actor=engineer, filename="t.csv", content=csv_bytes([HEADER, ["ZB-1", "T", "B"]]))
    assert Tender.objects.count() == 0


# --- the command ---------------------------------------------------------------------------------------


def test_command_imports_and_reports_the_count(tmp_path, make_user):
    admin = make_user("root", is_superuser=True, is_staff=True)
    path = tmp_path / "tenders.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, ["ZB-1", "One", "Buyer"], ["ZB-2", "Two", "Buyer"]]))
    out = io.StringIO()
    call_command("import-tenders", str(path), stdout=out)
    assert "Imported 2 tenders." in out.getvalue()
    assert set(Tender.objects.values_list("owner__username", flat=True)) == {admin.username}


def test_command_with_user_option(tmp_path, bidmgr):
    path = tmp_path / "tenders.csv"
    path.write_bytes(csv_bytes([HEADER, ["ZB-1", "One", "Buyer"]]))
    out = io.StringIO()
    call_command("import-tenders", str(path), "--user", "bidmgr", stdout=out)
    assert "Imported 1 tender." in out.getvalue()
    assert Tender.objects.get().owner == bidmgr


def test_command_prints_every_bad_line_and_fails(tmp_path, bidmgr):
    path = tmp_path / "tenders.csv"
    path.write_bytes(csv_bytes([HEADER, ["ZB-1", "", "Buyer"], ["ZB-2", "Ok", "Buyer"], ["ZB-1", "Dup", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 rows have errors; nothing was imported"):
        call_command("import-tenders", str(path), "--user", "bidmgr", stderr=err)
    printed = err.getvalue()
    assert "line 2: title is required" in printed
    assert "line 4: buyer is required; tender number ZB-1 repeats line 2" in printed
    assert Tender.objects.count() == 0


def test_command_refuses_missing_file_and_unknown_user(tmp_path, bidmgr):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-tenders", str(tmp_path / "nope.csv"), "--user", "bidmgr")
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes([HEADER, ["ZB-1", "One", "Buyer"]]))
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command("import-tenders", str(path), "--user", "ghost")
    with pytest.raises(CommandError, match="No superuser exists"):
        call_command("import-tenders", str(path))
