"""生成账单 (desk page and service): a manual product's bill, regeneration while 未对账, refusals, and the
bill status transitions."""

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.billing.models import Bill, BillLine, BillStatus, NoBillCode, NoBillReason
from sales_erp.billing.services import BillRefused, bill_generate, bill_run, bill_transition, usage_push
from sales_erp.customers.models import BillType
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, ProductFactory, UserFactory, schedule_active

pytestmark = pytest.mark.django_db

URL = "/desk/billing/bills/generate/"


@pytest.fixture
def manual():
    product = ProductFactory.create(bill_type=BillType.MANUAL, bill_day=20, payment_term_months=2)
    AccountFactory.create(product=product, code="M8560")
    schedule_active(product=product, price="0.04")
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "M8560", "carrier": "移动", "billable": 14}], user=None)
    return product


def test_sales_generate_their_manual_products_bill_from_the_desk(client, manual):
    client.force_login(manual.customer.owner)

    response = client.post(URL, {"product": manual.pk, "month": "2026-10"})

    bill = Bill.objects.get(product=manual)
    assert response.status_code == 302
    assert response["Location"] == f"/desk/billing/bill/{bill.pk}/change/"
    assert (bill.name, bill.count, bill.amount, bill.status) == ("账单-2026-10-M8560", 14, Decimal("0.56"), "issued")
    assert (bill.bill_date, bill.due_date) == (date(2026, 11, 20), date(2027, 1, 20))
    assert bill.generated_by == manual.customer.owner
    page = client.get(response["Location"]).content.decode()
    assert "已生成账单-2026-10-M8560：14 条，0.56 元" in page


def test_regenerating_an_unreconciled_bill_takes_the_corrected_usage(manual):
    bill = bill_generate(product=manual, period="2026-10", user=None)
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "M8560", "carrier": "移动", "billable": 20}], user=None)

    again = bill_generate(product=manual, period=date(2026, 10, 1), user=None)

    assert again.pk == bill.pk
    assert (again.count, again.amount) == (20, Decimal("0.80"))
    assert BillLine.objects.filter(bill=bill).count() == 1
    assert [h.amount for h in bill.history.order_by("history_id")] == [Decimal("0.56"), Decimal("0.80")]


def test_a_bill_in_reconciliation_is_not_regenerated(client, manual):
    bill = bill_generate(product=manual, period="2026-10", user=None)
    bill_transition(bill=bill, to=BillStatus.RECONCILING, user=None)
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "M8560", "carrier": "移动", "billable": 99}], user=None)
    client.force_login(manual.customer.owner)

    page = client.post(URL, {"product": manual.pk, "month": "2026-10"})

    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [
        "账单 账单-2026-10-M8560 为「对账中」，只有未对账的账单可以重新生成"
    ]
    bill.refresh_from_db()
    assert (bill.count, bill.amount) == (14, Decimal("0.56"))


def test_a_product_that_cannot_be_billed_says_why_and_keeps_the_reason(client, manual):
    other = AccountFactory.create(code="N0002", product=ProductFactory.create(customer=manual.customer)).product
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "N0002", "billable": 5}], user=None)
    client.force_login(manual.customer.owner)

    page = client.post(URL, {"product": other.pk, "month": "2026-10"})

    assert page.context["form"].non_field_errors() == [
        f"{other.code} 2026-10 未能出账单：产品当月没有调价（2026-10 没有生效的调价）"
    ]
    assert not Bill.objects.filter(product=other).exists()
    assert NoBillReason.objects.get(product=other).code == NoBillCode.NO_PRICE


def test_a_month_that_is_not_over_cannot_be_billed(manual):
    with pytest.raises(BillRefused, match="尚未结束，不能出账单"):
        bill_generate(product=manual, period=date.today(), user=None)
    assert not Bill.objects.exists()


def test_sales_cannot_generate_another_salespersons_product(client, manual):
    client.force_login(UserFactory.create(username="other_sales", roles=[Role.SALES]))
    page = client.post(URL, {"product": manual.pk, "month": "2026-10"})
    assert page.status_code == 200
    assert "product" in page.context["form"].errors
    assert not Bill.objects.exists()


def test_generate_page_is_prefilled_from_a_reason_row(client, manual):
    client.force_login(manual.customer.owner)
    page = client.get(URL, {"product": manual.pk, "month": "2026-10"})
    assert page.status_code == 200
    assert page.context["form"].initial == {"product": str(manual.pk), "month": "2026-10"}


def test_bill_status_moves_only_along_the_transition_map(manual):
    bill = bill_generate(product=manual, period="2026-10", user=None)
    with pytest.raises(BillRefused) as refused:
        bill_transition(bill=bill, to=BillStatus.RECONCILED, user=None)
    assert refused.value.code == "bill.transition_refused"
    assert refused.value.message == "账单 账单-2026-10-M8560 当前为「未对账」，不能改为「已对账」"
    bill_transition(bill=bill, to=BillStatus.RECONCILING, user=None)
    bill_transition(bill=bill, to=BillStatus.RECONCILED, user=None)
    bill.refresh_from_db()
    assert bill.status == BillStatus.RECONCILED
    with pytest.raises(BillRefused):
        bill_transition(bill=bill, to=BillStatus.ISSUED, user=None)


def test_generate_works_for_an_automatic_product_before_the_run(manual):
    auto = AccountFactory.create(code="G0001").product
    schedule_active(product=auto)
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "G0001", "billable": 25}], user=None)

    bill_generate(product=auto, period="2026-10", user=None)
    report = bill_run(day=date(2026, 11, 28))

    assert Bill.objects.get(product=auto).amount == Decimal("1.00")
    assert (report["billed"], report["existing"]) == (0, 1)
