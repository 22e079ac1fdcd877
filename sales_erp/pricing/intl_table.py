"""The international price table (国际调价表): one unit price per country or region, from CSV or XLSX.

Checked as a whole (DESIGN §4): every bad row is named — empty or non-numeric price, duplicate country,
unknown code — and a table with any bad row is refused entirely, so nothing of it is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sales_erp.desk.tabular import Cell, TableFileError, row_number_of, table_open
from sales_erp.pricing.countries import COUNTRIES, COUNTRY_BY_NAME
from sales_erp.pricing.money import unit_price_parse

NAME, CODE, PRICE = "国家/地区", "国家代码", "单价"
HEADER_ALIASES = {"单价(元/条)": PRICE, "单价（元/条）": PRICE, "价格": PRICE, "国家": NAME, "地区": NAME, "代码": CODE}

CODE_MISSING = "第 {row} 行: 请填写国家代码"
CODE_UNKNOWN = "第 {row} 行: 国家代码 '{code}' 不是已知的国家/地区代码（应为 ISO 两位字母代码，如 US、JP）"
NAME_CODE_MISMATCH = "第 {row} 行: 国家/地区 '{name}' 与国家代码 '{code}' 不一致（{name} 的代码是 {expected}）"
DUPLICATE = "第 {row} 行: 国家代码 {code} 与第 {first} 行重复"
NO_ROWS = "价格表没有数据行"


@dataclass(frozen=True)
class CountryPriceRow:
    country: str
    country_name: str
    price: Decimal


class PriceTableInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


def intl_price_table_parse(*, data: bytes, name: str) -> list[CountryPriceRow]:
    """The file's rows as prices, or PriceTableInvalid naming every row to fix."""
    try:
        table = table_open(data=data, name=name, required=[CODE, PRICE], aliases=HEADER_ALIASES)
    except TableFileError as exc:
        raise PriceTableInvalid([str(exc)]) from None
    name_at, code_at, price_at = table.columns.get(NAME), table.columns[CODE], table.columns[PRICE]
    errors: list[str] = []
    first_row: dict[str, int] = {}
    result: list[CountryPriceRow] = []
    for row, cells in table.rows:
        given_name = cell_text(cells, name_at).strip()
        code = cell_text(cells, code_at).strip().upper()
        raw_price = cell_text(cells, price_at)
        if not (given_name or code or raw_price.strip()):
            continue  # blank lines at the end of a sheet
        if not code and given_name in COUNTRY_BY_NAME:
            code = COUNTRY_BY_NAME[given_name]
        price = unit_price_parse(raw_price, where=f"第 {row} 行", label="单价", errors=errors)
        if not code:
            errors.append(CODE_MISSING.format(row=row))
            continue
        if code not in COUNTRIES:
            errors.append(CODE_UNKNOWN.format(row=row, code=code))
            continue
        expected = COUNTRY_BY_NAME.get(given_name)
        if expected and expected != code:
            errors.append(NAME_CODE_MISMATCH.format(row=row, name=given_name, code=code, expected=expected))
        if code in first_row:
            errors.append(DUPLICATE.format(row=row, code=code, first=first_row[code]))
            continue
        first_row[code] = row
        if price is not None:
            result.append(CountryPriceRow(code, given_name or COUNTRIES[code], price))
    if not first_row and not errors:
        errors.append(NO_ROWS)
    if errors:
        raise PriceTableInvalid(sorted(errors, key=row_number_of))
    return result


def cell_text(cells: Sequence[Cell], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    return str(cells[index])
