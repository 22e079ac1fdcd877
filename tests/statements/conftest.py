"""Statement fixtures: our invoicing entity, a customer with a rare character, statement lines."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from sales_erp.org.models import InvoicingEntity
from sales_erp.statements.documents import StatementLine
from sales_erp.statements.fonts import statement_fonts_ensure

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture(scope="session", autouse=True)
def fonts_once() -> None:
    """Cut the font copy before any timed test (a fresh clone does it once, about 30 s)."""
    statement_fonts_ensure()


@pytest.fixture
def entity(db) -> InvoicingEntity:
    return InvoicingEntity.objects.create(
        name="深圳市云讯通信技术有限公司",
        tax_id="914403001922038216",
        address="深圳市南山区科技园路1号",
        phone="0755-86000000",
        bank="招商银行深圳分行",
        bank_account="755900000010001",
        is_default=True,
    )


def line(
    name: str, month: date, count: int, price: str = "0.04", *, customer: int | None = None, agreed: int | None = None
) -> StatementLine:
    unit = Decimal(price)

    def amount(n: int) -> Decimal:
        return (n * unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    agreed_count = count if agreed is None else agreed
    return StatementLine(
        bill_name=name,
        product_name="行业短信",
        period=month,
        unit_price=unit,
        our_count=count,
        our_amount=amount(count),
        customer_count=customer,
        customer_amount=None if customer is None else amount(customer),
        agreed_count=agreed_count,
        agreed_amount=amount(agreed_count),
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
