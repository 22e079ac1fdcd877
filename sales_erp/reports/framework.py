"""The report framework (DESIGN §10): a report is a `Report` subclass with a filter form, a selector that
gives its rows (dicts, aggregated in SQL and scoped to the user), its columns and perhaps a totals row.
The desk page (views.ReportView) shows a page of rows; `?format=xlsx|csv` exports every row.

Exports: XLSX with real numbers and dates (number formats per column type), Chinese headers, the header
row frozen and column widths set; CSV in UTF-8 with a BOM so that Excel opens it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

from django import forms
from django.http import HttpResponse

from sales_erp.org.models import User

TEXT, INT, MONEY, DATE, MONTH, PERCENT = "text", "int", "money", "date", "month", "percent"
NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0.00", DATE: "yyyy-mm-dd", MONTH: "yyyy-mm", PERCENT: "0.00%"}
CENT = Decimal("0.01")
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese, as in the manual
    kind: str = TEXT
    width: int = 0  # XLSX column width in characters; 0: from the header and type

    def xlsx_width(self) -> int:
        if self.width:
            return self.width
        return max(len(self.header) * 2 + 2, {TEXT: 16, MONEY: 14, DATE: 12, MONTH: 10}.get(self.kind, 10))

    def text(self, value: Any) -> str:
        """The value as the page and the CSV show it."""
        if value is None or value == "":
            return ""
        if self.kind == MONEY:
            return f"{Decimal(value).quantize(CENT):,.2f}"
        if self.kind == INT:
            return f"{int(value):,}"
        if self.kind == PERCENT:
            return f"{Decimal(value) * 100:.2f}%"
        if self.kind == MONTH and isinstance(value, date):
            return f"{value:%Y-%m}"
        if self.kind == DATE and isinstance(value, date):
            return f"{value:%Y-%m-%d}"
        return str(value)

    def csv_text(self, value: Any) -> str:
        """CSV keeps numbers plain (no thousands separator) so a spreadsheet reads them as numbers; a text
        that a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe."""
        if self.kind == TEXT and isinstance(value, str) and value[:1] in FORMULA_STARTS:
            return "'" + value
        if self.kind == MONEY and value not in (None, ""):
            return f"{Decimal(value).quantize(CENT)}"
        if self.kind == INT and value not in (None, ""):
            return str(int(value))
        return self.text(value)


def cents(value: Any) -> Decimal:
    """A sum as the database gives it (SQLite may give a float-ish Decimal) to exactly 2 places."""
    return Decimal(str(value or 0)).quantize(CENT)


class Report:
    """Subclass and fill in: code, title, permission, columns, form_class, rows(); totals() if it has any."""

    code: ClassVar[str]
    title: ClassVar[str]
    permission: ClassVar[str]  # who may see it: a permission the roles get in org/roles.py
    icon: ClassVar[str] = "table_chart"
    description: ClassVar[str] = ""
    columns: ClassVar[list[Column]]
    form_class: ClassVar[type[forms.Form]]
    per_page: ClassVar[int] = 50

    def __init__(self, *, user: User, data: Any) -> None:
        self.user = user
        self.form = self.form_class(data or None, user=user)  # type: ignore[call-arg]
        self.params: dict[str, Any] = self.form.cleaned_data if self.form.is_valid() else self.defaults()

    def defaults(self) -> dict[str, Any]:
        """The filters when none (or invalid ones) are given: every field's initial value."""
        return {name: field.initial for name, field in self.form.fields.items()}

    def allowed(self) -> bool:
        return self.user.has_perm(self.permission)

    def rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        return None

    def sum_totals(self, rows: list[dict[str, Any]], label_key: str, label: str = "合计") -> dict[str, Any]:
        """A totals row: the sum of every int and money column, `label` in `label_key`."""
        total: dict[str, Any] = {label_key: label}
        for column in self.columns:
            if column.kind == MONEY:
                total[column.key] = sum((Decimal(r.get(column.key) or 0) for r in rows), Decimal(0))
            elif column.kind == INT:
                total[column.key] = sum(int(r.get(column.key) or 0) for r in rows)
        return total

    # ---------------------------------------------------------------------------------------- exports
    def filename(self, extension: str) -> str:
        return f"{self.title}.{extension}"

    def xlsx(self) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        rows = self.rows()
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = self.title[:31]
        sheet.append([c.header for c in self.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        totals = self.totals(rows)
        for row in [*rows, *([totals] if totals else [])]:
            sheet.append([xlsx_value(c, row.get(c.key)) for c in self.columns])
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.xlsx_width()
            if column.kind == TEXT:  # a payer named "=…" is text, never a formula
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if cell.data_type == "f":
                        cell.data_type = "s"
            if column.kind in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = NUMBER_FORMATS[column.kind]
        if totals:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        return attachment(
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            self.filename("xlsx"),
        )

    def csv(self) -> HttpResponse:
        rows = self.rows()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.header for c in self.columns])
        totals = self.totals(rows)
        for row in [*rows, *([totals] if totals else [])]:
            writer.writerow([c.csv_text(row.get(c.key)) for c in self.columns])
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        return attachment(content, "text/csv; charset=utf-8", self.filename("csv"))


def xlsx_value(column: Column, value: Any) -> Any:
    """A real number or date for the cell: money as a number with 2 decimals, counts as ints."""
    if value is None or value == "":
        return None
    if column.kind == MONEY:
        return float(Decimal(value).quantize(CENT))  # openpyxl writes floats; 2 places survive a double
    if column.kind == INT:
        return int(value)
    if column.kind == PERCENT:
        return float(value)
    return value


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ------------------------------------------------------------------------------------------- forms
MONTH_WIDGET = forms.TextInput(attrs={"type": "month"})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
INPUT_CLASS = "border border-base-200 rounded-default px-2 py-1 dark:border-base-700 dark:bg-base-900"


class MonthField(forms.CharField):
    """A month as <input type=month> sends it ("2026-08"), cleaned to the month's first day."""

    widget = MONTH_WIDGET

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(p) for p in text.split("-")[:2])
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(f"月份格式应为 2026-08，收到 {text}") from None


class ReportForm(forms.Form):
    """Filters; `user` lets a form offer only choices the user may see (e.g. the salespeople)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", INPUT_CLASS)
