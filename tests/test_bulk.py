"""sales_erp.bulk writes what the ORM would have written, on both databases: every field type a bulk
writer uses, defaults, history rows, and updates across chunk boundaries."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.utils import timezone

from sales_erp import bulk
from sales_erp.deposits.models import Deposit, DepositImport, DepositStatus, ImportProfile
from sales_erp.workflow.models import ProcessInstance
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_dicts_insert_adapts_each_field_type_and_fills_defaults():
    customer = CustomerFactory.create()
    record = DepositImport.objects.create(
        profile=ImportProfile.objects.get(code="debit-credit-columns-gbk"), file_name="a.csv", digest="d"
    )
    bulk.dicts_insert(
        Deposit,
        [
            {
                "received_on": date(2026, 11, 10),
                "received_time": time(9, 30, 5),
                "payer": "甲公司",
                "amount": Decimal("1234.56"),
                "available": Decimal("0.01"),
                "serial": "S1",
                "import_record_id": record.pk,
                "import_key": "k1",
                "customer_id": customer.pk,
                "matched_at": timezone.now(),
            }
        ],
    )
    deposit = Deposit.objects.get(import_key="k1")
    assert (deposit.received_on, deposit.received_time) == (date(2026, 11, 10), time(9, 30, 5))
    assert (deposit.amount, deposit.available) == (Decimal("1234.56"), Decimal("0.01"))
    assert deposit.customer == customer and deposit.matched_at is not None
    assert deposit.status == DepositStatus.UNMATCHED  # not given: the field's default
    assert deposit.summary == ""


def test_dicts_insert_writes_json_fields():
    initiator = UserFactory.create()
    now = timezone.now()
    bulk.dicts_insert(
        ProcessInstance,
        [
            {"code": "x", "title": "t", "initiator_id": initiator.pk, "form_data": {"金额": "1.00", "行": [1, 2]}}
            | {"created_at": now, "updated_at": now}
        ],
    )
    assert ProcessInstance.objects.get(code="x").form_data == {"金额": "1.00", "行": [1, 2]}


def test_history_copy_by_keys_or_by_column():
    customer = CustomerFactory.create()
    user = UserFactory.create()
    record = DepositImport.objects.create(
        profile=ImportProfile.objects.get(code="debit-credit-columns-gbk"), file_name="a.csv", digest="d"
    )
    rows = [
        {"received_on": date(2026, 11, 10), "payer": "乙", "amount": "5.00", "available": "5.00", "import_key": f"h{n}"}
        for n in range(3)
    ]
    bulk.dicts_insert(Deposit, [{**row, "import_record_id": record.pk} for row in rows])
    now = timezone.now()
    bulk.history_copy(Deposit, now, where=("import_record_id", record.pk), user_id=user.pk)
    history = Deposit.history.filter(import_key__startswith="h")
    assert sorted(history.values_list("import_key", "history_type", "history_user")) == [
        ("h0", "+", user.pk),
        ("h1", "+", user.pk),
        ("h2", "+", user.pk),
    ]
    first = Deposit.objects.get(import_key="h0")
    Deposit.objects.filter(pk=first.pk).update(customer=customer)
    bulk.history_copy(Deposit, now, pks=[first.pk], kind="~")
    changed = history.filter(history_type="~").get()
    assert (changed.import_key, changed.customer_id, changed.history_user_id) == ("h0", customer.pk, None)


def test_rows_update_sets_each_row_its_own_value_across_chunks():
    """rows_update writes CHUNK rows per statement: every row of a batch longer than one chunk gets its own value."""
    rows = [
        {
            "received_on": date(2026, 11, 10),
            "payer": "丙",
            "amount": "900.00",
            "available": "900.00",
            "import_key": f"u{n}",
        }
        for n in range(bulk.CHUNK + 7)
    ]
    bulk.dicts_insert(Deposit, rows)
    pks = list(Deposit.objects.filter(import_key__startswith="u").order_by("pk").values_list("pk", flat=True))
    bulk.rows_update(Deposit, "available", [(f"{n}.25", pk) for n, pk in enumerate(pks)])
    stored = dict(Deposit.objects.filter(pk__in=pks).values_list("pk", "available"))
    assert [stored[pk] for pk in pks] == [Decimal(f"{n}.25") for n in range(bulk.CHUNK + 7)]


def test_id_lookups_reads_consecutive_ids_as_a_range_and_others_as_lists():
    assert bulk.id_lookups("pk", [3, 4, 5, 6]) == [{"pk__gte": 3, "pk__lte": 6}]
    assert bulk.id_lookups("pk", [3, 4, 9]) == [{"pk__in": [3, 4, 9]}]
