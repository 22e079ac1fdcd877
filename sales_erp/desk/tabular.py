"""Reading the spreadsheets people bring (CSV or XLSX) as rows of cells, whatever the encoding.

Chinese exports arrive as UTF-8, UTF-8 with BOM or GBK, and some put title lines above the header: the
header is the first row (of the first 20) that holds every required column. Row numbers are the ones a
user sees in Excel (1-based, header included), so an error message can point at the row.
Used by every import: usage, international price tables, bank statements.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

NOT_A_TABLE = "文件 '{name}' 不是 CSV 或 XLSX 表格：请另存为 CSV（UTF-8 或 GBK 编码）或 XLSX 后再上传"
OLD_EXCEL = "文件 '{name}' 是旧版 Excel（.xls）：请另存为 XLSX 或 CSV 后再上传"
UNREADABLE_ENCODING = "文件 '{name}' 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX"
EMPTY_FILE = "文件 '{name}' 是空的"
HEADER_NOT_FOUND = "文件 '{name}' 的前 {lines} 行中找不到表头：需要列 {columns}"
HEADER_SCAN_ROWS = 20

Cell = Any  # str from CSV; str, int, float, datetime or None from XLSX


class TableFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Table:
    header_row: int
    columns: dict[str, int]  # each found column name → its index in a row
    rows: Iterator[tuple[int, Sequence[Cell]]]  # (row number, cells) after the header


def text_decode(data: bytes, *, name: str) -> str:
    # A BOM or valid UTF-8 first: a GBK file is almost never valid UTF-8, the reverse often is.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError(UNREADABLE_ENCODING.format(name=name))


def rows_read(*, data: bytes, name: str) -> Iterator[tuple[int, Sequence[Cell]]]:
    lowered = name.lower()
    if lowered.endswith(".xls") and not data.startswith(b"PK"):
        raise TableFileError(OLD_EXCEL.format(name=name))
    if data.startswith(b"PK\x03\x04"):
        return xlsx_rows(data=data, name=name)
    if not data.strip():
        raise TableFileError(EMPTY_FILE.format(name=name))
    if b"\x00" in data[:4096]:
        raise TableFileError(NOT_A_TABLE.format(name=name))
    text = text_decode(data, name=name)
    return enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def xlsx_rows(*, data: bytes, name: str) -> Iterator[tuple[int, Sequence[Cell]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise TableFileError(NOT_A_TABLE.format(name=name)) from None
    sheet = book.worksheets[0]
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def table_open(*, data: bytes, name: str, required: Sequence[str], aliases: dict[str, str] | None = None) -> Table:
    """The file's rows after its header; `aliases` maps other spellings of a column to its name."""
    aliases = aliases or {}
    rows = rows_read(data=data, name=name)
    for number, cells in rows:
        if number > HEADER_SCAN_ROWS:
            break
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            label = "" if cell is None else str(cell).strip()
            label = aliases.get(label, label)
            if label and label not in columns:
                columns[label] = index
        if all(column in columns for column in required):
            return Table(header_row=number, columns=columns, rows=rows)
    raise TableFileError(HEADER_NOT_FOUND.format(name=name, lines=HEADER_SCAN_ROWS, columns="、".join(required)))


def row_number_of(message: str) -> int:
    """The row a "第 7 行: …" message is about (0 for a message about the whole file), to list errors in
    row order whatever check found them."""
    digits = message.removeprefix("第 ").split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0
