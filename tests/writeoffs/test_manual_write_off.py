"""The manual write-off page (手工销账) and the money it moves: reserve on start, release on reject and
withdraw, post on archive, finance's reversal — each balance exact, every refusal changing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill
from sales_erp.deposits.models import Deposit
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve, instance_reject, instance_start, instance_withdraw
from sales_erp.writeoffs.models import WriteOff, WriteOffStatus
from sales_erp.writeoffs.selectors import bills_with_open
from tests.factories import CustomerFactory
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(customer, postpaid):
    """Two open bills (500, 300) and two deposits (400, and 250 of which 50 is credit left earlier)."""
    b1 = bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    b2 = bill_make(product=postpaid, period="2026-09", bill_date=date(2026, 10, 5), amount="300.00")
    d1 = deposit_make(customer=customer, received_on=date(2026, 11, 1), amount="400.00")
    d2 = deposit_make(customer=customer, received_on=date(2026, 11, 2), amount="250.00")
    Deposit.objects.filter(pk=d2.pk).update(available=Decimal("250.00"))
    return {"b1": b1, "b2": b2, "d1": d1, "d2": d2}


def url(customer) -> str:
    return f"/desk/writeoffs/new/{customer.pk}/"


def state(books) -> dict[str, Decimal]:
    opens = dict(bills_with_open(Bill.objects.all()).values_list("pk", "open_amount"))  # type: ignore[misc]
    out = {name: opens[b.pk] for name, b in books.items() if name.startswith("b")}
    out.update({name: Deposit.objects.get(pk=d.pk).available for name, d in books.items() if name.startswith("d")})
    out.update({f"{n}_written": Bill.objects.get(pk=b.pk).written_off_amount for n, b in books.items() if n[0] == "b"})
    return out


BEFORE = {
    "b1": Decimal("500.00"),
    "b2": Decimal("300.00"),
    "d1": Decimal("400.00"),
    "d2": Decimal("250.00"),
    "b1_written": Decimal("0.00"),
    "b2_written": Decimal("0.00"),
}


def start(client, people, customer, books, **rows):
    client.force_login(people["s1"])
    data = {"note": "十一月回款", **rows}
    return client.post(url(customer), data)


def full_post(books):
    return {
        f"bill-{books['b1'].pk}": "500.00",
        f"bill-{books['b2'].pk}": "100.00",
        f"deposit-{books['d1'].pk}": "400.00",
        f"deposit-{books['d2'].pk}": "200.00",
    }


def test_the_page_lists_open_bills_and_deposits_with_balance(client, people, customer, books):
    client.force_login(people["s1"])
    html = client.get(url(customer)).content.decode()
    for text in ("账单-2026-08", "账单-2026-09", "500.00", "300.00", "400.00", "250.00", "到款信息", "账单信息"):
        assert text in html
    assert f'name="deposit-{books["d2"].pk}"' in html


def test_another_salespersons_customer_is_404(client, people, customer, books):
    client.force_login(people["s2"])
    assert client.get(url(customer)).status_code == 404
    assert client.post(url(customer), full_post(books)).status_code == 404
    assert state(books) == BEFORE and not WriteOff.objects.exists()


def test_start_reserves_at_once_then_archive_posts(client, people, customer, books):
    response = start(client, people, customer, books, **full_post(books))
    assert response.status_code == 302
    instance = ProcessInstance.objects.get(code="write_off")
    assert instance.current_node_name == "销售事业部总" and instance.form_data["auto_write_off"] == "0"
    reserved = {**BEFORE, "b1": Decimal("0.00"), "b2": Decimal("200.00"), "d1": Decimal("0.00"), "d2": Decimal("50.00")}
    assert state(books) == reserved
    assert sorted((a.bill_id, a.deposit_id, a.amount) for a in WriteOff.objects.get().allocations.all()) == sorted(
        [
            (books["b1"].pk, books["d1"].pk, Decimal("400.00")),
            (books["b1"].pk, books["d2"].pk, Decimal("100.00")),
            (books["b2"].pk, books["d2"].pk, Decimal("100.00")),
        ]
    )
    instance = instance_approve(instance=instance, user=people["director"])
    instance = instance_approve(instance=instance, user=people["hq"])
    assert instance.current_node_name == "销售确认"
    instance = instance_approve(instance=instance, user=people["s1"])
    assert instance.status == Status.ARCHIVED
    write_off = WriteOff.objects.get()
    assert write_off.status == WriteOffStatus.POSTED and write_off.posted_on is not None
    assert state(books) == {**reserved, "b1_written": Decimal("500.00"), "b2_written": Decimal("100.00")}


def test_reject_and_withdraw_release_exactly(client, people, customer, books):
    start(client, people, customer, books, **full_post(books))
    instance = ProcessInstance.objects.get(code="write_off")
    instance_reject(instance=instance, user=people["director"], opinion="金额不对")
    assert state(books) == BEFORE
    assert WriteOff.objects.get().status == WriteOffStatus.RELEASED

    start(client, people, customer, books, **full_post(books))
    second = ProcessInstance.objects.filter(code="write_off").latest("pk")
    instance_approve(instance=second, user=people["director"])
    instance_withdraw(instance=second, user=people["s1"])
    assert state(books) == BEFORE
    assert sorted(WriteOff.objects.values_list("status", flat=True)) == ["released", "released"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"bill-b1": "500.01", "deposit-d1": "400.00", "deposit-d2": "100.01"}, "超过其未销金额 500.00 元"),
        ({"bill-b1": "260.00", "deposit-d2": "260.00"}, "本次销账 260.00 元超过其余额 250.00 元"),
        ({"bill-b1": "300.00", "deposit-d1": "200.00"}, "账单销账合计 300.00 元与到款销账合计 200.00 元不相等"),
        ({"bill-b1": "一百", "deposit-d1": "100"}, "销账金额「一百」须是大于 0、最多 2 位小数的金额"),
        ({"bill-b1": "10.001", "deposit-d1": "10.001"}, "「10.001」须是大于 0、最多 2 位小数"),
        ({"bill-b1": "", "deposit-d1": "100"}, "请至少选择一张账单和一笔到款"),
        ({"bill-b1": "1e30", "deposit-d1": "1e30"}, "销账金额「1e30」须是大于 0、最多 2 位小数的金额"),
        ({"bill-b1": "99999999999999999999999999999", "deposit-d1": "1"}, "须是大于 0、最多 2 位小数的金额"),
    ],
)
def test_limits_are_refused_naming_the_figure_and_nothing_changes(client, people, customer, books, rows, message):
    data = {}
    for key, value in rows.items():
        kind, name = key.split("-")
        data[f"{kind}-{books[name].pk}"] = value
    response = start(client, people, customer, books, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(books) == BEFORE
    assert not WriteOff.objects.exists() and not ProcessInstance.objects.filter(code="write_off").exists()


def test_a_bill_of_another_customer_is_refused(client, people, customer, books):
    other = CustomerFactory.create(owner=people["s1"])
    from tests.factories import ProductFactory

    foreign = bill_make(
        product=ProductFactory.create(customer=other), period="2026-08", bill_date=date(2026, 9, 5), amount="100.00"
    )
    response = start(
        client, people, customer, books, **{f"bill-{foreign.pk}": "100.00", f"deposit-{books['d1'].pk}": "100.00"}
    )
    assert response.status_code == 400
    assert f"账单 {foreign.pk} 不是该客户已对账且未销完的账单" in response.content.decode()
    assert not WriteOff.objects.exists()


def test_only_the_system_may_start_an_automatic_write_off(people, customer, books):
    data = {
        "auto_write_off": "1",
        "bills": [{"bill": books["b1"].pk, "write_off": "400.00"}],
        "deposits": [{"deposit": books["d1"].pk, "write_off": "400.00"}],
        "total": "400.00",
    }
    with pytest.raises(ProcessRefused, match="自动销账 = 1 只能由系统发起"):
        instance_start(code="write_off", initiator=people["s1"], form_data=data, target=customer)
    assert state(books) == BEFORE and not ProcessInstance.objects.filter(code="write_off").exists()


def test_finance_reverses_a_posted_write_off_exactly_and_audited(client, people, customer, books):
    start(client, people, customer, books, **full_post(books))
    instance = ProcessInstance.objects.get(code="write_off")
    for user in (people["director"], people["hq"], people["s1"]):
        instance = instance_approve(instance=instance, user=user)
    write_off = WriteOff.objects.get()
    detail = f"/desk/writeoffs/{write_off.pk}/"

    client.force_login(people["s1"])
    assert "冲销原因" not in client.get(detail).content.decode()
    assert client.post(detail, {"reason": "我想撤销"}).status_code == 404

    client.force_login(people["finance"])
    refused = client.post(detail, {"reason": " "})
    assert refused.status_code == 400 and "请填写冲销原因" in refused.content.decode()
    assert WriteOff.objects.get().status == WriteOffStatus.POSTED

    assert client.post(detail, {"reason": "银行退票"}).status_code == 302
    write_off.refresh_from_db()
    assert write_off.status == WriteOffStatus.REVERSED
    assert (write_off.reversed_by, write_off.reversal_reason) == (people["finance"], "银行退票")
    assert write_off.reversed_at is not None
    assert state(books) == BEFORE
    assert set(write_off.allocations.values_list("status", flat=True)) == {"reversed"}
    assert "银行退票" in client.get(detail).content.decode()
    # Twice is refused, and changes nothing.
    again = client.post(detail, {"reason": "再冲一次"})
    assert again.status_code == 400 and "不能改为「已冲销」" in again.content.decode()
    assert state(books) == BEFORE


def test_write_off_pages_follow_visibility(client, people, customer, books):
    start(client, people, customer, books, **full_post(books))
    write_off = WriteOff.objects.get()
    client.force_login(people["s2"])
    assert client.get(f"/desk/writeoffs/{write_off.pk}/").status_code == 404
    assert customer.name not in client.get("/desk/writeoffs/").content.decode()
    client.force_login(people["s1"])
    home = client.get("/desk/writeoffs/").content.decode()
    assert customer.name in home
    assert client.get(f"/desk/writeoffs/{write_off.pk}/").status_code == 200
    client.force_login(people["leader"])
    assert client.get(f"/desk/writeoffs/{write_off.pk}/").status_code == 200


def test_credit_left_by_an_automatic_write_off_is_used_later_by_hand(client, people, customer, postpaid):
    from sales_erp.writeoffs.services import write_off_auto

    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    deposit = deposit_make(customer=customer, received_on=date(2026, 11, 10), amount="550.00")
    write_off_auto(deposit=deposit)
    later = bill_make(product=postpaid, period="2026-09", bill_date=date(2026, 10, 5), amount="80.00")
    client.force_login(people["s1"])
    response = client.post(url(customer), {f"bill-{later.pk}": "50.00", f"deposit-{deposit.pk}": "50.00"})
    assert response.status_code == 302
    deposit.refresh_from_db()
    assert deposit.available == Decimal("0.00")
