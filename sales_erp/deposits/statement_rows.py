"""Reading a bank statement (银行流水) with one bank's layout (`ImportProfile`) into credit lines.

Chinese banks export GBK or UTF-8 with BOM, put account lines above the header, write amounts with
thousands separators ("1,250,850.00") and mix debits with credits. Only credits become deposits; debits
are counted and left out. Every bad row is named by the row number a user sees in Excel, with the column
and the value ("第 7 行: 贷方金额 '零点四' 不是数字"), and one bad row refuses the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sales_erp.deposits.models import NO_PAYER, ImportProfile

DATE_MISSING = "第 {row} 行: 请填写{label}"
DATE_INVALID = "第 {row} 行: {label} '{value}' 无法识别（格式应为 {formats}，或 Excel 日期）"
TIME_INVALID = "第 {row} 行: {label} '{value}' 无法识别（应为 09:31:12 这样的时间）"
AMOUNT_INVALID = "第 {row} 行: {label} '{value}' 不是数字"
AMOUNT_PLACES = "第 {row} 行: {label} '{value}' 最多两位小数"
AMOUNT_NEGATIVE = "第 {row} 行: {label} '{value}' 不能为负数"
AMOUNT_TOO_LARGE = "第 {row} 行: {label} '{value}' 超过 999999999999.99"
NO_AMOUNT = "第 {row} 行: {credit}和{debit}都为空或为零，无法判断收支"
BOTH_AMOUNTS = "第 {row} 行: {credit} '{credit_value}' 和{debit} '{debit_value}' 同时有金额，无法判断收支"
DIRECTION_INVALID = "第 {row} 行: {label} '{value}' 应为 {marks}"
CREDIT_NOT_POSITIVE = "第 {row} 行: 收入行的{label} '{value}' 应大于 0"
TOO_LONG = "第 {row} 行: {label} '{value}' 超过 {limit} 个字符"
SERIAL_REPEATED = "第 {row} 行: {label} '{serial}' 与第 {first} 行重复"
NO_ROWS = "文件中没有流水数据行"

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 date system
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")
# Characters banks put into amounts besides digits: thousands separators (also full-width), currency signs.
AMOUNT_NOISE = str.maketrans("", "", ",，¥￥ \u00a0\u3000")


@dataclass(frozen=True)
class CreditLine:
    """One credit of the statement, ready to become a deposit."""

    row: int  # the row number in Excel
    received_on: date
    received_time: time | None
    payer: str  # as the bank wrote it, trimmed; NO_PAYER when the line names nobody
    payer_account: str
    amount: Decimal
    serial: str
    summary: str


@dataclass
class StatementParse:
    credits: list[CreditLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0
    debits: int = 0


def marks_of(text: str) -> frozenset[str]:
    return frozenset(mark.strip() for mark in text.replace("，", ",").split(",") if mark.strip())


def formats_of(profile: ImportProfile) -> list[str]:
    return [f.strip() for f in profile.date_formats.replace("，", ",").split(",") if f.strip()]


def profile_required_columns(profile: ImportProfile) -> list[str]:
    """Every header name the profile names: all of them must be in the header row."""
    names = [
        profile.date_column,
        profile.time_column,
        profile.credit_column,
        profile.debit_column,
        profile.direction_column,
        profile.payer_column,
        profile.payer_account_column,
        profile.serial_column,
        profile.summary_column,
    ]
    found: list[str] = []
    for name in names:
        name = name.strip()
        if name and name not in found:
            found.append(name)
    return found


def excel_serial_day(serial: float) -> date | None:
    if not 18264 <= serial <= 109574:  # 1950 … 2200: anything else is a mistyped number, not a date
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))


def day_and_time_parse(value: Any, formats: Sequence[str]) -> tuple[date, time | None] | None:
    """A statement date: a spreadsheet date cell, an Excel serial, or text in one of the formats."""
    if isinstance(value, datetime):
        return value.date(), (value.time() if value.time() != time(0) else None)
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = excel_serial_day(value)
        return (day, None) if day else None
    text = str(value).strip()
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - a business date, not an instant
        except ValueError:
            continue
        has_time = any(code in fmt for code in ("%H", "%M", "%S"))
        return parsed.date(), (parsed.time() if has_time else None)
    if text.replace(".", "", 1).isdigit() and len(text.split(".")[0]) == 5:
        day = excel_serial_day(float(text))
        return (day, None) if day else None
    return None


def time_parse(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time cell read as a fraction of a day
        seconds = round(value * 86400)
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60) if seconds < 86400 else None
    text = str(value).strip()
    for fmt in ("%H:%M:%S", "%H:%M", "%H%M%S"):
        try:
            return datetime.strptime(text, fmt).time()  # noqa: DTZ007 - a time of day on a business date
        except ValueError:
            continue
    return None


def amount_parse(value: Any) -> Decimal | None:
    """The amount a cell holds, exactly (floats from a spreadsheet through their shortest repr)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).translate(AMOUNT_NOISE)
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a serial or account number a spreadsheet turned into a number
    return str(value).strip()


def statement_rows_parse(
    rows: Iterable[tuple[int, Sequence[Any]]], *, columns: dict[str, int], profile: ImportProfile
) -> StatementParse:
    """The statement's credit lines in file order; debits counted; bad rows named in `errors`."""
    result = StatementParse()
    formats = formats_of(profile)
    shown_formats = "、".join(formats)
    credit_marks, debit_marks = marks_of(profile.credit_marks), marks_of(profile.debit_marks)

    def at(name: str) -> int | None:
        return columns.get(name.strip()) if name.strip() else None

    at_date, at_time, at_credit = at(profile.date_column), at(profile.time_column), at(profile.credit_column)
    at_debit, at_direction = at(profile.debit_column), at(profile.direction_column)
    at_payer, at_account = at(profile.payer_column), at(profile.payer_account_column)
    at_serial, at_summary = at(profile.serial_column), at(profile.summary_column)
    assert at_date is not None and at_credit is not None and at_payer is not None
    width = max(columns.values()) + 1
    credit_label, debit_label = profile.credit_column.strip(), profile.debit_column.strip()
    errors = result.errors
    # Statements repeat the same dates and times on many lines: each distinct text is parsed once.
    days: dict[Any, tuple[date, time | None] | None] = {}
    times: dict[Any, time | None] = {}
    first_row_of_serial: dict[str, int] = {}

    def amount_of(raw: Any, label: str, row: int) -> Decimal | None | bool:
        """The amount, None for an empty cell, False (after naming the error) for a bad one."""
        if blank(raw):
            return None
        amount = amount_parse(raw)
        if amount is None:
            errors.append(AMOUNT_INVALID.format(row=row, label=label, value=raw))
            return False
        if amount < 0:
            errors.append(AMOUNT_NEGATIVE.format(row=row, label=label, value=raw))
            return False
        # The size first: quantize raises on a figure longer than the context's precision (1e30).
        if amount > MAX_AMOUNT:
            errors.append(AMOUNT_TOO_LARGE.format(row=row, label=label, value=raw))
            return False
        if amount != amount.quantize(CENT):
            errors.append(AMOUNT_PLACES.format(row=row, label=label, value=raw))
            return False
        return amount.quantize(CENT)

    for row, cells in rows:
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        if all(blank(cell) for cell in cells):
            continue  # a blank line (some banks end with one, or with a total line below it)
        result.rows += 1
        before = len(errors)
        # --- 流水号: the bank's own key, one line each (a repeat means a broken or doctored export)
        serial = text_of(cells[at_serial]) if at_serial is not None else ""
        if serial:
            first = first_row_of_serial.setdefault(serial, row)
            if first != row:
                errors.append(SERIAL_REPEATED.format(row=row, label=profile.serial_column, serial=serial, first=first))
        # --- 收入还是支出
        credit = amount_of(cells[at_credit], credit_label, row)
        debit = amount_of(cells[at_debit], debit_label, row) if at_debit is not None else None
        is_credit = False
        if credit is not False and debit is not False:
            if at_direction is not None:
                mark = text_of(cells[at_direction])
                if mark in credit_marks:
                    is_credit = True
                    if not credit:
                        errors.append(CREDIT_NOT_POSITIVE.format(row=row, label=credit_label, value=cells[at_credit]))
                elif mark not in debit_marks:
                    marks = " 或 ".join(sorted(credit_marks | debit_marks))
                    errors.append(
                        DIRECTION_INVALID.format(row=row, label=profile.direction_column, value=mark, marks=marks)
                    )
            elif credit and debit:
                errors.append(
                    BOTH_AMOUNTS.format(
                        row=row,
                        credit=credit_label,
                        credit_value=cells[at_credit],
                        debit=debit_label,
                        debit_value=cells[at_debit] if at_debit is not None else "",
                    )
                )
            elif credit:
                is_credit = True
            elif not debit:
                errors.append(NO_AMOUNT.format(row=row, credit=credit_label, debit=debit_label or "借方金额"))
        # --- 日期 and 时间 (checked on every line: a statement with a broken date is not to be trusted)
        raw_date = cells[at_date]
        try:
            parsed = days[raw_date]
        except (KeyError, TypeError):
            parsed = None if blank(raw_date) else day_and_time_parse(raw_date, formats)
            if isinstance(raw_date, str):
                days[raw_date] = parsed
        if parsed is None:
            template = DATE_MISSING if blank(raw_date) else DATE_INVALID
            errors.append(template.format(row=row, label=profile.date_column, value=raw_date, formats=shown_formats))
        received_time = parsed[1] if parsed else None
        if at_time is not None and not blank(cells[at_time]):
            raw_time = cells[at_time]
            if raw_time in times:
                received_time = times[raw_time]
            else:
                received_time = times[raw_time] = time_parse(raw_time)
            if received_time is None:
                errors.append(TIME_INVALID.format(row=row, label=profile.time_column, value=cells[at_time]))
        if len(errors) > before:
            continue
        if not is_credit:
            result.debits += 1
            continue
        # --- who paid
        payer = text_of(cells[at_payer])
        payer_account = text_of(cells[at_account]) if at_account is not None else ""
        summary = text_of(cells[at_summary])[:200] if at_summary is not None else ""
        for label, value, limit in (
            (profile.payer_column, payer, 200),
            (profile.payer_account_column, payer_account, 64),
            (profile.serial_column, serial, 64),
        ):
            if len(value) > limit:
                errors.append(TOO_LONG.format(row=row, label=label, value=value, limit=limit))
        if len(errors) > before:
            continue
        assert parsed is not None and isinstance(credit, Decimal)
        result.credits.append(
            CreditLine(
                row=row,
                received_on=parsed[0],
                received_time=received_time,
                payer=payer or NO_PAYER,
                payer_account=payer_account,
                amount=credit,
                serial=serial,
                summary=summary,
            )
        )
    if result.rows == 0 and not errors:
        errors.append(NO_ROWS)
    return result
