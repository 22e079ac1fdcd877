"""BENCH statement_pdf_30_bills, usage_report_pdf/xlsx_20x31x3: the reconciliation's documents.

    DB_ENGINE=sqlite  .venv/bin/python -m bench.statements
    DB_ENGINE=mariadb .venv/bin/python -m bench.statements

The electronic statement of 30 bills (target 2 s) and the data-analysis report of a customer with
20 accounts × 31 days × 3 carriers (1,860 usage rows, 4 bills) as PDF and as XLSX (target 10 s each).
Floor: a one-line PDF with the same fonts, the fixed cost of WeasyPrint on this machine.
The font copies are cut before anything is timed (once per checkout, in var/fonts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench import harness


def timed(work: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds: on a shared machine the CPU figure is the one that is ours alone."""
    started, started_cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    from django.db import connection

    from sales_erp.org.models import InvoicingEntity
    from sales_erp.statements.documents import statement_pdf
    from sales_erp.statements.fonts import statement_fonts_ensure
    from sales_erp.statements.pdf import html_to_pdf
    from sales_erp.statements.usage_report import usage_report_pdf, usage_report_xlsx
    from tests.statements.conftest import line
    from tests.statements.factories import usage_customer

    statement_fonts_ensure()
    entity = InvoicingEntity.objects.create(name="基准开票公司", tax_id="914403001922038216", is_default=True)
    customer, bills, records = usage_customer()
    lines = [
        line(f"账单-2026-{9 + n % 3:02d}-S{n:04d}", date(2026, 9 + n % 3, 1), 1000 * n + 7, "0.034567", customer=n)
        for n in range(30)
    ]
    html_to_pdf("<p>预热</p>")  # imports and the font set-up, once per process
    floor = timed(lambda: html_to_pdf("<p>对账单</p>"))
    statement = timed(lambda: statement_pdf(entity=entity, customer=customer, lines=lines))
    report_pdf = timed(lambda: usage_report_pdf(customer=customer, bills=bills))
    report_xlsx = timed(lambda: usage_report_xlsx(customer=customer, bills=bills))

    print(f"# {connection.vendor}: 30 statement lines; report of {len(records):,} usage rows, {len(bills)} bills")
    harness.report("pdf_floor_one_line", floor[0], "s", "floor")
    for name, (wall, cpu), target in [
        ("statement_pdf_30_bills", statement, 2),
        ("usage_report_pdf_20x31x3", report_pdf, 10),
        ("usage_report_xlsx_20x31x3", report_xlsx, 10),
    ]:
        harness.report(name, wall, "s", f"≤ {target} s")
        harness.report(f"{name}_cpu", cpu, "s", f"≤ {target} s")


if __name__ == "__main__":
    with harness.throwaway_database():
        main()
