"""Credit interest on prepaid money held (计息, DESIGN §5.6): each day the account's balance at the end of
the day × the credit rate that day / 30 (a balance at or below zero accrues nothing), one entry per account
per month rounded half-up once, counted for the customer's owner. Values hand-computed at 0.006 a month:
a balance of 30,000.00 accrues 6.00 a day, 10,000.00 accrues 2.00, 5,000.00 accrues 1.00."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sales_erp.customers.models import Account
from sales_erp.prepaid.models import BalanceEntry, EntryKind
from sales_erp.writeoffs.interest import interest_run
from sales_erp.writeoffs.models import InterestEntry, InterestExemptAccount, InterestKind, InterestRate, InterestRun
from tests.factories import AccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

_keys = itertools.count()


@pytest.fixture
def rate() -> InterestRate:
    return InterestRate.objects.create(
        kind=InterestKind.CREDIT, monthly_rate=Decimal("0.006"), effective_from=date(2026, 1, 1)
    )


@pytest.fixture
def account(prepaid) -> Account:
    return AccountFactory.create(product=prepaid)


def ledger(account: Account, day: date, amount: str) -> BalanceEntry:
    """A ledger row as the recharge (+) or the month's usage debit (−) would post it."""
    value = Decimal(amount)
    return BalanceEntry.objects.create(
        account=account,
        kind=EntryKind.RECHARGE if value > 0 else EntryKind.USAGE,
        amount=value,
        entry_date=day,
        key=f"test:{next(_keys)}",
    )


def credit(account: Account) -> dict[str, Decimal]:
    return {
        f"{e.month:%Y-%m}": e.amount for e in InterestEntry.objects.filter(account=account, kind=InterestKind.CREDIT)
    }


def test_a_balance_held_all_november(rate, account, customer):
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {"2026-11": Decimal("180.00")}  # 30000 × 0.006 / 30 × 30
    entry = InterestEntry.objects.get(account=account)
    assert (entry.days, entry.through, entry.customer, entry.salesperson, entry.bill) == (
        30,
        date(2026, 11, 30),
        customer,
        customer.owner,
        None,
    )


def test_a_recharge_mid_month_counts_from_its_day(rate, account):
    ledger(account, date(2026, 11, 1), "10000.00")
    ledger(account, date(2026, 11, 16), "20000.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {"2026-11": Decimal("120.00")}  # 15 days × 2.00 + 15 days × 6.00


def test_a_debit_making_the_balance_negative_accrues_nothing_while_negative(rate, account):
    ledger(account, date(2026, 11, 1), "5000.00")
    ledger(account, date(2026, 11, 11), "-8000.00")  # −3000 from Nov 11
    ledger(account, date(2026, 11, 21), "6000.00")  # 3000 from Nov 21
    interest_run(day=date(2026, 12, 1))
    # Nov 1..10 at 1.00, Nov 11..20 nothing (not −0.60 a day), Nov 21..30 at 0.60.
    assert credit(account) == {"2026-11": Decimal("16.00")}
    assert InterestEntry.objects.get(account=account).days == 20


def test_a_balance_that_stays_negative_makes_no_entry(rate, account):
    ledger(account, date(2026, 10, 1), "100.00")
    ledger(account, date(2026, 10, 1), "-300.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {}


def test_the_month_is_rounded_once_not_each_day(rate, account):
    ledger(account, date(2026, 11, 1), "1234.56")
    interest_run(day=date(2026, 12, 1))
    # 1234.56 × 0.006 / 30 = 0.246912 a day; × 30 = 7.40736 → 7.41 (rounding daily would give 7.50).
    assert credit(account) == {"2026-11": Decimal("7.41")}


def test_months_split_at_the_month_end_and_stop_yesterday(rate, account):
    ledger(account, date(2026, 10, 27), "30000.00")
    interest_run(day=date(2026, 12, 11))
    assert credit(account) == {
        "2026-10": Decimal("30.00"),  # Oct 27..31
        "2026-11": Decimal("180.00"),
        "2026-12": Decimal("60.00"),  # Dec 1..10
    }
    assert InterestEntry.objects.get(account=account, month=date(2026, 12, 1)).through == date(2026, 12, 10)


def test_a_rate_change_mid_month_applies_by_day(rate, account):
    InterestRate.objects.create(
        kind=InterestKind.CREDIT, monthly_rate=Decimal("0.012"), effective_from=date(2026, 11, 16)
    )
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {"2026-11": Decimal("270.00")}  # 15 × 6.00 + 15 × 12.00


def test_the_penalty_rate_is_not_the_credit_rate(account):
    InterestRate.objects.create(
        kind=InterestKind.PENALTY, monthly_rate=Decimal("0.015"), effective_from=date(2026, 1, 1)
    )
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {}


def test_an_exempt_account_accrues_nothing(rate, account, prepaid, people):
    other = AccountFactory.create(product=prepaid)
    InterestExemptAccount.objects.create(account=account, added_by=people["sales_admin"])
    ledger(account, date(2026, 11, 1), "30000.00")
    ledger(other, date(2026, 11, 1), "10000.00")
    interest_run(day=date(2026, 12, 1))
    assert credit(account) == {}
    assert credit(other) == {"2026-11": Decimal("60.00")}


def test_rerunning_changes_nothing(rate, account):
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    interest_run(day=date(2026, 12, 1))
    interest_run(day=date(2026, 12, 1), full=True)
    assert InterestEntry.objects.filter(account=account, kind=InterestKind.CREDIT).count() == 1
    assert credit(account) == {"2026-11": Decimal("180.00")}


def test_running_daily_gives_the_same_entries_as_running_once(rate, account, prepaid):
    InterestRate.objects.create(
        kind=InterestKind.CREDIT, monthly_rate=Decimal("0.009"), effective_from=date(2026, 11, 20)
    )
    second = AccountFactory.create(product=prepaid)
    ledger(account, date(2026, 10, 15), "12345.67")
    ledger(account, date(2026, 11, 5), "-13000.00")
    ledger(account, date(2026, 12, 3), "800.00")
    ledger(second, date(2026, 11, 30), "999.99")
    interest_run(day=date(2027, 1, 2))
    once = sorted(InterestEntry.objects.values_list("account", "month", "days", "amount", "through"))
    assert once
    InterestEntry.objects.all().delete()
    InterestRun.objects.all().delete()
    day = date(2026, 10, 1)
    while day <= date(2027, 1, 2):
        interest_run(day=day)
        day += timedelta(days=1)
    assert sorted(InterestEntry.objects.values_list("account", "month", "days", "amount", "through")) == once
    # The second account: 999.99 × 0.009 / 30 = 0.299997 a day; Nov 30 alone → 0.30, Dec 1..31 → 9.30, Jan 1 → 0.30.
    assert credit(second) == {"2026-11": Decimal("0.30"), "2026-12": Decimal("9.30"), "2027-01": Decimal("0.30")}


def test_a_ledger_row_posted_late_into_a_counted_month_is_counted(rate, account):
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    interest_run(day=date(2026, 12, 2))
    ledger(account, date(2026, 11, 20), "3000.00")  # made after November was counted, dated in it
    interest_run(day=date(2026, 12, 3))
    assert credit(account) == {"2026-11": Decimal("186.60"), "2026-12": Decimal("13.20")}  # + 11 × 0.60


def test_the_credit_counts_for_the_customers_owner_in_the_commission_basis(client, rate, account, people):
    ledger(account, date(2026, 11, 1), "30000.00")
    theirs = AccountFactory.create(product=ProductFactory.create(customer=CustomerFactory.create(owner=people["s2"])))
    ledger(theirs, date(2026, 11, 1), "10000.00")
    interest_run(day=date(2026, 12, 1))
    client.force_login(people["s1"])
    page = client.get("/desk/writeoffs/commission/", follow=True)  # the old address forwards to the report
    rows = page.context["report"].rows()
    assert [(f"{r['month']:%Y-%m}", r["salesperson"], r["credit_interest"], r["penalty"]) for r in rows] == [
        ("2026-11", str(people["s1"]), Decimal("180.00"), Decimal("0.00"))
    ]
    assert "180.00" in page.content.decode()
    client.force_login(people["finance"])
    rows = client.get("/desk/writeoffs/commission/", follow=True).context["report"].rows()
    assert sorted((r["salesperson"], r["credit_interest"]) for r in rows) == sorted(
        [(str(people["s1"]), Decimal("180.00")), (str(people["s2"]), Decimal("60.00"))]
    )


def test_the_entry_list_shows_the_account_to_its_owner_only(client, rate, account, people):
    ledger(account, date(2026, 11, 1), "30000.00")
    interest_run(day=date(2026, 12, 1))
    client.force_login(people["s1"])
    page = client.get("/desk/writeoffs/interestentry/?kind=credit")
    assert page.status_code == 200
    assert account.code in page.content.decode() and "180.00" in page.content.decode()
    client.force_login(people["s2"])
    page = client.get("/desk/writeoffs/interestentry/?kind=credit")
    assert page.status_code in (200, 403) and account.code not in page.content.decode()
