"""Invoicing fixtures: a salesperson's customer with invoice titles, our invoicing entity, the 销管 and
财务 who approve, and reconciled bills made directly (as the reconciliation process would leave them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer, InvoiceKind, InvoiceTitle, Product
from sales_erp.org.models import InvoicingEntity, User
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance
from sales_erp.workflow.services import instance_approve
from tests.factories import CustomerFactory, ProductFactory, UserFactory, sales_team

TAX_ID = "9144030071526726XG"
COMPANY = "上海甲乙科技有限公司"


def reconciled_bill(
    *, product: Product, name: str, amount: str, invoiced: str = "0", period: date | None = None
) -> Bill:
    period = period or date(2026, 10, 1)
    return Bill.objects.create(
        name=name,
        product=product,
        customer=product.customer,
        period=period,
        bill_date=date(period.year + (period.month == 12), period.month % 12 + 1, 5),
        due_date=date(2026, 12, 5),
        count=1000,
        amount=Decimal(amount),
        invoiced_amount=Decimal(invoiced),
        status=BillStatus.RECONCILED,
        generated_at=timezone.now(),
    )


@pytest.fixture
def people(db) -> dict[str, User]:
    team = sales_team()
    team["sales_admin"] = UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    team["finance"] = UserFactory.create(username="t_finance", roles=[Role.FINANCE])
    return team


@pytest.fixture
def entity(db) -> InvoicingEntity:
    return InvoicingEntity.objects.create(name="大汉云通讯有限公司", tax_id="91320100MA1MXXXX0X", is_default=True)


@pytest.fixture
def customer(people) -> Customer:
    return CustomerFactory.create(name=COMPANY, owner=people["s1"])


@pytest.fixture
def full_title(customer) -> InvoiceTitle:
    return InvoiceTitle.objects.create(
        customer=customer,
        company_name=COMPANY,
        tax_id=TAX_ID,
        address="上海市某区某路1号",
        phone="021-00000000",
        bank="某银行上海分行",
        bank_account="6222000000000000",
    )


@pytest.fixture
def product(customer) -> Product:
    return ProductFactory.create(customer=customer)


@pytest.fixture
def bill(product) -> Bill:
    """V01–V03's bill: 1000.00, of which 400.00 is invoiced already."""
    return reconciled_bill(product=product, name="账单-2026-10-A8560", amount="1000.00", invoiced="400.00")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start_url(code: str, customer: Customer) -> str:
    return f"/desk/workflow/start/{code}/?target={customer.pk}"


def invoice_post(
    *,
    entity: InvoicingEntity,
    title: InvoiceTitle,
    lines: dict[Bill, str] | None = None,
    amounts: list[str],
    invoice_type: str = InvoiceKind.SPECIAL,
    received: str = "600.00",
    remarks: str = "",
) -> dict[str, Any]:
    """What the start page posts: one input per bill (bill_lines_<id>), 开票金额 under one name."""
    data: dict[str, Any] = {
        "entity": entity.pk,
        "title": title.pk,
        "received_amount": received,
        "invoice_amounts": amounts,
        "invoice_type": invoice_type,
        "remarks": remarks,
    }
    for bill, amount in (lines or {}).items():
        data[f"bill_lines_{bill.pk}"] = amount
    return data


def approve_all(instance: ProcessInstance, people: dict[str, User]) -> ProcessInstance:
    """销管 → 财务, the default definition's nodes."""
    instance = instance_approve(instance=instance, user=people["sales_admin"], opinion="同意")
    return instance_approve(instance=instance, user=people["finance"], opinion="已开票")
