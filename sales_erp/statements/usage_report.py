"""The data-analysis report (数据分析报告, DESIGN §5.1): the usage behind the selected bills, per account
per day and per carrier (计费条数), with a daily trend and a carrier split — as PDF or as XLSX."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from sales_erp.billing.models import Bill
from sales_erp.customers.models import Customer
from sales_erp.statements.charts import Series, bar_chart_svg, donut_chart_svg, line_chart_svg
from sales_erp.statements.documents import money
from sales_erp.statements.fonts import MONO_STACK
from sales_erp.statements.pdf import html_to_pdf
from sales_erp.statements.selectors import CARRIER_LABELS, AccountUsage, UsageReport, usage_report_load

CARRIER_COLORS = {"mobile": "#2b7bb9", "unicom": "#e0523f", "telecom": "#3a9d5d", "": "#8a8f98"}
TOTAL_COLOR = "#333333"
BAR_COLOR = "#4f81bd"
TOP_ACCOUNTS = 20  # accounts drawn one bar each in the PDF; the rest are summed into one bar


DAY_WIDTH = 10  # 2026-10-01
COUNT_WIDTH = 11  # up to 99,999,999 with room
HALF_GAP = "   │   "


def text_width(text: str) -> int:
    """Columns in the monospaced face: hanzi and full-width signs take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(text: str, width: int, *, right: bool = True) -> str:
    pad = " " * max(0, width - text_width(text))
    return pad + text if right else text + pad


def grid_line(first: str, counts: Sequence[str], total: str) -> str:
    return cell(first, DAY_WIDTH, right=False) + "".join(cell(c, COUNT_WIDTH) for c in [*counts, total])


def grid_halves(lines: Sequence[str]) -> list[str]:
    """Lines in two halves side by side (days 1–16 beside 17–31): half the height on the page."""
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    return [left[i] + (HALF_GAP + right[i] if i < len(right) else "") for i in range(half)]


def account_grid(report: UsageReport, account: AccountUsage) -> dict[str, str]:
    """An account's days as aligned text: header, body (two halves side by side) and total line."""
    labels = [carrier_label(c) for c in report.carriers]
    header = grid_line("日期", labels, "合计")
    rows = [
        grid_line(f"{day:%Y-%m-%d}", [f"{counts.get(c):,}" for c in report.carriers], f"{counts.total:,}")
        for day, counts in sorted(account.days.items())
    ]
    halves = len(rows) > 1
    return {
        "head": header + (HALF_GAP + header if halves else ""),
        "body": "\n".join(grid_halves(rows) if halves else rows),
        "foot": grid_line("合计", [f"{account.totals.get(c):,}" for c in report.carriers], f"{account.totals.total:,}"),
    }


def carrier_label(carrier: str) -> str:
    return CARRIER_LABELS[carrier]


def report_period_text(report: UsageReport) -> str:
    return f"{report.first_day:%Y-%m-%d} 至 {report.last_day:%Y-%m-%d}"


def report_file_name_for(*, customer: Customer, bills: Sequence[Bill], extension: str) -> str:
    """数据分析报告-<customer>-202610.pdf (a span of months: 202609-202611)."""
    months = sorted({bill.period for bill in bills})
    span = f"{months[0]:%Y%m}" if len(months) == 1 else f"{months[0]:%Y%m}-{months[-1]:%Y%m}"
    return f"数据分析报告-{customer.name}-{span}.{extension}"


def _charts(report: UsageReport) -> dict[str, str]:
    days = list(report.daily)
    series = [
        Series(carrier_label(c), [report.daily[d].get(c) for d in days], CARRIER_COLORS[c]) for c in report.carriers
    ]
    if len(report.carriers) > 1:
        series.append(Series("合计", [report.daily[d].total for d in days], TOTAL_COLOR, dashed=True))
    ranked = sorted(report.accounts, key=lambda a: (-a.totals.total, a.code))
    bars = [(a.code, a.totals.total) for a in ranked[:TOP_ACCOUNTS]]
    if len(ranked) > TOP_ACCOUNTS:
        bars.append((f"其余 {len(ranked) - TOP_ACCOUNTS} 个账号", sum(a.totals.total for a in ranked[TOP_ACCOUNTS:])))
    return {
        "trend": line_chart_svg(x_labels=[f"{d:%m-%d}" for d in days], series=series),
        "carriers": donut_chart_svg(
            parts=[(carrier_label(c), report.totals.get(c), CARRIER_COLORS[c]) for c in report.carriers]
        ),
        "accounts": bar_chart_svg(items=bars, color=BAR_COLOR),
    }


def usage_report_context(report: UsageReport, *, issued_on: date) -> dict[str, Any]:
    days_with_usage = [d for d, counts in report.daily.items() if counts.total]
    peak_day = max(report.daily, key=lambda d: (report.daily[d].total, -d.toordinal()), default=None)
    return {
        "customer": report.customer,
        "period": report_period_text(report),
        "issued_on": f"{issued_on:%Y}年{issued_on:%m}月{issued_on:%d}日",
        "carriers": [carrier_label(c) for c in report.carriers],
        "bills": [
            {
                "name": bill.name,
                "product": bill.product.name,
                "month": f"{bill.period:%Y-%m}",
                "count": f"{bill.count:,}",
                "amount": money(bill.amount),
            }
            for bill in report.bills
        ],
        "total": f"{report.totals.total:,}",
        "carrier_totals": [
            {
                "label": carrier_label(c),
                "count": f"{report.totals.get(c):,}",
                "share": f"{100 * report.totals.get(c) / report.totals.total:.1f}%" if report.totals.total else "—",
            }
            for c in report.carriers
        ],
        "account_count": len(report.accounts),
        "daily_average": f"{report.totals.total // len(days_with_usage):,}" if days_with_usage else "0",
        "peak": (
            {"day": f"{peak_day:%Y-%m-%d}", "count": f"{report.daily[peak_day].total:,}"}
            if peak_day and report.daily[peak_day].total
            else None
        ),
        "charts": _charts(report),
        "accounts": [
            {
                "code": account.code,
                "product": account.product_name,
                "total": f"{account.totals.total:,}",
                "grid": account_grid(report, account),
            }
            for account in report.accounts
        ],
        "mono_stack": MONO_STACK,
        "daily": [
            {
                "day": f"{day:%Y-%m-%d}",
                "counts": [f"{counts.get(c):,}" for c in report.carriers],
                "total": f"{counts.total:,}",
            }
            for day, counts in report.daily.items()
        ],
    }


def usage_report_pdf(*, customer: Customer, bills: Sequence[Bill], issued_on: date | None = None) -> bytes:
    report = usage_report_load(customer=customer, bills=bills)
    context = usage_report_context(report, issued_on=issued_on or timezone.localdate())
    return html_to_pdf(render_to_string("statements/usage_report.html", context))


# ---------------------------------------------------------------------------------------------- XLSX
def usage_report_xlsx(*, customer: Customer, bills: Sequence[Bill]) -> bytes:
    """Four sheets: 汇总 (bills, carrier split, accounts, with a pie and a bar chart), 每日趋势 (with a line
    chart), 账号每日 (account × day, a column per carrier) and 明细 (one row per account, day, carrier).
    Counts are numbers, days are dates; every sheet's header row is frozen."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, PieChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    report = usage_report_load(customer=customer, bills=bills)
    carriers = report.carriers
    labels = [carrier_label(c) for c in carriers]
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEF1F5")
    count_format = "#,##0"

    workbook = Workbook()

    def sheet_header(sheet: Any, row: int, values: Sequence[str], widths: Sequence[int]) -> None:
        for column, (value, width) in enumerate(zip(values, widths, strict=True), start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)

    # 汇总: bills first, then carriers, then accounts — each a small table with its own header
    summary = workbook.active
    summary.title = "汇总"
    sheet_header(summary, 1, ["账单名称", "产品", "账单月份", "计费条数", "金额(元)"], [24, 18, 12, 14, 14])
    summary.freeze_panes = "A2"
    row = 2
    for bill in report.bills:
        summary.append([bill.name, bill.product.name, bill.period, bill.count, bill.amount])
        summary.cell(row=row, column=3).number_format = "yyyy-mm"
        summary.cell(row=row, column=4).number_format = count_format
        summary.cell(row=row, column=5).number_format = "#,##0.00"
        row += 1
    row += 1
    summary.cell(
        row=row, column=1, value=f"客户：{customer.name}　统计期间：{report_period_text(report)}"
    ).font = header_font
    row += 2
    carrier_top = row
    sheet_header(summary, row, ["运营商", "计费条数", "占比"], [24, 18, 12])
    for c in carriers:
        row += 1
        summary.cell(row=row, column=1, value=carrier_label(c))
        summary.cell(row=row, column=2, value=report.totals.get(c)).number_format = count_format
        share = report.totals.get(c) / report.totals.total if report.totals.total else 0
        summary.cell(row=row, column=3, value=share).number_format = "0.0%"
    row += 1
    summary.cell(row=row, column=1, value="合计").font = header_font
    summary.cell(row=row, column=2, value=report.totals.total).number_format = count_format
    if carriers:
        pie = PieChart()
        pie.title = "运营商占比"
        pie.add_data(
            Reference(summary, min_col=2, min_row=carrier_top, max_row=carrier_top + len(carriers)),
            titles_from_data=True,
        )
        pie.set_categories(Reference(summary, min_col=1, min_row=carrier_top + 1, max_row=carrier_top + len(carriers)))
        pie.dataLabels = DataLabelList()
        pie.dataLabels.showPercent = True
        pie.height, pie.width = 7, 10
        summary.add_chart(pie, "G2")
    row += 2
    account_top = row
    sheet_header(summary, row, ["账号", "产品", *labels, "合计"], [24, 18, *([12] * len(labels)), 14])
    for account in report.accounts:
        row += 1
        summary.append(
            [account.code, account.product_name, *[account.totals.get(c) for c in carriers], account.totals.total]
        )
        for column in range(3, 4 + len(carriers)):
            summary.cell(row=row, column=column).number_format = count_format
    if report.accounts:
        bar = BarChart()
        bar.type = "bar"
        bar.title = "各账号计费条数"
        bar.grouping = "stacked"
        bar.overlap = 100
        bar.add_data(
            Reference(summary, min_col=3, max_col=2 + len(carriers), min_row=account_top, max_row=row),
            titles_from_data=True,
        )
        bar.set_categories(Reference(summary, min_col=1, min_row=account_top + 1, max_row=row))
        bar.height, bar.width = max(7, 0.5 * len(report.accounts)), 16
        summary.add_chart(bar, "G18")

    # 每日趋势: one row per day of the bills' months, a column per carrier and the total
    trend = workbook.create_sheet("每日趋势")
    sheet_header(trend, 1, ["日期", *labels, "合计"], [12, *([12] * len(labels)), 14])
    trend.freeze_panes = "A2"
    for number, (day, counts) in enumerate(report.daily.items(), start=2):
        trend.append([day, *[counts.get(c) for c in carriers], counts.total])
        trend.cell(row=number, column=1).number_format = "yyyy-mm-dd"
        for column in range(2, 3 + len(carriers)):
            trend.cell(row=number, column=column).number_format = count_format
    if report.daily:
        line = LineChart()
        line.title = "每日计费条数趋势"
        line.y_axis.title = "计费条数"
        line.x_axis.number_format = "mm-dd"
        last = len(report.daily) + 1
        line.add_data(
            Reference(trend, min_col=2, max_col=2 + len(carriers), min_row=1, max_row=last), titles_from_data=True
        )
        line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=last))
        line.height, line.width = 9, 22
        trend.add_chart(line, get_column_letter(len(carriers) + 4) + "2")

    # 账号每日: account × day
    per_day = workbook.create_sheet("账号每日")
    sheet_header(per_day, 1, ["账号", "产品", "日期", *labels, "合计"], [16, 18, 12, *([12] * len(labels)), 14])
    per_day.freeze_panes = "A2"
    number = 1
    for account in report.accounts:
        for day, counts in sorted(account.days.items()):
            number += 1
            per_day.append([account.code, account.product_name, day, *[counts.get(c) for c in carriers], counts.total])
            per_day.cell(row=number, column=3).number_format = "yyyy-mm-dd"
            for column in range(4, 5 + len(carriers)):
                per_day.cell(row=number, column=column).number_format = count_format
    per_day.auto_filter.ref = f"A1:{get_column_letter(4 + len(carriers))}{max(number, 1)}"

    # 明细: the grouped usage rows themselves
    detail = workbook.create_sheet("明细")
    sheet_header(
        detail, 1, ["账号", "产品", "日期", "运营商", "提交条数", "成功条数", "计费条数"], [16, 18, 12, 10, 12, 12, 12]
    )
    detail.freeze_panes = "A2"
    for number, item in enumerate(report.details, start=2):
        detail.append(
            [
                item.account_code,
                item.product_name,
                item.day,
                carrier_label(item.carrier),
                item.submitted,
                item.succeeded,
                item.billable,
            ]
        )
        detail.cell(row=number, column=3).number_format = "yyyy-mm-dd"
    detail.auto_filter.ref = f"A1:G{len(report.details) + 1}"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
