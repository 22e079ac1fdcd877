"""The portal's 对账单, 数据分析报告, 客户数据, 发票, 销账 and 预付余额: the company's own work, anyone else's
is 404 by id."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus, CustomerCountSource
from sales_erp.customers.models import Settlement
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.invoicing.models import Invoice, InvoiceBill
from sales_erp.org.models import InvoicingEntity
from sales_erp.prepaid.models import BalanceEntry, EntryKind
from sales_erp.workflow.models import ProcessInstance
from sales_erp.writeoffs.models import Allocation, WriteOff, WriteOffStatus
from tests.factories import AccountFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity(db) -> InvoicingEntity:
    return InvoicingEntity.objects.create(name="大汉云通讯有限公司", tax_id="91320100MA1MXXXX0X", is_default=True)


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def process_make(*, customer, user, code: str) -> ProcessInstance:
    return ProcessInstance.objects.create(code=code, title=code, initiator=user, customer=customer)


def invoice_make(*, bill: Bill, number: str, user) -> Invoice:
    invoice = Invoice.objects.create(
        number=number,
        source="bill_invoice",
        customer=bill.customer,
        entity=InvoicingEntity.objects.get(),
        invoice_type="ordinary",
        title_company_name=bill.customer.name,
        amount=bill.amount,
        amounts=[str(bill.amount)],
        received_amount=Decimal(0),
        issued_on=date(2026, 11, 30),
        process=process_make(customer=bill.customer, user=user, code="bill_invoice"),
        applicant=user,
    )
    InvoiceBill.objects.create(invoice=invoice, bill=bill, amount=bill.amount)
    return invoice


def write_off_make(*, bill: Bill, user, amount: str) -> WriteOff:
    deposit = Deposit.objects.create(
        received_on=date(2026, 11, 20),
        payer=bill.customer.name,
        amount=Decimal("100.00"),
        available=Decimal("100.00") - Decimal(amount),
        customer=bill.customer,
        status=DepositStatus.MATCHED,
    )
    write_off = WriteOff.objects.create(
        process=process_make(customer=bill.customer, user=user, code="write_off"),
        customer=bill.customer,
        salesperson=user,
        status=WriteOffStatus.POSTED,
        total=Decimal(amount),
        posted_on=date(2026, 11, 25),
        posted_month=date(2026, 11, 1),
    )
    Allocation.objects.create(
        write_off=write_off,
        bill=bill,
        deposit=deposit,
        amount=Decimal(amount),
        status=WriteOffStatus.POSTED,
        posted_on=date(2026, 11, 25),
    )
    return write_off


# ------------------------------------------------------------------------------------ 对账单
def test_statement_pdf_of_own_bill_names_the_company(client, companies, entity):
    client.force_login(companies["kehu"])
    page = client.get("/portal/statements/")
    assert page.status_code == 200
    assert [b.pk for b in page.context["bills"]] == [companies["our_bill"].pk]
    response = client.get(f"/portal/statements/file/?bills={companies['our_bill'].pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content)
    assert "门户甲科技有限公司" in text and "大汉云通讯有限公司" in text
    assert "52.50" in text  # 1500 × 0.035
    inline = client.get(f"/portal/statements/file/?bills={companies['our_bill'].pk}&inline=1")
    assert inline["Content-Disposition"].startswith("inline")


def test_statement_of_another_companys_bill_is_404(client, companies, entity):
    client.force_login(companies["kehu"])
    other = companies["other_bill"].pk
    assert client.get(f"/portal/statements/file/?bills={other}").status_code == 404
    mixed = f"/portal/statements/file/?bills={companies['our_bill'].pk}&bills={other}"
    assert client.get(mixed).status_code == 404
    assert client.get("/portal/statements/file/?bills=999999").status_code == 404


def test_statement_without_bills_says_so(client, companies, entity):
    client.force_login(companies["kehu"])
    response = client.get("/portal/statements/file/", follow=True)
    assert "请至少选择一张账单" in response.content.decode()


def test_statement_shows_the_customers_figure(client, companies, entity):
    bill = companies["our_bill"]
    Bill.objects.filter(pk=bill.pk).update(customer_count=1400)
    client.force_login(companies["kehu"])
    text = pdf_text(client.get(f"/portal/statements/file/?bills={bill.pk}").content)
    assert "1,400" in text and "49.00" in text  # 1400 × 0.035


def test_statement_of_a_bill_in_the_process_shows_the_agreed_count_of_the_process(client, companies, entity):
    bill = companies["our_bill"]
    instance = process_make(customer=companies["ours"], user=companies["sales1"], code="reconciliation")
    instance.form_data = {"lines": [{"bill": bill.pk, "agreed_count": 1200, "customer_count": 1200}]}
    instance.save()
    Bill.objects.filter(pk=bill.pk).update(status=BillStatus.RECONCILING, reconciliation=instance, customer_count=1200)
    client.force_login(companies["kehu"])
    text = pdf_text(client.get(f"/portal/statements/file/?bills={bill.pk}").content)
    assert "42.00" in text and "52.50" in text  # agreed 1200 × 0.035; ours 1500 × 0.035
    assert "肆拾贰元整" in text


# ------------------------------------------------------------------------------- 数据分析报告
def test_usage_report_pdf_and_xlsx_of_own_bill(client, companies):
    from openpyxl import load_workbook

    client.force_login(companies["kehu"])
    assert client.get("/portal/reports/").status_code == 200
    bill = companies["our_bill"].pk
    pdf = client.get(f"/portal/reports/file/?bills={bill}&format=pdf")
    assert pdf.status_code == 200 and "门户甲科技有限公司" in pdf_text(pdf.content)
    xlsx = client.get(f"/portal/reports/file/?bills={bill}&format=xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "汇总"


def test_usage_report_of_another_companys_bill_is_404(client, companies):
    client.force_login(companies["kehu"])
    for fmt in ("pdf", "xlsx"):
        assert client.get(f"/portal/reports/file/?bills={companies['other_bill'].pk}&format={fmt}").status_code == 404


# ------------------------------------------------------------------------------------ 客户数据
def test_customer_enters_its_count_and_the_desk_sees_it(client, companies):
    bill = companies["our_bill"]
    client.force_login(companies["kehu"])
    response = client.post(f"/portal/bills/{bill.pk}/customer-count/", {"customer_count": "1480"}, follow=True)
    assert "客户数据已保存" in response.content.decode()
    bill.refresh_from_db()
    assert (bill.customer_count, bill.customer_count_source) == (1480, CustomerCountSource.PORTAL)
    assert bill.customer_count_by == companies["kehu"] and bill.customer_count_at is not None
    desk = client.__class__()
    desk.force_login(companies["sales1"])
    page = desk.get(f"/desk/reconciliation/{companies['ours'].pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="1480"' in body and "客户录入" in body


def test_customer_count_refused_once_reconciled(client, companies):
    bill = companies["our_bill"]
    Bill.objects.filter(pk=bill.pk).update(status=BillStatus.RECONCILED, customer_count=1500)
    client.force_login(companies["kehu"])
    page = client.get(f"/portal/bills/{bill.pk}/")
    assert "已对账，客户数据不能再修改" in page.content.decode()
    response = client.post(f"/portal/bills/{bill.pk}/customer-count/", {"customer_count": "1"}, follow=True)
    assert "已对账，客户数据不能再修改" in response.content.decode()
    bill.refresh_from_db()
    assert bill.customer_count == 1500


def test_customer_count_refused_while_in_the_reconciliation_process(client, companies):
    bill = companies["our_bill"]
    Bill.objects.filter(pk=bill.pk).update(status=BillStatus.RECONCILING)
    client.force_login(companies["kehu"])
    assert "正在对账流程中" in client.get(f"/portal/bills/{bill.pk}/").content.decode()
    response = client.post(f"/portal/bills/{bill.pk}/customer-count/", {"customer_count": "9"}, follow=True)
    assert "正在对账流程中（对账中），客户数据已随流程提交" in response.content.decode()
    bill.refresh_from_db()
    assert bill.customer_count is None and bill.customer_count_source == ""


def test_customer_count_bad_value_changes_nothing(client, companies):
    bill = companies["our_bill"]
    client.force_login(companies["kehu"])
    response = client.post(f"/portal/bills/{bill.pk}/customer-count/", {"customer_count": "abc"}, follow=True)
    assert "「abc」不行" in response.content.decode()
    response = client.post(f"/portal/bills/{bill.pk}/customer-count/", {"customer_count": "-3"}, follow=True)
    assert "不小于 0" in response.content.decode()
    bill.refresh_from_db()
    assert bill.customer_count is None


def test_customer_count_on_another_companys_bill_is_404(client, companies):
    other = companies["other_bill"]
    client.force_login(companies["kehu"])
    assert client.post(f"/portal/bills/{other.pk}/customer-count/", {"customer_count": "5"}).status_code == 404
    other.refresh_from_db()
    assert other.customer_count is None


# ---------------------------------------------------------------------------------------- 发票
def test_invoices_are_the_companys_with_their_bills(client, companies, entity):
    ours = invoice_make(bill=companies["our_bill"], number="KP-2026-000001", user=companies["sales1"])
    theirs = invoice_make(bill=companies["other_bill"], number="KP-2026-000002", user=companies["sales2"])
    client.force_login(companies["kehu"])
    page = client.get("/portal/invoices/")
    assert [i.pk for i in page.context["invoices"]] == [ours.pk]
    assert "KP-2026-000002" not in page.content.decode()
    detail = client.get(f"/portal/invoices/{ours.pk}/")
    body = detail.content.decode()
    assert detail.status_code == 200 and companies["our_bill"].name in body and "52.50" in body
    assert client.get(f"/portal/invoices/{theirs.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------- 销账
def test_write_offs_are_the_companys_posted_ones(client, companies):
    ours = write_off_make(bill=companies["our_bill"], user=companies["sales1"], amount="52.50")
    theirs = write_off_make(bill=companies["other_bill"], user=companies["sales2"], amount="24.50")
    reserved = write_off_make(bill=companies["our_bill"], user=companies["sales1"], amount="1.00")
    WriteOff.objects.filter(pk=reserved.pk).update(status=WriteOffStatus.RESERVED)
    client.force_login(companies["kehu"])
    page = client.get("/portal/write-offs/")
    assert [w.pk for w in page.context["write_offs"]] == [ours.pk]
    detail = client.get(f"/portal/write-offs/{ours.pk}/")
    assert detail.status_code == 200
    allocations = list(detail.context["write_off"].allocations.all())
    assert [(a.bill_id, a.amount) for a in allocations] == [(companies["our_bill"].pk, Decimal("52.50"))]
    assert "/portal/deposits/" in detail.content.decode()
    assert client.get(f"/portal/write-offs/{theirs.pk}/").status_code == 404
    assert client.get(f"/portal/write-offs/{reserved.pk}/").status_code == 404
    deposits = client.get("/portal/deposits/")
    assert f"/portal/write-offs/{ours.pk}/" in deposits.content.decode()
    assert f"/portal/write-offs/{theirs.pk}/" not in deposits.content.decode()
    assert f"/portal/write-offs/{reserved.pk}/" not in deposits.content.decode()


# ------------------------------------------------------------------------------------ 预付余额
def test_prepaid_balance_with_arrears(client, companies):
    product = ProductFactory.create(customer=companies["ours"], name="预付短信", settlement=Settlement.PREPAID)
    account = AccountFactory.create(product=product, code="PT009")
    other_product = ProductFactory.create(customer=companies["other"], settlement=Settlement.PREPAID)
    other_account = AccountFactory.create(product=other_product, code="PT010")
    for acct, amount, key in ((account, "100.00", "a"), (account, "-130.25", "b"), (other_account, "5.00", "c")):
        BalanceEntry.objects.create(
            account=acct,
            kind=EntryKind.RECHARGE if Decimal(amount) > 0 else EntryKind.USAGE,
            amount=Decimal(amount),
            entry_date=timezone.localdate(),
            key=f"pt-{key}",
        )
    client.force_login(companies["kehu"])
    page = client.get("/portal/prepaid/")
    rows = page.context["accounts"]
    assert [(r.account.code, r.balance, r.in_arrears) for r in rows] == [("PT009", Decimal("-30.25"), True)]
    body = page.content.decode()
    assert "欠费" in body and "PT010" not in body and len(rows[0].entries) == 2


def test_new_pages_refuse_desk_users(client, companies):
    client.force_login(companies["sales1"])
    for url in (
        "/portal/statements/",
        "/portal/reports/",
        "/portal/invoices/",
        "/portal/write-offs/",
        "/portal/prepaid/",
    ):
        assert client.get(url).status_code == 403
