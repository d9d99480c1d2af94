"""Tender intake writes beyond ``services``: import of a tender list from CSV or XLSX (every row validated
first, then all created in one transaction, or nothing), attachment upload, delete, and who may change a
tender. Must not render pages or know about HTTP; single tenders are still created by
``services.tender_create``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.choices import Industry, Region
from backend.core.errors import ValidationFailed
from backend.tenders import services
from backend.tenders.models import Tender

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SCAN_ROWS = 5  # a title row or two above the header (common in exported sheets) is skipped
MAX_BLANK_RUN = 1000  # this many blank rows in a row end the data (sheets formatted down to row 1,048,576)
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that would expand beyond this

# Column name → field. Names are compared after _norm (case, spaces, underscores, "(元)" suffixes ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": (
        "number",
        "tender number",
        "tender no",
        "no",
        "招标编号",
        "项目编号",
        "招标项目编号",
        "采购编号",
        "编号",
    ),
    "title": ("title", "name", "project name", "项目名称", "招标项目名称", "采购项目名称", "公告标题", "标题", "名称"),
    "buyer": ("buyer", "purchaser", "采购人", "采购单位", "招标人", "招标单位", "业主单位", "业主"),
    "budget": ("budget", "budget amount", "预算金额", "预算", "采购预算", "项目预算"),
    "currency": ("currency", "币种", "货币"),
    "industry": ("industry", "行业"),
    "region": ("region", "区域", "地区", "大区"),
    "publish_date": ("publish date", "published", "published on", "发布日期", "发布时间", "公告日期", "公告时间"),
    "registration_deadline": ("registration deadline", "报名截止", "报名截止时间", "报名截止日期"),
    "bid_deadline": ("bid deadline", "submission deadline", "投标截止", "投标截止时间", "投标截止日期"),
    "opening_date": ("opening date", "opening", "bid opening", "开标时间", "开标日期"),
    "qualification_requirements": ("qualification requirements", "qualifications", "资格要求", "资质要求"),
    "source_url": ("source url", "url", "link", "source", "来源链接", "公告链接", "链接", "来源", "网址"),
    "notes": ("notes", "note", "remarks", "备注", "说明"),
}
REQUIRED = ("number", "title", "buyer")
REQUIRED_NAMES = {"number": "number/招标编号", "title": "title/项目名称", "buyer": "buyer/采购人"}
DATE_FIELDS = ("publish_date",)
DATETIME_FIELDS = ("registration_deadline", "bid_deadline", "opening_date")

# Words people write for a classification besides its code and its English/Chinese label.
INDUSTRY_ALIASES = {
    "政务": Industry.GOVERNMENT,
    "政府机关": Industry.GOVERNMENT,
    "金融": Industry.FINANCE,
    "银行": Industry.FINANCE,
    "保险": Industry.FINANCE,
    "证券": Industry.FINANCE,
    "能源": Industry.ENERGY,
    "电力": Industry.ENERGY,
    "公用事业": Industry.ENERGY,
    "通信": Industry.TELECOM,
    "运营商": Industry.TELECOM,
    "医疗": Industry.HEALTHCARE,
    "卫生": Industry.HEALTHCARE,
    "制造": Industry.MANUFACTURING,
    "交通": Industry.TRANSPORT,
    "物流": Industry.TRANSPORT,
    "交通运输": Industry.TRANSPORT,
    "其它": Industry.OTHER,
}
REGION_ALIASES = {"境外": Region.OVERSEAS, "国外": Region.OVERSEAS, "港澳": Region.HK_MO_TW}
CURRENCY_ALIASES = {"人民币": "CNY", "RMB": "CNY", "元": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD"}

_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]?\s*(\d{1,2})\s*秒?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONEY_JUNK = re.compile(r"[,，\s¥￥]|元$|CNY$|RMB$", re.IGNORECASE)


@dataclass
class ImportResult:
    """What an import did: the tenders created, and the file's columns that were not used."""

    created: list[Tender] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.created)


# --- import ---------------------------------------------------------------------------------------------


def _norm(name: Any) -> str:
    text = str(name or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[（(【\[].*?[)）】\]]\s*$", "", text)  # "预算金额（元）", "budget (CNY)"
    return re.sub(r"[\s_\-:：*.]+", "", text)


_ALIASES = {_norm(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}


def _fail(message: str) -> ValidationFailed:
    """A problem with the file as a whole (not with one row)."""
    return ValidationFailed(message, fields={"file": [message]}, code="import_invalid")


def _kind(filename: str, content: bytes) -> str:
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in (".xlsx", ".xlsm") or content[:4] == b"PK\x03\x04":
        return "xlsx"
    if ext == ".xls" or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(_("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV and try again."))
    if ext in ("", ".csv", ".txt", ".tsv"):
        return "csv"
    raise _fail(_("Unsupported file type %(ext)s: upload a .csv or .xlsx file.") % {"ext": ext})


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(_("The file is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 and try again."))


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _fail(
                _("line %(line)d: the CSV cannot be read (%(error)s).") % {"line": previous + 1, "error": exc}
            ) from None
        start, previous = previous + 1, reader.line_num
        yield start, cells


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    unreadable = _("The file could not be read as an Excel workbook (.xlsx); save it again from Excel or as CSV.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _fail(unreadable) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _fail(unreadable)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, XML and its own errors for damaged files
        raise _fail(unreadable) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong sheet size
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    except ValidationFailed:
        raise
    except Exception:
        raise _fail(unreadable) from None
    finally:
        workbook.close()


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read(filename: str, content: bytes) -> tuple[list[Any], int, list[tuple[int, list[Any]]]]:
    """(header cells, header line, data rows with their line numbers); blank rows are skipped."""
    rows = _xlsx_rows(content) if _kind(filename, content) == "xlsx" else _csv_rows(content)
    header: list[Any] | None = None
    header_line = 0
    first_nonblank: list[Any] | None = None
    data: list[tuple[int, list[Any]]] = []
    scanned = blank_run = 0
    for line, cells in rows:
        if _blank(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if header is None:
            first_nonblank = first_nonblank or cells
            scanned += 1
            if any(_norm(c) in _ALIASES for c in cells):
                header, header_line = cells, line
            elif scanned >= HEADER_SCAN_ROWS:
                break
            continue
        data.append((line, cells))
        if len(data) > MAX_ROWS:
            raise _fail(
                _("The file has more than %(max)d rows; split it into smaller files.") % {"max": MAX_ROWS},
            )
    if first_nonblank is None:
        raise _fail(_("The file is empty."))
    if header is None:
        found = ", ".join(str(c).strip() for c in first_nonblank if c is not None and str(c).strip())
        raise _fail(
            _("No header row with known column names found (first row: %(found)s). Required columns: %(required)s.")
            % {"found": found[:300], "required": ", ".join(REQUIRED_NAMES.values())}
        )
    return header, header_line, data


def _columns(header: list[Any], header_line: int) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """field → (column index, the name as written in the file); plus the names of unused columns."""
    columns: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        label = str(cell).strip() if cell is not None else ""
        name = _ALIASES.get(_norm(label))
        if name is None:
            if label:
                ignored.append(label)
            continue
        if name in columns:
            raise _fail(
                _("line %(line)d: columns %(first)s and %(second)s both mean %(field)s; keep one.")
                % {"line": header_line, "first": columns[name][1], "second": label, "field": name}
            )
        columns[name] = (index, label)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        found = ", ".join(str(c).strip() for c in header if c is not None and str(c).strip())
        raise _fail(
            _("Required column missing: %(missing)s. Columns found: %(found)s.")
            % {"missing": ", ".join(REQUIRED_NAMES[f] for f in missing), "found": found}
        )
    return columns, ignored


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """A money amount: 1,234.50 / ¥1234 / 120万 / 1.2亿 / an Excel number. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        text = _MONEY_JUNK.sub("", str(value).strip())
        factor = Decimal(1)
        for suffix, multiplier in (("万", 10_000), ("亿", 10**8)):  # 元 is already gone: 120万元 → 120万
            if text.endswith(suffix):
                text, factor = text[: -len(suffix)], Decimal(multiplier)
                break
        try:
            amount = Decimal(text) * factor
        except InvalidOperation:
            raise ValueError from None
    if not amount.is_finite():
        raise ValueError
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # far too many digits: the model's check names the limit
        return amount
    return cents if cents == amount else amount


def _when(value: Any, *, with_time: bool) -> date | datetime | None:
    """A date or (aware) datetime from an Excel cell or text like 2026-11-30, 2026/11/30 09:30, 2026年11月30日.
    A date alone for a datetime means 00:00 that day. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel

        moment = from_excel(value)  # an Excel date serial in a cell that lost its date format
    elif isinstance(value, str):
        text = re.sub(r"\s+", " ", value.strip())
        match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (6 - len(parts))
            year, month, day, hour, minute, second = parts  # both patterns have at most six groups
            moment = datetime(year, month, day, hour, minute, second)  # ValueError for 2026-02-30 or 25:00
        else:
            moment = datetime.fromisoformat(text)  # ISO with seconds or an offset; ValueError otherwise
    if moment is None:
        raise ValueError
    if not 1990 <= moment.year <= 2100:
        raise ValueError
    if not with_time:
        return moment.date()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _choice_lookup(choices: type[models.TextChoices], aliases: Mapping[str, str]) -> dict[str, str]:
    lookup = {str(code).lower(): code for code in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            lookup.update({str(label).strip().lower(): code for code, label in choices.choices})
    lookup.update({k.lower(): v for k, v in aliases.items()})
    return lookup


def _choice(value: Any, lookup: dict[str, str]) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return str(lookup[text.lower()])
    except KeyError:
        raise ValueError from None


def deadline_problems(values: dict[str, Any]) -> dict[str, str]:
    """Deadlines out of order (shared with the page form): field → problem."""
    problems = {}
    registration, bid, opening = (values.get(f) for f in DATETIME_FIELDS)
    if registration and bid and registration > bid:
        problems["registration_deadline"] = _("the registration deadline is after the bid deadline")
    if bid and opening and opening < bid:
        problems["opening_date"] = _("the opening is before the bid deadline")
    return problems


_url = URLValidator(schemes=["http", "https"])


def _row_values(
    cells: list[Any], columns: dict[str, tuple[int, str]], lookups: dict[str, dict[str, str]]
) -> tuple[dict[str, Any], list[str]]:
    """The row's tender fields and the problems found (each naming the column as written in the file)."""
    values: dict[str, Any] = {}
    problems: list[str] = []

    def cell(name: str) -> Any:
        index = columns[name][0]
        return cells[index] if index < len(cells) else None

    for name, (_index, label) in columns.items():
        raw = cell(name)
        shown = _text(raw)[:60]
        try:
            if name in REQUIRED:
                values[name] = _text(raw)
                if not values[name]:
                    problems.append(_("%(column)s is required") % {"column": label})
            elif name == "budget":
                values[name] = _decimal(raw)
                if values[name] is not None and values[name] < 0:
                    problems.append(_("%(column)s cannot be negative") % {"column": label})
            elif name in DATE_FIELDS or name in DATETIME_FIELDS:
                values[name] = _when(raw, with_time=name in DATETIME_FIELDS)
            elif name in ("industry", "region"):
                values[name] = _choice(raw, lookups[name])
            elif name == "currency":
                code = _text(raw)
                code = CURRENCY_ALIASES.get(code, CURRENCY_ALIASES.get(code.upper(), code.upper()))
                if code and not re.fullmatch(r"[A-Z]{3}", code):
                    raise ValueError
                values[name] = code or "CNY"
            elif name == "source_url":
                url = _text(raw)
                if url and "://" not in url:
                    url = f"https://{url}"
                if url:
                    _url(url)
                values[name] = url
            else:
                values[name] = _text(raw)
        except (ValueError, ValidationError):
            problems.append(_bad_value(name, label, shown))
    if "industry" in values and not values["industry"]:
        values["industry"] = Industry.OTHER
    problems += list(deadline_problems(values).values())
    if not problems:  # lengths, digits and the like, as the model states them
        try:
            Tender(**values).full_clean(exclude=["owner", "customer", "routing_rule"], validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = columns[name][1] if name in columns else name
                problems.append(f"{label}: {' '.join(messages)}")
    return values, problems


def _bad_value(name: str, label: str, shown: str) -> str:
    params = {"column": label, "value": shown}
    if name == "budget":
        return _("%(column)s '%(value)s' is not an amount") % params
    if name in DATE_FIELDS:
        return _("%(column)s '%(value)s' is not a date (use 2026-11-30)") % params
    if name in DATETIME_FIELDS:
        return _("%(column)s '%(value)s' is not a date and time (use 2026-11-30 09:30)") % params
    if name == "industry":
        choices = ", ".join(Industry.values)
        return _("%(column)s '%(value)s' is not an industry (%(choices)s)") % {**params, "choices": choices}
    if name == "region":
        choices = ", ".join(Region.values)
        return _("%(column)s '%(value)s' is not a region (%(choices)s)") % {**params, "choices": choices}
    if name == "currency":
        return _("%(column)s '%(value)s' is not a currency code such as CNY") % params
    if name == "source_url":
        return _("%(column)s '%(value)s' is not a web address") % params
    return _("%(column)s '%(value)s' is not valid") % params


def _line(line: int, problem: str) -> str:
    return _("line %(line)d: %(problem)s") % {"line": line, "problem": problem}


def tenders_import(*, actor: User, filename: str, content: bytes) -> ImportResult:
    """Import tenders from a CSV or XLSX file with a header row (English or Chinese column names).

    Every row is checked first: required number/title/buyer, amounts, dates, industry/region, URL, duplicate
    numbers in the file and in the database. Any bad row → ``ValidationFailed`` listing each one as
    "line N: problem" (line numbers as the file shows them, header = line 1) and nothing is written.
    Otherwise every tender is created through ``services.tender_create`` in one transaction.
    """
    services.tender_require_edit(user=actor)
    if len(content) > MAX_FILE_BYTES:
        raise _fail(
            _("The file is larger than %(max)d MB; split it into smaller files.")
            % {"max": MAX_FILE_BYTES // 1024 // 1024}
        )
    if not content.strip():
        raise _fail(_("The file is empty."))
    header, header_line, rows = _read(filename, content)
    columns, ignored = _columns(header, header_line)
    if not rows:
        raise _fail(_("The file has a header row but no tenders."))
    lookups = {
        "industry": _choice_lookup(Industry, INDUSTRY_ALIASES),
        "region": _choice_lookup(Region, REGION_ALIASES),
    }
    width = len(header)
    errors: dict[int, list[str]] = {}
    prepared: list[tuple[int, dict[str, Any]]] = []
    first_seen: dict[str, int] = {}
    for line, cells in rows:
        values, problems = _row_values(cells, columns, lookups)
        if any(c is not None and str(c).strip() for c in cells[width:]):
            problems.append(
                _("has %(count)d values but the header has %(width)d columns (a separator inside an unquoted value?)")
                % {"count": len(cells), "width": width}
            )
        number = values.get("number")
        if number:
            if number in first_seen:
                problems.append(
                    _("tender number %(number)s repeats line %(first)d")
                    % {"number": number, "first": first_seen[number]}
                )
            else:
                first_seen[number] = line
        if problems:
            errors[line] = problems
        prepared.append((line, values))
    numbers = list(first_seen)
    for start in range(0, len(numbers), 500):
        for number, title in Tender.objects.filter(number__in=numbers[start : start + 500]).values_list(
            "number", "title"
        ):
            errors.setdefault(first_seen[number], []).append(
                _("tender number %(number)s is already registered: %(title)s") % {"number": number, "title": title}
            )
    if errors:
        _raise_row_errors(errors)
    result = ImportResult(ignored_columns=ignored)
    with transaction.atomic():
        for line, values in prepared:
            try:
                result.created.append(services.tender_create(actor=actor, **values))
            except ValidationFailed as exc:  # e.g. the same number registered meanwhile: roll back everything
                _raise_row_errors({line: [exc.message]})
            except ValidationError as exc:
                _raise_row_errors({line: [" ".join(exc.messages)]})
    return result


def _raise_row_errors(errors: dict[int, list[str]]) -> None:
    lines = [_line(line, "; ".join(problems)) for line, problems in sorted(errors.items())]
    summary = translation.ngettext(
        "%(count)d row has errors; nothing was imported.",
        "%(count)d rows have errors; nothing was imported.",
        len(lines),
    ) % {"count": len(lines)}
    raise ValidationFailed(
        "\n".join([summary, *lines]),
        fields={"file": lines},
        code="import_invalid",
        extra={"errors": [{"line": line, "problems": problems} for line, problems in sorted(errors.items())]},
    )
