"""无账单开票流程 (manual 3.3): same nodes and fields, no bill table and no equality check, 备注 required."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp.customers.models import InvoiceKind
from sales_erp.invoicing.models import Invoice, InvoiceBill, InvoiceSource
from sales_erp.invoicing.services import REMARKS_REQUIRED
from sales_erp.workflow.models import ProcessInstance, Status
from tests.invoicing.conftest import approve_all, invoice_post, login, start_url

pytestmark = pytest.mark.django_db


def test_free_invoice_without_remarks_is_refused(people, customer, full_title, entity):
    data = invoice_post(entity=entity, title=full_title, amounts=["5000.00"], received="5000.00")
    response = login(people["s1"]).post(start_url("free_invoice", customer), data)
    assert response.status_code == 400
    assert REMARKS_REQUIRED in response.content.decode()
    assert not ProcessInstance.objects.filter(code="free_invoice").exclude(status=Status.DRAFT).exists()


def test_free_invoice_issues_an_invoice_with_no_bills(people, customer, full_title, entity):
    client = login(people["s1"])
    page = client.get(start_url("free_invoice", customer)).content.decode()
    assert "data-bill-lines" not in page and 'id="bill-total"' not in page  # no bill table
    assert "开票合计" in page and "⊕" in page and "附件" in page
    data = invoice_post(
        entity=entity,
        title=full_title,
        amounts=["3000.00", "1999.99"],
        received="5000.00",  # no equality check: received and invoiced may differ
        remarks="预付费客户已付款 5000 元，尚未产生账单",
    )
    data["attachments"] = [SimpleUploadedFile("回单.pdf", b"%PDF-1.4 bank slip")]
    response = client.post(start_url("free_invoice", customer), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    instance = ProcessInstance.objects.get(code="free_invoice")
    assert [a.name for a in instance.attachments.all()] == ["回单.pdf"]
    approve_all(instance, people)
    invoice = Invoice.objects.get()
    assert (invoice.source, invoice.amount, invoice.amounts, invoice.received_amount) == (
        InvoiceSource.FREE,
        Decimal("4999.99"),
        ["3000.00", "1999.99"],
        Decimal("5000.00"),
    )
    assert invoice.invoice_type == InvoiceKind.SPECIAL
    assert invoice.remarks == "预付费客户已付款 5000 元，尚未产生账单"
    assert not InvoiceBill.objects.exists()


def test_free_invoice_checks_the_title_too(people, customer, entity):
    from sales_erp.customers.models import InvoiceTitle

    title = InvoiceTitle.objects.create(customer=customer, company_name="上海甲乙科技有限公司", tax_id="")
    data = invoice_post(
        entity=entity, title=title, amounts=["10.00"], invoice_type=InvoiceKind.ORDINARY, remarks="已付款"
    )
    response = login(people["s1"]).post(start_url("free_invoice", customer), data)
    assert response.status_code == 400
    assert "缺少：税务号" in response.content.decode()


def test_reject_of_a_free_invoice_issues_nothing(people, customer, full_title, entity):
    from sales_erp.workflow.services import instance_reject

    data = invoice_post(entity=entity, title=full_title, amounts=["10.00"], remarks="已付款")
    assert login(people["s1"]).post(start_url("free_invoice", customer), data).status_code == 302
    instance = ProcessInstance.objects.get(code="free_invoice")
    instance_reject(instance=instance, user=people["sales_admin"], opinion="请附回单")
    assert not Invoice.objects.exists()
