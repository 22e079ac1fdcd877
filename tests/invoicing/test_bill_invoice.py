"""账单开票流程 (manual 3.2, DESIGN §5.2) through the start page a salesperson uses, then the approvals:
the bill table's 可开金额, the equality of the two totals, title completeness per invoice type, partial
invoicing, the reservation while the process runs, and exactly what archive, reject and withdraw leave."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill
from sales_erp.customers.models import InvoiceKind, InvoiceTitle
from sales_erp.invoicing.models import Invoice, InvoiceBill, InvoiceReservation, InvoiceSource
from sales_erp.invoicing.selectors import bills_invoiceable
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_reject, instance_resubmit, instance_withdraw
from tests.invoicing.conftest import COMPANY, TAX_ID, approve_all, invoice_post, login, reconciled_bill, start_url

pytestmark = pytest.mark.django_db


def available(bill: Bill) -> Decimal:
    return {row.pk: row.available for row in bills_invoiceable(customer=bill.customer)}.get(bill.pk, Decimal("0.00"))


def started(response) -> ProcessInstance:
    assert response.status_code == 302, response.content.decode()[:3000]
    return ProcessInstance.objects.get(code="bill_invoice", status=Status.RUNNING)


def nothing_kept(bill: Bill, invoiced: str = "400.00") -> None:
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal(invoiced)
    assert not ProcessInstance.objects.filter(code="bill_invoice").exclude(status=Status.DRAFT).exists()
    assert not InvoiceReservation.objects.exists()
    assert not Invoice.objects.exists()


def test_V01_partial_invoice_two_invoice_amounts_totals_equal(people, customer, full_title, entity, bill):
    client = login(people["s1"])
    page = client.get(start_url("bill_invoice", customer))
    assert page.status_code == 200
    html = page.content.decode()
    assert "账单-2026-10-A8560" in html and "1000.00" in html and "600.00" in html  # 应开, 可开
    assert available(bill) == Decimal("600.00")

    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["300.00", "300.00"])
    instance = started(client.post(start_url("bill_invoice", customer), data))
    assert instance.form_data["bill_lines"] == [{"bill": bill.pk, "name": "账单-2026-10-A8560", "amount": "600.00"}]
    assert instance.form_data["invoice_amounts"] == ["300.00", "300.00"]
    assert list(InvoiceReservation.objects.values_list("bill_id", "amount")) == [(bill.pk, Decimal("600.00"))]
    assert available(bill) == Decimal("0.00")

    instance = approve_all(instance, people)
    assert instance.status == Status.ARCHIVED
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("1000.00")
    assert not InvoiceReservation.objects.exists()
    invoice = Invoice.objects.get()
    assert invoice.number == f"KP-{invoice.issued_on:%Y}-{invoice.pk:06d}"
    assert invoice.source == InvoiceSource.BILL
    assert (invoice.amount, invoice.amounts, invoice.received_amount) == (
        Decimal("600.00"),
        ["300.00", "300.00"],
        Decimal("600.00"),
    )
    assert (invoice.entity, invoice.invoice_type, invoice.customer) == (entity, InvoiceKind.SPECIAL, customer)
    assert (invoice.title_company_name, invoice.title_tax_id, invoice.title_bank_account) == (
        COMPANY,
        TAX_ID,
        "6222000000000000",
    )
    assert list(InvoiceBill.objects.values_list("bill_id", "amount")) == [(bill.pk, Decimal("600.00"))]
    assert bills_invoiceable(customer=customer) == []  # wholly invoiced: gone from the table


def test_V02_totals_differ_by_one_cent_refused_naming_both(people, customer, full_title, entity, bill):
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["300.00", "299.99"])
    response = login(people["s1"]).post(start_url("bill_invoice", customer), data)
    assert response.status_code == 400
    assert "账单合计 600.00 元与开票合计 599.99 元不一致" in response.content.decode()
    nothing_kept(bill)


def test_V03_more_than_the_invoiceable_amount_refused(people, customer, full_title, entity, bill):
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.01"}, amounts=["600.01"])
    response = login(people["s1"]).post(start_url("bill_invoice", customer), data)
    assert response.status_code == 400
    assert "账单-2026-10-A8560: 本次开票 600.01 元超过可开金额 600.00 元" in response.content.decode()
    nothing_kept(bill)


def test_V04_special_invoice_with_incomplete_title_names_the_missing_field(people, customer, entity, bill):
    title = InvoiceTitle.objects.create(
        customer=customer,
        company_name=COMPANY,
        tax_id=TAX_ID,
        address="上海市某区某路1号",
        phone="021-00000000",
        bank="某银行上海分行",
        bank_account="",
    )
    data = invoice_post(entity=entity, title=title, lines={bill: "600.00"}, amounts=["600.00"])
    response = login(people["s1"]).post(start_url("bill_invoice", customer), data)
    assert response.status_code == 400
    assert "增值税专用发票(专票)需要完整的开票信息，缺少：银行账号" in response.content.decode()
    nothing_kept(bill)


def test_V05_ordinary_invoice_needs_only_name_and_tax_id(people, customer, entity, bill):
    title = InvoiceTitle.objects.create(customer=customer, company_name=COMPANY, tax_id=TAX_ID)
    data = invoice_post(
        entity=entity, title=title, lines={bill: "600.00"}, amounts=["600.00"], invoice_type=InvoiceKind.ORDINARY
    )
    instance = started(login(people["s1"]).post(start_url("bill_invoice", customer), data))
    approve_all(instance, people)
    invoice = Invoice.objects.get()
    assert (invoice.invoice_type, invoice.title_company_name, invoice.title_bank_account) == (
        InvoiceKind.ORDINARY,
        COMPANY,
        "",
    )


def test_partial_invoicing_twice_then_nothing_left(people, customer, full_title, entity, product):
    bill = reconciled_bill(product=product, name="账单-2026-09-A8560", amount="1000.00")
    client = login(people["s1"])
    first = invoice_post(entity=entity, title=full_title, lines={bill: "250.00"}, amounts=["250.00"])
    approve_all(started(client.post(start_url("bill_invoice", customer), first)), people)
    bill.refresh_from_db()
    assert (bill.invoiced_amount, available(bill)) == (Decimal("250.00"), Decimal("750.00"))
    second = invoice_post(entity=entity, title=full_title, lines={bill: "750.00"}, amounts=["500.00", "250.00"])
    approve_all(started(client.post(start_url("bill_invoice", customer), second)), people)
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("1000.00")
    assert sorted(InvoiceBill.objects.values_list("amount", flat=True)) == [Decimal("250.00"), Decimal("750.00")]


def test_several_bills_in_one_invoice(people, customer, full_title, entity, product, bill):
    other = reconciled_bill(
        product=product, name="账单-2026-09-A8560", amount="88.80", period=bill.period.replace(month=9)
    )
    data = invoice_post(
        entity=entity, title=full_title, lines={bill: "100.00", other: "88.80"}, amounts=["150.00", "38.80"]
    )
    instance = started(login(people["s1"]).post(start_url("bill_invoice", customer), data))
    approve_all(instance, people)
    bill.refresh_from_db()
    other.refresh_from_db()
    assert (bill.invoiced_amount, other.invoiced_amount) == (Decimal("500.00"), Decimal("88.80"))
    assert Invoice.objects.get().amount == Decimal("188.80")


def test_a_running_invoice_reserves_its_amount_from_a_second(people, customer, full_title, entity, bill):
    client = login(people["s1"])
    first = invoice_post(entity=entity, title=full_title, lines={bill: "500.00"}, amounts=["500.00"])
    started(client.post(start_url("bill_invoice", customer), first))
    assert available(bill) == Decimal("100.00")
    second = invoice_post(entity=entity, title=full_title, lines={bill: "100.01"}, amounts=["100.01"])
    response = client.post(start_url("bill_invoice", customer), second)
    assert response.status_code == 400
    assert "本次开票 100.01 元超过可开金额 100.00 元" in response.content.decode()
    assert ProcessInstance.objects.filter(code="bill_invoice", status=Status.RUNNING).count() == 1
    ok = invoice_post(entity=entity, title=full_title, lines={bill: "100.00"}, amounts=["100.00"])
    assert client.post(start_url("bill_invoice", customer), ok).status_code == 302
    assert available(bill) == Decimal("0.00")


def test_reject_releases_the_reservation_exactly_and_resubmit_takes_it_again(
    people, customer, full_title, entity, bill
):
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["600.00"])
    instance = started(login(people["s1"]).post(start_url("bill_invoice", customer), data))
    instance = instance_reject(instance=instance, user=people["sales_admin"], opinion="金额有误")
    assert instance.status == Status.REJECTED
    assert not InvoiceReservation.objects.exists()
    assert available(bill) == Decimal("600.00")
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("400.00")
    assert not Invoice.objects.exists()
    edited = dict(instance.form_data, bill_lines=[{"bill": bill.pk, "amount": "200.00"}], invoice_amounts=["200.00"])
    instance = instance_resubmit(instance=instance, user=people["s1"], form_data=edited)
    assert list(InvoiceReservation.objects.values_list("amount", flat=True)) == [Decimal("200.00")]
    assert available(bill) == Decimal("400.00")
    approve_all(instance, people)
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("600.00")


def test_withdraw_releases_the_reservation_and_issues_nothing(people, customer, full_title, entity, bill):
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["600.00"])
    instance = started(login(people["s1"]).post(start_url("bill_invoice", customer), data))
    from sales_erp.workflow.services import instance_approve

    instance = instance_approve(instance=instance, user=people["sales_admin"])  # now at 财务
    instance_withdraw(instance=instance, user=people["s1"], opinion="客户改期")
    assert not InvoiceReservation.objects.exists()
    assert available(bill) == Decimal("600.00")
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("400.00")
    assert not Invoice.objects.exists()


def test_only_reconciled_bills_are_offered_and_accepted(people, customer, full_title, entity, product, bill):
    from sales_erp.billing.models import BillStatus

    open_bill = reconciled_bill(
        product=product, name="账单-2026-08-A8560", amount="50.00", period=bill.period.replace(month=8)
    )
    Bill.objects.filter(pk=open_bill.pk).update(status=BillStatus.ISSUED)
    assert [row.pk for row in bills_invoiceable(customer=customer)] == [bill.pk]
    data = invoice_post(entity=entity, title=full_title, lines={open_bill: "50.00"}, amounts=["50.00"])
    response = login(people["s1"]).post(start_url("bill_invoice", customer), data)
    assert response.status_code == 400
    assert f"账单 #{open_bill.pk} 不是该客户可开票的账单" in response.content.decode()


def test_amount_inputs_refuse_paste(people, customer, full_title, entity, bill):
    html = login(people["s1"]).get(start_url("bill_invoice", customer)).content.decode()
    assert f'name="bill_lines_{bill.pk}"' in html
    for name in (f"bill_lines_{bill.pk}", "invoice_amounts", "received_amount"):
        tag = html[html.index(f'name="{name}"') - 300 : html.index(f'name="{name}"') + 300]
        assert 'data-no-paste="1"' in tag, name
    assert 'form.addEventListener("paste", refuse, true)' in html
    assert "e.preventDefault()" in html
    assert "⊕" in html and 'id="bill-total"' in html and 'id="invoice-total"' in html


def test_the_server_checks_amounts_whatever_the_page_did(people, customer, full_title, entity, bill):
    data = invoice_post(entity=entity, title=full_title, lines={bill: "abc"}, amounts=["1.234"])
    response = login(people["s1"]).post(start_url("bill_invoice", customer), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "本次开票「abc」不是金额" in html and "第 1 个开票金额「1.234」不是金额" in html
    nothing_kept(bill)


def test_another_salespersons_customer_is_404(people, customer, full_title, entity, bill):
    client = login(people["s2"])
    assert client.get(start_url("bill_invoice", customer)).status_code == 404
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["600.00"])
    assert client.post(start_url("bill_invoice", customer), data).status_code == 404
    nothing_kept(bill)


def test_the_instance_page_shows_the_bill_lines_readably(people, customer, full_title, entity, bill):
    client = login(people["s1"])
    data = invoice_post(entity=entity, title=full_title, lines={bill: "600.00"}, amounts=["300.00", "300.00"])
    instance = started(client.post(start_url("bill_invoice", customer), data))
    html = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "账单-2026-10-A8560：600.00 元" in html
    assert "300.00 + 300.00（合计 600.00 元）" in html


def test_a_draft_keeps_the_typed_amounts(people, customer, full_title, entity, bill):
    client = login(people["s1"])
    data = invoice_post(entity=entity, title=full_title, lines={bill: "123.45"}, amounts=["100.00", "23.45"])
    saved = client.post(
        f"/desk/workflow/start/bill_invoice/draft/?target={customer.pk}", {**data, "target": customer.pk}
    )
    assert saved.status_code == 200, saved.content[:500]
    html = client.get(start_url("bill_invoice", customer)).content.decode()
    assert f'name="bill_lines_{bill.pk}" value="123.45"' in html
    assert 'value="100.00"' in html and 'value="23.45"' in html
