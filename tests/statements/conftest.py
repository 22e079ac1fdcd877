"""Statement fixtures: our invoicing entity, a customer with a rare character, statement lines."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
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


def usage_customer(
    *,
    accounts: int = 20,
    products: int = 4,
    months: tuple[date, ...] = (date(2026, 10, 1),),
    carriers: tuple[str, ...] = ("mobile", "unicom", "telecom"),
    name: str = "杭州𡃁子数据科技有限公司",
    seed: int = 7,
):
    """A customer with `products` products sharing `accounts` accounts, each carrier's usage on every day
    of `months`, and one issued bill per product and month: at the defaults, the data-analysis report's
    full-size case (20 accounts × 31 days × 3 carriers)."""
    import random

    from django.utils import timezone

    from sales_erp.billing.models import Bill, UsageRecord
    from sales_erp.billing.rating import month_end
    from tests.factories import AccountFactory, CustomerFactory, ProductFactory

    rng = random.Random(seed)
    customer = CustomerFactory.create(name=name)
    made = [ProductFactory.create(customer=customer, name=f"行业短信{n + 1}") for n in range(products)]
    records: list[UsageRecord] = []
    product_of: dict[str, int] = {}
    for n in range(accounts):
        account = AccountFactory.create(product=made[n % products])
        product_of[account.code] = account.product_id
        for month in months:
            day = month
            while day <= month_end(month):
                for carrier in carriers:
                    billable = rng.randint(0, 5000)
                    records.append(
                        UsageRecord(
                            account_code=account.code,
                            account=account,
                            day=day,
                            month=month,
                            carrier=carrier,
                            submitted=billable + 10,
                            succeeded=billable + 5,
                            billable=billable,
                        )
                    )
                day = date.fromordinal(day.toordinal() + 1)
    UsageRecord.objects.bulk_create(records, batch_size=300)
    bills = []
    for product in made:
        for month in months:
            count = sum(r.billable for r in records if product_of[r.account_code] == product.pk and r.month == month)
            bills.append(
                Bill.objects.create(
                    name=f"账单-{month:%Y-%m}-{product.code}",
                    product=product,
                    customer=customer,
                    period=month,
                    bill_date=month_end(month) + timedelta(days=5),
                    due_date=month_end(month) + timedelta(days=35),
                    count=count,
                    amount=(Decimal(count) * Decimal("0.04")).quantize(Decimal("0.01")),
                    generated_at=timezone.now(),
                )
            )
    return customer, bills, records
