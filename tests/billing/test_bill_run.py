"""The monthly bill run (DESIGN §4): the October sample file billed for its four accounts, bill and due
dates, reasons for products without a bill, idempotency, manual products, notices."""

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from sales_erp.billing.models import (
    Bill,
    BillLine,
    BillLineTier,
    BillRun,
    BillStatus,
    NoBillCode,
    NoBillReason,
    UsageRecord,
)
from sales_erp.billing.services import bill_run, usage_import, usage_push
from sales_erp.customers.models import BillType, ProductKind
from sales_erp.jobs.models import JobRun
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, schedule_active

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "usage_2026-10.csv"


def billable_in_sample() -> Counter:
    """Σ 计费条数 per account, read straight from the file (not through the import)."""
    totals: Counter = Counter()
    with SAMPLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            totals[row["账号"]] += int(row["计费条数"])
    return totals


def billable_per_carrier_in_sample(account: str) -> dict[str, int]:
    totals: Counter = Counter()
    with SAMPLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["账号"] == account:
                totals[row["运营商"]] += int(row["计费条数"])
    return dict(totals)


@pytest.fixture
def october():
    """Three products for the sample's four accounts: A8560 + A8561 share one, B2001 is priced per carrier,
    C3001 is billed on the 10th with a three-month payment term."""
    a = ProductFactory.create(name="行业短信", bill_day=5)
    a8560 = AccountFactory.create(product=a, code="A8560")
    a8561 = AccountFactory.create(product=a, code="A8561")
    schedule_active(product=a, price="0.04")
    b = ProductFactory.create(name="营销短信", kind=ProductKind.MARKETING_SMS, bill_day=5)
    AccountFactory.create(product=b, code="B2001")
    schedule_active(
        product=b,
        carrier_tiers={
            "mobile": [(0, None, "0.031")],
            "unicom": [(0, None, "0.032")],
            "telecom": [(0, None, "0.033")],
        },
    )
    c = ProductFactory.create(name="行业短信", bill_day=10, payment_term_months=3)
    AccountFactory.create(product=c, code="C3001")
    schedule_active(product=c, price="0.045678")
    usage_import(data=SAMPLE.read_bytes(), name=SAMPLE.name, user=None)
    return {"a": a, "b": b, "c": c, "a8560": a8560, "a8561": a8561}


def test_october_sample_bills_the_four_accounts_with_the_files_totals(october):
    expected = billable_in_sample()
    assert set(expected) == {"A8560", "A8561", "B2001", "C3001"}

    bill_run(day=date(2026, 11, 5))  # A and B are due (bill day 5); C's bill day is the 10th
    bill_run(day=date(2026, 11, 10))

    lines = {(line.account.code, line.carrier): line for line in BillLine.objects.select_related("account")}
    per_account: Counter = Counter()
    for (code, _), line in lines.items():
        per_account[code] += line.count
    assert per_account == expected

    a_bill = Bill.objects.get(product=october["a"])
    assert a_bill.name == f"账单-2026-10-{october['a'].code}"  # two accounts: the product's code
    assert a_bill.count == expected["A8560"] + expected["A8561"]
    assert a_bill.amount == (Decimal("0.04") * expected["A8560"]).quantize(Decimal("0.01")) + (
        Decimal("0.04") * expected["A8561"]
    ).quantize(Decimal("0.01"))

    b_bill = Bill.objects.get(product=october["b"])
    assert b_bill.name == "账单-2026-10-B2001"  # one account: its code
    carriers = billable_per_carrier_in_sample("B2001")
    assert {c: line.count for (code, c), line in lines.items() if code == "B2001"} == {
        "mobile": carriers["移动"],
        "unicom": carriers["联通"],
        "telecom": carriers["电信"],
    }
    assert lines[("B2001", "unicom")].unit_price == Decimal("0.032000")
    assert b_bill.amount == sum(
        (Decimal(p) * carriers[c]).quantize(Decimal("0.01"))
        for c, p in (("移动", "0.031"), ("联通", "0.032"), ("电信", "0.033"))
    )

    c_bill = Bill.objects.get(product=october["c"])
    assert c_bill.amount == (Decimal("0.045678") * expected["C3001"]).quantize(Decimal("0.01"))


def test_bill_date_is_the_bill_day_of_the_next_month_and_due_date_adds_the_payment_term(october):
    bill_run(day=date(2026, 11, 30))
    a_bill = Bill.objects.get(product=october["a"])
    assert (a_bill.period, a_bill.bill_date, a_bill.due_date) == (
        date(2026, 10, 1),
        date(2026, 11, 5),
        date(2026, 12, 5),
    )
    c_bill = Bill.objects.get(product=october["c"])
    assert (c_bill.bill_date, c_bill.due_date) == (date(2026, 11, 10), date(2027, 2, 10))


def test_products_whose_bill_day_has_not_come_wait(october):
    report = bill_run(day=date(2026, 11, 4))
    assert (report["due"], report["billed"]) == (0, 0)
    report = bill_run(day=date(2026, 11, 5))
    assert set(Bill.objects.values_list("product", flat=True)) == {october["a"].pk, october["b"].pk}


def test_a_second_run_of_the_same_month_creates_nothing(october):
    ProductFactory.create(name="没有账号的产品")  # gets a reason, not a bill
    first = bill_run(day=date(2026, 11, 28))
    snapshot = (
        list(Bill.objects.values_list("pk", "count", "amount")),
        BillLine.objects.count(),
        BillLineTier.objects.count(),
        list(NoBillReason.objects.values_list("pk", "code", "detail")),
        Message.objects.count(),
    )

    second = bill_run(day=date(2026, 11, 29))

    assert (first["billed"], first["no_bill"]) == (3, 1)
    assert (second["billed"], second["existing"], second["no_bill"]) == (0, 3, 1)
    assert snapshot == (
        list(Bill.objects.values_list("pk", "count", "amount")),
        BillLine.objects.count(),
        BillLineTier.objects.count(),
        list(NoBillReason.objects.values_list("pk", "code", "detail")),
        Message.objects.count(),
    )
    assert BillRun.objects.count() == 2  # each run is recorded, even one that creates nothing


def test_manual_products_are_billed_only_on_request(october):
    manual = ProductFactory.create(bill_type=BillType.MANUAL, bill_day=1)
    AccountFactory.create(product=manual, code="M0001")
    schedule_active(product=manual)
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "M0001", "billable": 10}], user=None)

    bill_run(day=date(2026, 11, 28))

    assert not Bill.objects.filter(product=manual).exists()
    assert not NoBillReason.objects.filter(product=manual).exists()


def test_reasons_for_products_without_a_bill(october):
    usage_push(
        rows=[
            {"day": date(2026, 10, 1), "account": "N0001", "billable": 5},
            {"day": date(2026, 10, 1), "account": "X 7001", "billable": 7},
            {"day": date(2026, 10, 1), "account": "I0001", "country": "US", "billable": 3},
            {"day": date(2026, 10, 1), "account": "I0001", "country": "JP", "billable": 4},
        ],
        user=None,
    )
    no_price = AccountFactory.create(code="N0001").product
    no_usage = AccountFactory.create(code="Z0001").product
    schedule_active(product=no_usage)
    no_account = ProductFactory.create()
    mistyped = AccountFactory.create(code="X7001").product  # the platform sends "X 7001"
    schedule_active(product=mistyped)
    intl = AccountFactory.create(code="I0001", product=ProductFactory.create(kind=ProductKind.INTL_SMS)).product
    intl_schedule = schedule_active(product=intl, country_prices={"US": "0.35"})

    bill_run(day=date(2026, 11, 28))

    reasons = {r.product_id: (r.code, r.detail) for r in NoBillReason.objects.all()}
    assert reasons == {
        no_price.pk: (NoBillCode.NO_PRICE, "2026-10 没有生效的调价"),
        no_usage.pk: (NoBillCode.NO_USAGE, "2026-10 没有计费条数"),
        no_account.pk: (NoBillCode.ACCOUNT_ERROR, "产品没有填写账号"),
        mistyped.pk: (NoBillCode.ACCOUNT_ERROR, "发送量中的账号 X 7001 与产品账号 X7001 写法不一致，请核对产品账号"),
        intl.pk: (NoBillCode.INTL_TABLE, f"调价 #{intl_schedule.pk} 的国际价格表缺少 日本(JP) 的价格"),
    }
    run = BillRun.objects.latest("started_at")
    assert {row["reason"] for row in run.report["no_bill"]} == {
        "产品当月没有调价",
        "产品该月没有发送量",
        "产品账号填写错误",
        "国际调价表格式错误",
    }
    assert run.report["unmatched"] == [{"code": "X 7001", "billable": 7}]


def test_a_missing_customer_contact_is_never_a_reason(october):
    customer = CustomerFactory.create(business_contact="", mobile="")
    product = ProductFactory.create(customer=customer)
    AccountFactory.create(product=product, code="K0001")
    schedule_active(product=product)
    usage_push(rows=[{"day": date(2026, 10, 9), "account": "K0001", "billable": 14}], user=None)

    bill_run(day=date(2026, 11, 28))

    assert customer.contacts.count() == 0
    assert Bill.objects.get(product=product).amount == Decimal("0.56")


def test_the_salesperson_gets_one_notice_per_run_listing_their_products(october):
    owner = october["a"].customer.owner
    first = ProductFactory.create(customer=october["a"].customer, name="彩信")
    second = ProductFactory.create(customer=october["a"].customer, name="语音")

    bill_run(day=date(2026, 11, 28))
    bill_run(day=date(2026, 11, 29))

    [notice] = Message.objects.filter(recipient=owner)
    assert notice.kind == MessageKind.BILLING
    assert notice.title == "2026-10 有 2 个产品未出账单"
    assert f"彩信（{first.code}）：产品账号填写错误，产品没有填写账号" in notice.body
    assert f"语音（{second.code}）" in notice.body


def test_a_reason_goes_once_the_product_is_billed(october):
    late = AccountFactory.create(code="L0001").product
    usage_push(rows=[{"day": date(2026, 10, 9), "account": "L0001", "billable": 100}], user=None)
    bill_run(day=date(2026, 11, 28))
    assert NoBillReason.objects.get(product=late).code == NoBillCode.NO_PRICE

    schedule_active(product=late, price="0.05")
    bill_run(day=date(2026, 11, 29))

    assert not NoBillReason.objects.filter(product=late).exists()
    assert Bill.objects.get(product=late).amount == Decimal("5.00")


def test_usage_that_arrived_before_its_account_is_billed_once_the_account_exists(october):
    usage_push(rows=[{"day": date(2026, 10, 9), "account": "E0001", "billable": 50}], user=None)
    assert UsageRecord.objects.get(account_code="E0001").account is None
    account = AccountFactory.create(code="E0001")
    schedule_active(product=account.product)

    bill_run(day=date(2026, 11, 28))

    assert Bill.objects.get(product=account.product).count == 50


def test_bill_run_is_a_periodic_job_with_a_command(october):
    call_command("run_job", "bill_run", "day=2026-11-28")
    run = JobRun.objects.get(name="bill_run")
    assert run.status == JobRun.Status.DONE
    assert (run.report["month"], run.report["billed"]) == ("2026-10", 3)


def test_a_month_given_explicitly_bills_that_month(october):
    report = bill_run(month="2026-10", day=date(2027, 3, 1))
    assert (report["month"], report["billed"]) == ("2026-10", 3)


def test_bills_of_a_run_carry_their_audit_trail_and_run(october):
    finance = UserFactory.create(username="fin_run", roles=[Role.FINANCE])
    before = timezone.now()

    bill_run(day=date(2026, 11, 5), user=finance)

    run = BillRun.objects.get()
    for bill in Bill.objects.all():
        [created] = bill.history.all()
        assert (created.history_type, created.history_user, created.amount) == ("+", finance, bill.amount)
        assert (bill.bill_run, bill.generated_by, bill.status) == (run, finance, BillStatus.ISSUED)
        assert before <= bill.generated_at <= timezone.now()
        assert (bill.written_off_amount, bill.invoiced_amount) == (Decimal("0.00"), Decimal("0.00"))
    assert (run.triggered_by, run.billed_count, run.report["billed_amount"]) == (
        finance,
        2,
        str(sum(Bill.objects.values_list("amount", flat=True))),
    )


def test_an_international_product_is_billed_per_country_from_its_price_table(october):
    product = ProductFactory.create(kind=ProductKind.INTL_SMS, name="国际短信")
    AccountFactory.create(product=product, code="I8560")
    schedule_active(product=product, country_prices={"US": "0.35", "JP": "0.48"})
    text = "日期,账号,运营商,国家/地区,提交条数,成功条数,计费条数\n" + (
        "2026-10-01,I8560,,US,10,10,10\n2026-10-02,I8560,,美国,5,5,5\n2026-10-02,I8560,,JP,3,3,3\n"
    )
    usage_import(data=text.encode("gbk"), name="intl.csv", user=None)

    bill_run(day=date(2026, 11, 28))

    bill = Bill.objects.get(product=product)
    assert {(line.country, line.count, line.unit_price, line.amount) for line in bill.lines.all()} == {
        ("US", 15, Decimal("0.350000"), Decimal("5.25")),
        ("JP", 3, Decimal("0.480000"), Decimal("1.44")),
    }
    assert bill.amount == Decimal("6.69")
