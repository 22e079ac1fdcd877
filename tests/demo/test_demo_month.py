"""The demo month (`manage.py demo_month`, run by `make run`): on a fresh database, after erp_setup, run
twice — the second run changes nothing — and the month is there: every tier, processes in every state,
October's bills from the sample usage file, a reconciled and invoiced bill, deposits of both bank
statements, an automatic write-off confirmed, penalty interest."""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from sales_erp.billing.models import Bill, BillLine, BillStatus, UsageImport
from sales_erp.customers.models import Customer, Tier
from sales_erp.deposits.models import Deposit, DepositImport, DepositStatus
from sales_erp.invoicing.models import Invoice
from sales_erp.org.demo_month import USAGE_FILE
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.writeoffs.models import InterestEntry, WriteOff

pytestmark = pytest.mark.django_db(transaction=False)


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "processes": ProcessInstance.objects.count(),
        "usage_imports": UsageImport.objects.count(),
        "bills": Bill.objects.count(),
        "lines": BillLine.objects.count(),
        "deposit_imports": DepositImport.objects.count(),
        "deposits": Deposit.objects.count(),
        "invoices": Invoice.objects.count(),
        "write_offs": WriteOff.objects.count(),
        "interest": InterestEntry.objects.count(),
    }


def billed_per_account() -> Counter[str]:
    per: Counter[str] = Counter()
    for row in csv.DictReader(io.StringIO(USAGE_FILE.read_text(encoding="utf-8-sig"))):
        per[row["账号"]] += int(row["计费条数"])
    return per


def test_demo_month_twice_on_a_fresh_database():
    call_command("erp_setup", stdout=io.StringIO())
    call_command("demo_month", stdout=io.StringIO())
    first = counts()
    out = io.StringIO()
    call_command("demo_month", stdout=out)
    assert counts() == first
    assert out.getvalue().strip() == "demo month done"

    # every tier
    assert set(Customer.objects.values_list("tier", flat=True)) == set(Tier.values)
    # processes in every state
    assert set(ProcessInstance.objects.values_list("status", flat=True)) == set(Status.values)

    # October's bills: one line per sample account, its count = the file's 计费条数 of that account
    per_account = billed_per_account()
    assert per_account == {"A8560": 18660, "A8561": 17840, "B2001": 17267, "C3001": 19249}
    lines = {
        line.account.code: line.count
        for line in BillLine.objects.filter(bill__period="2026-10-01").select_related("account")
    }
    assert {code: sum(c for a, c in lines.items() if a == code) for code in per_account} == dict(per_account)
    shanghai = Bill.objects.get(period="2026-10-01", customer__name="上海甲乙科技有限公司")
    assert (shanghai.count, shanghai.amount) == (36500, Decimal("730.00"))
    assert Bill.objects.get(period="2026-10-01", customer__name="杭州壬癸网络科技有限公司").amount == Decimal("863.35")
    chengdu = Bill.objects.get(period="2026-10-01", customer__name="成都子丑科技有限公司")
    assert chengdu.amount == Decimal("1154.94")

    # reconciled, invoiced and written off (the GBK statement's 850.00 from 上海甲乙 covers its 730.00)
    assert shanghai.status == BillStatus.RECONCILED
    assert ProcessInstance.objects.get(code="reconciliation").status == Status.ARCHIVED
    invoice = Invoice.objects.get()
    assert invoice.amount == Decimal("730.00")
    assert shanghai.invoiced_amount == Decimal("730.00")
    assert shanghai.written_off_amount == Decimal("730.00")
    write_off = ProcessInstance.objects.get(code="write_off")
    assert write_off.status == Status.ARCHIVED and write_off.customer_id == shanghai.customer_id

    # deposits of both files, credits only: the GBK file has 8 and a debit, the UTF-8 one 2 and a debit
    files = dict(DepositImport.objects.values_list("file_name", "pk"))
    assert set(files) == {"bank_statement_gbk.csv", "bank_statement_utf8bom.csv"}
    assert Deposit.objects.filter(import_record=files["bank_statement_gbk.csv"]).count() == 8
    assert Deposit.objects.filter(import_record=files["bank_statement_utf8bom.csv"]).count() == 2
    assert Deposit.objects.filter(status=DepositStatus.MATCHED).count() == 6

    # penalty interest on 成都子丑's overdue bill (due 2026-12-01, its 980.00 does not cover 1154.94)
    assert InterestEntry.objects.filter(bill=chengdu).exists()
