"""发票登记簿: the desk list of issued invoices — filters, export (CSV/XLSX), visibility (404 for another
salesperson's invoice) — and a bill's cycle (written off and, where the customer needs invoices, invoiced)
shown on the bill page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from openpyxl import load_workbook

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import InvoiceKind, InvoiceTitle
from sales_erp.invoicing.models import Invoice
from sales_erp.invoicing.selectors import bill_cycle_complete, bill_cycle_label
from sales_erp.org.roles import Role
from sales_erp.workflow.services import instance_start
from tests.factories import CustomerFactory, UserFactory
from tests.invoicing.conftest import approve_all, login, reconciled_bill

pytestmark = pytest.mark.django_db

LIST = "/desk/invoicing/invoice/"


def issue(people, customer, entity, *, amount: str, kind: str = InvoiceKind.ORDINARY, user=None) -> Invoice:
    title = customer.invoice_titles.first() or InvoiceTitle.objects.create(
        customer=customer, company_name=customer.name, tax_id="9144030071526726XG"
    )
    instance = instance_start(
        code="free_invoice",
        initiator=user or customer.owner,
        target=customer,
        form_data={
            "entity": entity.pk,
            "title": title.pk,
            "received_amount": amount,
            "invoice_amounts": [amount],
            "invoice_type": kind,
        },
        remarks="已付款",
    )
    approve_all(instance, people)
    return Invoice.objects.get(process=instance)


@pytest.fixture
def register(people, customer, entity):
    theirs = CustomerFactory.create(name="李娜的秘密客户有限公司", owner=people["s2"])
    mine = issue(people, customer, entity, amount="100.00")
    InvoiceTitle.objects.filter(customer=customer).update(
        address="上海", phone="021-00000000", bank="某银行", bank_account="6222"
    )
    special = issue(people, customer, entity, amount="200.00", kind=InvoiceKind.SPECIAL)
    hidden = issue(people, theirs, entity, amount="300.00")
    return {"mine": mine, "special": special, "hidden": hidden}


def test_sales_see_only_their_customers_invoices_and_404_for_others(people, register):
    client = login(people["s1"])
    page = client.get(LIST)
    assert page.status_code == 200
    assert sorted(i.amount for i in page.context["cl"].result_list) == [Decimal("100.00"), Decimal("200.00")]
    assert client.get(f"{LIST}{register['hidden'].pk}/change/").status_code == 404
    assert client.get(f"{LIST}{register['hidden'].pk}/history/").status_code == 404
    assert client.get(f"{LIST}{register['mine'].pk}/change/").status_code == 200


def test_finance_sees_every_invoice_and_filters(people, register, entity, customer):
    client = login(people["finance"])
    assert client.get(LIST).context["cl"].result_count == 3
    by_type = client.get(LIST, {"invoice_type__exact": InvoiceKind.SPECIAL}).context["cl"].result_list
    assert [i.pk for i in by_type] == [register["special"].pk]
    by_customer = client.get(LIST, {"customer__id__exact": customer.pk}).context["cl"].result_count
    assert by_customer == 2
    by_entity = client.get(LIST, {"entity__id__exact": entity.pk}).context["cl"].result_count
    assert by_entity == 3
    today = date.today().isoformat()
    in_range = client.get(LIST, {"issued_on_from": today, "issued_on_to": today}).context["cl"].result_count
    assert in_range == 3
    before = client.get(LIST, {"issued_on_to": "2020-01-01"}).context["cl"].result_count
    assert before == 0


def test_export_csv_and_xlsx_leave_out_hidden_invoices(people, register):
    client = login(people["s1"])
    csv = client.post(f"{LIST}export/", {"format": "0", "resource": "0"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "发票编号" in text and "开票合计(元)" in text
    assert register["mine"].number in text and register["hidden"].number not in text
    formats = [f().get_title() for f in admin.site._registry[Invoice].get_export_formats()]  # type: ignore[attr-defined]
    xlsx_index = str(formats.index("xlsx"))
    xlsx = client.post(f"{LIST}export/", {"format": xlsx_index, "resource": "0"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted([register["mine"].number, register["special"].number])


def test_the_menu_has_the_register(people):
    html = login(people["s1"]).get("/desk/").content.decode()
    assert "发票登记簿" in html and "预付余额" in html


# --------------------------------------------------------------------------------------------- bill cycle
@pytest.mark.parametrize(
    ("needs_invoice", "written_off", "invoiced", "complete"),
    [
        (True, "1000.00", "1000.00", True),
        (True, "1000.00", "999.99", False),
        (True, "999.99", "1000.00", False),
        (False, "1000.00", "0.00", True),
        (False, "0.00", "1000.00", False),
    ],
)
def test_bill_cycle_complete(customer, product, needs_invoice, written_off, invoiced, complete):
    customer.needs_invoice = needs_invoice
    customer.save(update_fields=["needs_invoice"])
    bill = reconciled_bill(product=product, name="账单-2026-10-X", amount="1000.00", invoiced=invoiced)
    bill.written_off_amount = Decimal(written_off)
    assert bill_cycle_complete(bill) is complete


def test_an_unreconciled_bill_is_never_complete(product):
    bill = reconciled_bill(product=product, name="账单-2026-10-X", amount="0.00")
    bill.status = BillStatus.ISSUED
    assert bill_cycle_complete(bill) is False
    assert bill_cycle_label(bill) == "未完成：未对账"


def test_the_bill_page_shows_its_cycle_and_invoices(people, customer, full_title, entity, bill):
    from tests.invoicing.conftest import invoice_post, start_url

    client = login(people["s1"])
    html = client.get(f"/desk/billing/bill/{bill.pk}/change/").content.decode()
    assert "账单周期" in html and "未完成：未销账 1000.00 元，未开票 600.00 元" in html
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["600.00"])
    client.post(start_url("bill_invoice", customer), data)
    from sales_erp.workflow.models import ProcessInstance

    approve_all(ProcessInstance.objects.get(code="bill_invoice"), people)
    Bill.objects.filter(pk=bill.pk).update(written_off_amount=Decimal("1000.00"))
    html = client.get(f"/desk/billing/bill/{bill.pk}/change/").content.decode()
    invoice = Invoice.objects.get()
    assert "已完成" in html and str(invoice.number) in html and "开票 600.00 元" in html


def test_customer_page_shows_the_invoice_panel(people, customer, full_title, entity, bill):
    html = login(people["s1"]).get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "可开票账单 1 张，可开金额 600.00 元" in html
    assert f"/desk/workflow/start/bill_invoice/?target={customer.pk}" in html


def test_other_roles_without_the_customer(people, register):
    outsider = UserFactory.create(username="t_other_sales", roles=[Role.SALES])
    assert login(outsider).get(LIST).context["cl"].result_count == 0
