"""One customer through the whole money cycle, feature after feature (DESIGN §5): usage → bill run →
reconciliation (an agreed count below ours) → bill invoice → bank statement import matched by the
payer's name → automatic write-off confirmed by the salesperson → penalty interest for the days late."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.customers.models import InvoiceKind, InvoiceTitle, Settlement
from sales_erp.deposits.models import Deposit, DepositStatus, ImportProfile
from sales_erp.deposits.services import deposits_import, import_profiles_load_defaults
from sales_erp.invoicing.models import Invoice
from sales_erp.org.models import InvoicingEntity
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve
from sales_erp.writeoffs import services as writeoff_services
from sales_erp.writeoffs.interest import interest_run
from sales_erp.writeoffs.models import InterestEntry, InterestKind, InterestRate, WriteOff, WriteOffStatus
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, sales_team, schedule_active

pytestmark = pytest.mark.django_db

COMPANY = "上海甲乙科技有限公司"
HEADER = "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"


def desk(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reconcile_invoice_deposit_auto_write_off_interest_on_one_customer(monkeypatch):
    team = sales_team()
    ops = UserFactory.create(username="t_billing", roles=[Role.BILLING_EXPERT])
    finance = UserFactory.create(username="t_finance", roles=[Role.FINANCE])
    sales_admin = UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    s1 = team["s1"]
    customer = CustomerFactory.create(name=COMPANY, owner=s1)
    title = InvoiceTitle.objects.create(
        customer=customer,
        company_name=COMPANY,
        tax_id="9144030071526726XG",
        address="上海市某区某路1号",
        phone="021-00000000",
        bank="某银行上海分行",
        bank_account="6222000000000000",
    )
    entity = InvoicingEntity.objects.create(name="大汉云通讯有限公司", tax_id="91320100MA1MXXXX0X", is_default=True)
    product = ProductFactory.create(customer=customer, name="行业短信", settlement=Settlement.POSTPAID)
    AccountFactory.create(product=product, code="CYC001")
    schedule_active(product=product, price="0.04")
    InterestRate.objects.create(
        kind=InterestKind.PENALTY, monthly_rate=Decimal("0.015"), effective_from=date(2026, 1, 1)
    )

    # 1. Usage and the bill run: 250 000 × 0.04 = 10 000.00, 未对账.
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "CYC001", "billable": 250000}], user=None)
    bill_run(day=date(2026, 11, 28))
    bill = Bill.objects.get(customer=customer)
    assert (bill.status, bill.count, bill.amount) == (BillStatus.ISSUED, 250000, Decimal("10000.00"))
    due = bill.due_date
    assert due > bill.bill_date

    # 2. Reconciliation through its page: the customer counts 249 000, agreed 249 000 → 9 960.00.
    page = f"/desk/reconciliation/{customer.pk}/"
    response = desk(s1).post(
        page,
        {
            "target": customer.pk,
            "bills": [bill.pk],
            f"customer_{bill.pk}": "249000",
            f"agreed_{bill.pk}": "249000",
            "remarks": "按客户数据对账",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reconciliation = ProcessInstance.objects.get(code="reconciliation")
    reconciliation = instance_approve(instance=reconciliation, user=ops)
    reconciliation = instance_approve(instance=reconciliation, user=finance)
    assert reconciliation.status == Status.ARCHIVED
    bill.refresh_from_db()
    assert (bill.status, bill.count, bill.amount) == (BillStatus.RECONCILED, 249000, Decimal("9960.00"))
    assert (bill.customer_count, bill.written_off_amount, bill.invoiced_amount) == (
        249000,
        Decimal("0.00"),
        Decimal("0.00"),
    )

    # 3. Invoice the whole reconciled amount: more than it is refused, then 9 960.00 in two invoices.
    start = f"/desk/workflow/start/bill_invoice/?target={customer.pk}"
    form = {
        "entity": entity.pk,
        "title": title.pk,
        "received_amount": "0.00",
        "invoice_type": InvoiceKind.SPECIAL,
        "remarks": "",
    }
    too_much = desk(s1).post(start, {**form, f"bill_lines_{bill.pk}": "9960.01", "invoice_amounts": ["9960.01"]})
    assert too_much.status_code == 400
    assert "本次开票 9960.01 元超过可开金额 9960.00 元" in too_much.content.decode()
    response = desk(s1).post(
        start, {**form, f"bill_lines_{bill.pk}": "9960.00", "invoice_amounts": ["5000.00", "4960.00"]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice_process = ProcessInstance.objects.get(code="bill_invoice", status=Status.RUNNING)
    invoice_process = instance_approve(instance=invoice_process, user=sales_admin, opinion="同意")
    invoice_process = instance_approve(instance=invoice_process, user=finance, opinion="已开票")
    assert invoice_process.status == Status.ARCHIVED
    bill.refresh_from_db()
    assert bill.invoiced_amount == Decimal("9960.00")
    invoice = Invoice.objects.get()
    assert (invoice.amount, invoice.amounts) == (Decimal("9960.00"), ["5000.00", "4960.00"])

    # 4. The customer pays 10 000.00 nine days after the due date (the bank statement names it by its
    #    full company name, so it is matched); the automatic write-off covers the bill's 9 960.00.
    paid_on = date.fromordinal(due.toordinal() + 10)
    monkeypatch.setattr(writeoff_services, "today", lambda: paid_on)
    import_profiles_load_defaults()
    statement = HEADER + f"{paid_on:%Y%m%d},10:00:00,,10000.00,{COMPANY},31001234560000001,CYC-1,货款\n"
    deposits_import(
        data=statement.encode("gbk"),
        name="流水.csv",
        profile=ImportProfile.objects.get(code="debit-credit-columns-gbk"),
        user=finance,
    )
    deposit = Deposit.objects.get()
    assert (deposit.status, deposit.customer, deposit.salesperson) == (DepositStatus.MATCHED, customer, s1)
    assert deposit.available == Decimal("40.00")  # 9 960.00 reserved at once by the automatic write-off
    write_off = WriteOff.objects.get()
    assert (write_off.auto, write_off.status, write_off.total) == (True, WriteOffStatus.RESERVED, Decimal("9960.00"))
    bill.refresh_from_db()
    assert bill.written_off_amount == Decimal("0.00")  # final only once the salesperson confirms

    instance_approve(instance=write_off.process, user=s1, opinion="确认")
    write_off.refresh_from_db()
    deposit.refresh_from_db()
    bill.refresh_from_db()
    assert write_off.status == WriteOffStatus.POSTED
    assert (bill.written_off_amount, bill.invoiced_amount, bill.amount) == (
        Decimal("9960.00"),
        Decimal("9960.00"),
        Decimal("9960.00"),
    )
    assert (deposit.amount, deposit.available) == (Decimal("10000.00"), Decimal("40.00"))

    # 5. Penalty interest: from the day after the due date to the day before the write-off, 9 days of
    #    9 960.00 × 0.015 / 30 = 4.98 a day → 44.82; nothing after it is written off.
    interest_run(day=date(paid_on.year + paid_on.month // 12, paid_on.month % 12 + 1, 1))
    interest_run(day=date(2027, 6, 1))
    penalty = InterestEntry.objects.filter(bill=bill, kind=InterestKind.PENALTY)
    assert sum((e.amount for e in penalty), Decimal("0.00")) == Decimal("44.82")
    assert sum(e.days for e in penalty) == 9
    assert {e.salesperson for e in penalty} == {s1}
