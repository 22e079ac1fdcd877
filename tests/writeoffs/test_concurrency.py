"""Two write-offs racing for one deposit's balance: exactly one gets it, the balance never goes negative.

Real threads, each on its own database connection, in transactional tests (the deposit row lock is
taken by committed transactions); runs on SQLite and MariaDB.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.deposits.models import Deposit
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.writeoffs.models import Allocation, WriteOff
from sales_erp.writeoffs.services import write_off_start
from tests.workflow.test_concurrency import race
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_write_offs_race_for_one_deposits_balance(base_data, people, customer, postpaid):
    for round_ in range(3):
        b1 = bill_make(product=postpaid, period=f"202{round_}-01", bill_date=date(2026, 9, 5), amount="300.00")
        b2 = bill_make(product=postpaid, period=f"202{round_}-02", bill_date=date(2026, 9, 5), amount="300.00")
        deposit = deposit_make(customer=customer, received_on=date(2026, 11, 1), amount="400.00")

        def take(bill, deposit=deposit):
            return lambda: write_off_start(
                user=people["s1"],
                customer=customer,
                bills=[(bill.pk, Decimal("300.00"))],
                deposits=[(deposit.pk, Decimal("300.00"))],
            )

        results = race(take(b1), take(b2))
        refused = [r for r in results if isinstance(r, ProcessRefused)]
        assert len(refused) == 1, results
        assert "超过其余额 100.00 元" in refused[0].message
        deposit.refresh_from_db()
        assert deposit.available == Decimal("100.00")
        assert Allocation.objects.filter(deposit=deposit).count() == 1
    assert WriteOff.objects.count() == 3
    assert not Deposit.objects.filter(available__lt=0).exists()
