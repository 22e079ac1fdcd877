"""A bill named twice in one invoice's bill table (possible through the API, whose form data is the
stored list) must be checked on its sum: 已开票 never above the bill's amount."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sales_erp.customers.models import InvoiceKind
from sales_erp.invoicing.models import InvoiceReservation
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_start

pytestmark = pytest.mark.django_db


def test_the_same_bill_twice_is_refused_and_nothing_is_reserved(people, customer, full_title, entity, bill):
    form_data = {
        "entity": entity.pk,
        "title": full_title.pk,
        "received_amount": "0.00",
        "invoice_type": InvoiceKind.SPECIAL,
        "invoice_amounts": ["1200.00"],
        "bill_lines": [{"bill": bill.pk, "amount": "600.00"}, {"bill": bill.pk, "amount": "600.00"}],
    }
    with pytest.raises(ProcessRefused) as refused:
        instance_start(code="bill_invoice", initiator=people["s1"], form_data=form_data, target=customer)
    assert "账单-2026-10-A8560" in refused.value.message and "重复" in refused.value.message
    assert not InvoiceReservation.objects.exists()
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("400.00")


def test_the_same_bill_twice_through_the_api_is_a_400(people, customer, full_title, entity, bill):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=people['s1'])[0].key}")
    body = {
        "code": "bill_invoice",
        "target": customer.pk,
        "form_data": {
            "entity": entity.pk,
            "title": full_title.pk,
            "received_amount": "0.00",
            "invoice_type": InvoiceKind.SPECIAL,
            "invoice_amounts": ["1200.00"],
            "bill_lines": [{"bill": bill.pk, "amount": "600.00"}, {"bill": bill.pk, "amount": "600.00"}],
        },
    }
    response = client.post("/api/processes/", body, format="json")
    assert response.status_code == 400, response.content.decode()[:1000]
    assert not InvoiceReservation.objects.exists()
