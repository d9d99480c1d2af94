"""Chinese formatting for documents: capital-numeral amounts (大写金额, as on contracts and invoices) and
dates (2026年11月23日)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group(value: int) -> str:
    """1–9999 in capitals, with 零 for inner zeros: 1001 → 壹仟零壹."""
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = value // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += DIGITS[digit] + unit
    return out


def _integer(value: int) -> str:
    if value == 0:
        return ""
    groups = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    if len(groups) > len(GROUP_UNITS):
        raise ValueError("amount too large for capital numerals")
    out, pending_zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if out and (pending_zero or group < 1000):
            out += "零"
        pending_zero = False
        out += _group(group) + GROUP_UNITS[index]
    return out


def rmb_capital(amount: Decimal | int | float | str) -> str:
    """Amount in capital numerals: 1000001.05 → 壹佰万零壹元零伍分; 0 → 零元整; 10 → 壹拾元整."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    yuan = int(value)
    cents = int((value - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    integer = _integer(yuan)
    if not integer and not cents:
        return "零元整"
    out = sign + (integer + "元" if integer else "")
    if not cents:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif integer:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return out


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def money(amount: object) -> str:
    """Figures with thousands separators and two decimals: 1,000,001.05 (anything else unchanged)."""
    value = _decimal(amount)
    return f"{value:,.2f}" if value is not None else ("" if amount is None else str(amount))


def capital_filter(amount: object) -> str:
    """The template filter ``|capital``: capital numerals for an amount, anything else unchanged."""
    value = _decimal(amount)
    return rmb_capital(value) if value is not None else ("" if amount is None else str(amount))


def cn_date(value: object) -> str:
    """2026年11月23日 from a date, a datetime or an ISO date string (anything else unchanged)."""
    if isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if isinstance(value, date | datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)
