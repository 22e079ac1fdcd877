"""Reading usage rows (发送量) as the messaging platform exports them, into rows ready to store.

The layout (../samples/usage_2026-10.csv): 日期, 账号, 运营商, 提交条数, 成功条数, 计费条数, and for
international products 国家/地区. Dates come as text (2026-10-01, 2026/10/1, 20261001) or as Excel date
serial numbers; carriers as 移动/联通/电信 (or empty). Every bad row is named by the row number a user sees
in Excel, with the field and the value ("第 7 行: 计费条数 'abc' 不是整数").

This loop runs once per row of files with millions of rows, so it avoids work per row where it can:
each distinct date, carrier and country text is parsed once and remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sales_erp.billing.models import CARRIER_BY_TEXT, Carrier
from sales_erp.pricing.countries import COUNTRIES, COUNTRY_BY_NAME

DAY, ACCOUNT, CARRIER, SUBMITTED, SUCCEEDED, BILLABLE, COUNTRY = (
    "日期",
    "账号",
    "运营商",
    "提交条数",
    "成功条数",
    "计费条数",
    "国家/地区",
)
REQUIRED_COLUMNS = (DAY, ACCOUNT, BILLABLE)
COLUMN_ALIASES = {"国家": COUNTRY, "国家代码": COUNTRY, "地区": COUNTRY, "发送日期": DAY, "账户": ACCOUNT}

DATE_MISSING = "第 {row} 行: 请填写日期"
DATE_INVALID = "第 {row} 行: 日期 '{value}' 无法识别（应为 2026-10-01 这样的日期，或 Excel 日期序号）"
ACCOUNT_MISSING = "第 {row} 行: 请填写账号"
ACCOUNT_TOO_LONG = "第 {row} 行: 账号 '{value}' 超过 64 个字符"
CARRIER_INVALID = "第 {row} 行: 运营商 '{value}' 应为 移动、联通、电信 或留空"
COUNT_INVALID = "第 {row} 行: {label} '{value}' 不是整数"
COUNT_NEGATIVE = "第 {row} 行: {label} '{value}' 不能为负数"
COUNTRY_INVALID = "第 {row} 行: 国家/地区 '{value}' 不是已知的国家/地区代码（如 US、JP）"
DUPLICATE = "第 {row} 行: 与第 {first} 行重复（账号 {account}，日期 {day}，运营商 {carrier}{country}）"
NO_ROWS = "没有发送量数据行"

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 date system (it counts a 29 Feb 1900 that never was)
MAX_COUNT = 2**63 - 1

# (account code, account id or None, day ISO, month ISO, carrier, country, submitted, succeeded, billable)
StoredRow = tuple[str, int | None, str, str, str, str, int, int, int]


@dataclass
class UnmatchedCode:
    code: str
    rows: int = 0
    current_row: int = 0  # the row number of the row last yielded
    billable: int = 0


@dataclass
class ParseState:
    """What the parse learns beyond the rows themselves."""

    errors: list[str] = field(default_factory=list)
    months: set[str] = field(default_factory=set)
    unmatched: dict[str, UnmatchedCode] = field(default_factory=dict)
    rows: int = 0
    current_row: int = 0  # the row number of the row last yielded
    # Natural keys already seen, by hash: a repeat is a suspected duplicate, confirmed in a second pass
    # (keeping millions of full keys would cost far more memory than their hashes).
    seen: set[int] = field(default_factory=set)
    suspects: list[tuple[int, tuple[str, str, str, str]]] = field(default_factory=list)


def day_parse(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_day(value)
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit() and len(text.split(".")[0]) <= 6:
        return excel_serial_day(float(text))
    digits = text.replace("/", "-").replace(".", "-").split(" ")[0].split("T")[0]
    if len(digits) == 8 and digits.isdigit():
        digits = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    parts = digits.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def excel_serial_day(serial: float) -> date | None:
    # 1 is 1900-01-01; anything before 1950 or after 2200 is not a usage date but a mistyped number.
    if not 18264 <= serial <= 109574:
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))


def count_parse(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "")
    if text.endswith(".0"):
        text = text[:-2]
    if text.lstrip("-").isdigit():
        return int(text)
    return None


def usage_rows_parse(
    rows: Iterable[tuple[int, Sequence[Any]]],
    *,
    columns: dict[str, int],
    accounts: dict[str, int],
    state: ParseState,
) -> Iterator[StoredRow]:
    """The rows to store, in file order; bad rows are left out and named in `state.errors`."""
    at_day, at_account, at_billable = columns[DAY], columns[ACCOUNT], columns[BILLABLE]
    at_carrier, at_country = columns.get(CARRIER), columns.get(COUNTRY)
    at_submitted, at_succeeded = columns.get(SUBMITTED), columns.get(SUCCEEDED)
    width = max(columns.values()) + 1
    days: dict[Any, tuple[str, str] | None] = {}
    carriers: dict[Any, str | None] = {None: Carrier.NONE, **CARRIER_BY_TEXT}
    countries: dict[Any, str | None] = {None: "", "": ""}
    errors, seen, unmatched, months = state.errors, state.seen, state.unmatched, state.months
    counted = ((SUBMITTED, at_submitted), (SUCCEEDED, at_succeeded), (BILLABLE, at_billable))
    for row, cells in rows:
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        raw_day, raw_account = cells[at_day], cells[at_account]
        if raw_day in (None, "") and raw_account in (None, "") and all(cell in (None, "") for cell in cells):
            continue  # a blank line
        state.rows += 1
        ok = True
        # --- 日期
        try:
            day = days[raw_day]
        except KeyError:
            parsed = day_parse(raw_day) if raw_day not in (None, "") else None
            day = days[raw_day] = (parsed.isoformat(), parsed.replace(day=1).isoformat()) if parsed else None
        if day is None:
            errors.append((DATE_INVALID if raw_day not in (None, "") else DATE_MISSING).format(row=row, value=raw_day))
            ok = False
        # --- 账号
        account = "" if raw_account is None else str(raw_account).strip()
        if not account:
            errors.append(ACCOUNT_MISSING.format(row=row))
            ok = False
        elif len(account) > 64:
            errors.append(ACCOUNT_TOO_LONG.format(row=row, value=account))
            ok = False
        # --- 运营商
        raw_carrier = cells[at_carrier] if at_carrier is not None else None
        try:
            carrier = carriers[raw_carrier]
        except KeyError:
            carrier = carriers[raw_carrier] = CARRIER_BY_TEXT.get(str(raw_carrier).strip())
        if carrier is None:
            errors.append(CARRIER_INVALID.format(row=row, value=raw_carrier))
            ok = False
        # --- 国家/地区
        raw_country = cells[at_country] if at_country is not None else None
        try:
            country = countries[raw_country]
        except KeyError:
            text = str(raw_country).strip()
            country = countries[raw_country] = (
                text.upper() if text.upper() in COUNTRIES else COUNTRY_BY_NAME.get(text) if text else ""
            )
        if country is None:
            errors.append(COUNTRY_INVALID.format(row=row, value=raw_country))
            ok = False
        # --- 提交条数, 成功条数, 计费条数
        counts = [0, 0, 0]
        for i, (label, at) in enumerate(counted):
            if at is None:
                continue
            raw = cells[at]
            if raw is None or raw == "":
                continue
            value: int | None
            if raw.__class__ is str:
                try:
                    value = int(raw)
                except ValueError:
                    value = count_parse(raw)
            else:
                value = count_parse(raw)  # a float from a spreadsheet must be whole, never truncated
            if value is None or value > MAX_COUNT:
                errors.append(COUNT_INVALID.format(row=row, label=label, value=raw))
                ok = False
            elif value < 0:
                errors.append(COUNT_NEGATIVE.format(row=row, label=label, value=raw))
                ok = False
            else:
                counts[i] = value
        if not ok:
            continue
        assert day is not None and carrier is not None and country is not None
        key = (account, day[0], carrier, country)
        digest = hash(key)
        if digest in seen:
            state.suspects.append((row, key))
        else:
            seen.add(digest)
        account_id = accounts.get(account)
        if account_id is None:
            account_id = accounts.get(account.casefold())
        if account_id is None:
            entry = unmatched.get(account)
            if entry is None:
                entry = unmatched[account] = UnmatchedCode(account)
            entry.rows += 1
            entry.billable += counts[2]
        months.add(day[1])
        state.current_row = row
        yield (account, account_id, day[0], day[1], carrier, country, counts[0], counts[1], counts[2])


def duplicates_confirm(
    rows: Iterable[tuple[int, Sequence[Any]]],
    *,
    columns: dict[str, int],
    suspects: list[tuple[int, tuple[str, str, str, str]]],
) -> list[str]:
    """Second pass, only when a key's hash repeated: name each true duplicate and its first row."""
    wanted = {key for _, key in suspects}
    first: dict[tuple[str, str, str, str], int] = {}
    state = ParseState()
    for stored in usage_rows_parse(rows, columns=columns, accounts={}, state=state):
        key = (stored[0], stored[2], stored[4], stored[5])
        if key in wanted and key not in first:
            first[key] = state.current_row
    messages = []
    for row, key in suspects:
        if key in first and first[key] != row:
            account, day, carrier, country = key
            messages.append(
                DUPLICATE.format(
                    row=row,
                    first=first[key],
                    account=account,
                    day=day,
                    carrier=Carrier(carrier).label,
                    country=f"，国家/地区 {country}" if country else "",
                )
            )
    return messages
