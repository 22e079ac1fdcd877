"""Reconciled bills and matched deposits for the write-off tests (made directly, as the import would)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer, Product
from sales_erp.deposits.models import Deposit, DepositStatus


def month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def bill_make(
    *, product: Product, period: str, bill_date: date, amount: str, status: str = BillStatus.RECONCILED
) -> Bill:
    """A bill of `period` ("2026-08") for the product, due a payment term after its bill date."""
    year, month = (int(p) for p in period.split("-"))
    return Bill.objects.create(
        name=f"账单-{period}-{product.code}",
        product=product,
        customer=product.customer,
        period=date(year, month, 1),
        bill_date=bill_date,
        due_date=month_add(bill_date, product.payment_term_months),
        amount=Decimal(amount),
        status=status,
        generated_at=timezone.now(),
    )


def deposit_make(*, customer: Customer | None, received_on: date, amount: str, payer: str = "") -> Deposit:
    """A deposit matched to the customer (salesperson = its owner), its whole amount available."""
    return Deposit.objects.create(
        received_on=received_on,
        payer=payer or (customer.name if customer else "某公司"),
        amount=Decimal(amount),
        available=Decimal(amount),
        customer=customer,
        salesperson=customer.owner if customer else None,
        status=DepositStatus.MATCHED if customer else DepositStatus.UNMATCHED,
        match_reason="客户名称一致" if customer else "",
    )
