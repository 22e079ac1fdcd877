"""The monthly usage debit (job prepaid_usage_debit): each prepaid account once per month by its bill
lines' amount; a rerun debits nothing more; a negative balance is shown as 欠费."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sales_erp.billing.models import Bill, BillLine, BillStatus
from sales_erp.customers.models import Account, Settlement
from sales_erp.jobs.services import job_run
from sales_erp.prepaid.models import BalanceEntry, EntryKind
from sales_erp.prepaid.selectors import account_balance
from sales_erp.prepaid.services import balance_usage_debit
from tests.factories import AccountFactory, ProductFactory

pytestmark = pytest.mark.django_db


def bill_with_lines(account: Account, period: date, *amounts: str, other: Account | None = None) -> Bill:
    product = account.product
    bill = Bill.objects.create(
        name=f"账单-{period:%Y-%m}-{account.code}",
        product=product,
        customer=product.customer,
        period=period,
        bill_date=date(period.year + (period.month == 12), period.month % 12 + 1, 5),
        due_date=date(2027, 1, 5),
        amount=sum((Decimal(a) for a in amounts), Decimal(0)),
        status=BillStatus.ISSUED,
        generated_at=timezone.now(),
    )
    for amount in amounts:
        BillLine.objects.create(
            bill=bill, account=other or account, count=1000, unit_price=Decimal("0.04"), amount=Decimal(amount)
        )
    return bill


def credit(account: Account, amount: str) -> None:
    BalanceEntry.objects.create(
        account=account, kind=EntryKind.RECHARGE, amount=Decimal(amount), entry_date=date(2026, 9, 1), key="t:credit"
    )


def test_a_month_is_debited_once_per_account(account):
    credit(account, "1000.00")
    bill_with_lines(account, date(2026, 10, 1), "300.00", "45.67")  # two lines (e.g. two carriers)
    report = balance_usage_debit(month=date(2026, 10, 1))
    assert report == {"debited": 1, "skipped": 0, "amount": "345.67"}
    assert account_balance(account=account) == Decimal("654.33")
    entry = BalanceEntry.objects.get(kind=EntryKind.USAGE)
    assert (entry.amount, entry.month, entry.entry_date, entry.key) == (
        Decimal("-345.67"),
        date(2026, 10, 1),
        date(2026, 11, 5),
        f"usage:{account.pk}:2026-10",
    )
    again = balance_usage_debit(month=date(2026, 10, 1))
    assert again == {"debited": 0, "skipped": 1, "amount": "0.00"}
    assert balance_usage_debit() == {"debited": 0, "skipped": 1, "amount": "0.00"}
    assert account_balance(account=account) == Decimal("654.33")


def test_the_daily_job_takes_every_past_month_and_only_prepaid_products(account):
    bill_with_lines(account, date(2026, 9, 1), "100.00")
    bill_with_lines(account, date(2026, 10, 1), "200.00")
    postpaid = AccountFactory.create(
        code="HF0001", product=ProductFactory.create(customer=account.product.customer, settlement=Settlement.POSTPAID)
    )
    bill_with_lines(postpaid, date(2026, 10, 1), "999.00")
    this_month = timezone.localdate().replace(day=1)
    bill_with_lines(account, this_month, "1.00")  # the month still running is not debited
    run = job_run(name="prepaid_usage_debit")
    assert run.report == {"debited": 2, "skipped": 0, "amount": "300.00"}
    assert account_balance(account=account) == Decimal("-300.00")
    assert account_balance(account=postpaid) == Decimal("0.00")
    assert job_run(name="prepaid_usage_debit").report["debited"] == 0


def test_a_negative_balance_shows_arrears_everywhere(people, account):
    credit(account, "100.00")
    bill_with_lines(account, date(2026, 10, 1), "150.00")
    balance_usage_debit(month=date(2026, 10, 1))
    client = Client()
    client.force_login(people["s1"])
    listing = client.get("/desk/prepaid/balances/").content.decode()
    assert "YF0001" in listing and "-50.00" in listing and "data-arrears" in listing
    only = client.get("/desk/prepaid/balances/", {"arrears": "1"})
    assert [r.account.code for r in only.context["rows"]] == ["YF0001"]
    page = client.get(f"/desk/prepaid/accounts/{account.pk}/").content.decode()
    assert "-50.00" in page and "欠费" in page and "2026-10 账单消耗" in page
    customer_page = client.get(f"/desk/customers/{account.product.customer_id}/").content.decode()
    assert "预付余额" in customer_page and "欠费" in customer_page


def test_a_positive_balance_is_not_arrears(people, account):
    credit(account, "100.00")
    client = Client()
    client.force_login(people["finance"])
    page = client.get("/desk/prepaid/balances/")
    assert [(r.account.code, r.balance, r.in_arrears) for r in page.context["rows"]] == [
        ("YF0001", Decimal("100.00"), False)
    ]
    assert client.get("/desk/prepaid/balances/", {"arrears": "1"}).context["rows"] == []
