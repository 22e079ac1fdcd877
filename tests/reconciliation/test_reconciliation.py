"""The reconciliation page and process (manual 3.1 / V18, DESIGN §5.1), through the desk's door where a
user would go: the page, its totals, drafts, submit / reject / withdraw / archive and their bill statuses,
the agreed amounts, refusals, regeneration after archive, the customer's figures, visibility."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from sales_erp.billing.models import Bill, BillStatus, CustomerCountSource, NoBillCode, NoBillReason
from sales_erp.billing.services import BillRefused, bill_generate, bill_run, usage_push
from sales_erp.reconciliation import figures
from sales_erp.reconciliation.services import ReconciliationRefused, bill_customer_count_enter
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance, Status
from sales_erp.workflow.services import instance_approve, instance_reject, instance_resubmit, instance_withdraw
from tests.factories import AccountFactory, ProductFactory, schedule_active
from tests.reconciliation.conftest import Manual, bill_make

pytestmark = pytest.mark.django_db


def page_url(m: Manual) -> str:
    return f"/desk/reconciliation/{m.customer.pk}/"


def ticked(m: Manual, *bills: Bill, **figures_: str) -> dict:
    """The page's POST: the ticked bills with their 对账数据 defaulted to ours, overrides as agreed_<pk>=…"""
    data: dict = {"target": m.customer.pk, "bills": [b.pk for b in bills], "remarks": "按合同对账"}
    for bill in bills:
        data[f"agreed_{bill.pk}"] = str(bill.count)
        data[f"customer_{bill.pk}"] = ""
    data.update(figures_)
    return data


def submit(client, m: Manual, *bills: Bill, **figures_: str) -> ProcessInstance:
    client.force_login(m.sales)
    response = client.post(page_url(m), ticked(m, *bills, **figures_))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ProcessInstance.objects.get(code="reconciliation", status=Status.RUNNING)


def statuses(*bills: Bill) -> list[str]:
    return [Bill.objects.get(pk=b.pk).status for b in bills]


def archive(instance: ProcessInstance, m: Manual) -> ProcessInstance:
    instance = instance_approve(instance=instance, user=m.ops)
    assert instance.current_node_name == "财务"
    return instance_approve(instance=instance, user=m.finance)


# ------------------------------------------------------------------------------------------ the page
def test_page_lists_every_unreconciled_bill_newest_first_with_three_rows(client, manual):
    other_product = ProductFactory.create(customer=manual.customer, name="营销短信")
    newest = bill_make(product=other_product, period=date(2019, 12, 1), count=5, amount="0.25")
    held = bill_make(product=other_product, period=date(2019, 8, 1), count=1, amount="0.05")
    Bill.objects.filter(pk=held.pk).update(status=BillStatus.RECONCILING)
    client.force_login(manual.sales)

    response = client.get(page_url(manual))

    html = response.content.decode()
    assert response.status_code == 200
    order = [html.index(f'data-bill="{b.pk}"') for b in (newest, manual.nov, manual.oct, manual.sep)]
    assert order == sorted(order)
    assert f'data-bill="{held.pk}"' not in html  # 对账中 bills are not offered again
    assert (
        html.count("<th>我司数据</th>") == 4 + 1 and html.count("<th>对账数据</th>") == 4 + 1
    )  # four bills + the totals
    assert f'name="agreed_{manual.sep.pk}" value="57"' in html  # 对账数据 defaults to ours
    assert "未找到？" in html and "生成账单" in html and "立即发起" in html and "请输入内容" in html
    assert "电子对账单" in html and "数据分析报告" in html
    assert 'data-report-url="/desk/statements/usage-report/"' in html


def test_manual_example_totals_3_plus_11_is_14_at_0_0400_for_0_56(client, manual):
    instance = submit(client, manual, manual.nov, manual.oct)

    assert (instance.form_data["total_count"], instance.form_data["total_amount"]) == (14, "0.56")
    total = figures.total_of([(3, Decimal("0.12")), (11, Decimal("0.44"))])
    assert (total.count, total.unit_price, total.amount) == (14, Decimal("0.0400"), Decimal("0.56"))
    assert [line["name"] for line in instance.form_data["lines"]] == ["账单-2019-11-8560", "账单-2019-10-8560"]
    assert instance.form_data["lines"][0]["unit_price"] == "0.040000"
    assert instance.remarks == "按合同对账" and instance.customer == manual.customer


def test_total_price_is_amount_over_count_to_four_places():
    total = figures.total_of([(3, Decimal("0.10")), (7, Decimal("0.33"))])
    assert (total.count, total.amount, total.unit_price) == (10, Decimal("0.43"), Decimal("0.0430"))
    assert figures.total_of([(3, Decimal("0.10"))]).unit_price == Decimal("0.0333")
    assert figures.total_of([]).unit_price == Decimal("0.0000")


def test_draft_keeps_selection_and_typed_figures_until_the_user_comes_back(client, manual):
    client.force_login(manual.sales)
    saved = client.post(
        "/desk/workflow/start/reconciliation/draft/",
        {
            "target": manual.customer.pk,
            "bills": [manual.oct.pk],
            f"agreed_{manual.oct.pk}": "10",
            f"customer_{manual.oct.pk}": "12",
            "remarks": "等客户回复",
        },
    )
    assert saved.status_code == 200

    html = client.get(page_url(manual)).content.decode()

    assert f'name="bills" value="{manual.oct.pk}" checked' in html
    assert f'name="bills" value="{manual.nov.pk}">' in html  # not ticked
    assert f'name="agreed_{manual.oct.pk}" value="10"' in html and f'name="customer_{manual.oct.pk}" value="12"' in html
    assert "等客户回复" in html and "已恢复" in html
    assert Bill.objects.get(pk=manual.oct.pk).customer_count is None  # a draft is not yet the customer's figure
    # Submitting turns the draft into the instance.
    instance = submit(client, manual, manual.oct, **{f"agreed_{manual.oct.pk}": "10"})
    assert not ProcessInstance.objects.filter(status=Status.DRAFT).exists()
    assert instance.form_data["total_count"] == 10


# ------------------------------------------------------------------------------------- the process
def test_submit_moves_the_ticked_bills_to_reconciling_and_records_the_customer_figures(client, manual):
    before = timezone.now()
    instance = submit(client, manual, manual.nov, manual.oct, **{f"customer_{manual.nov.pk}": "4"})

    assert statuses(manual.nov, manual.oct, manual.sep) == [
        BillStatus.RECONCILING,
        BillStatus.RECONCILING,
        BillStatus.ISSUED,
    ]
    assert Bill.objects.get(pk=manual.nov.pk).reconciliation == instance
    nov = Bill.objects.get(pk=manual.nov.pk)
    assert (nov.customer_count, nov.customer_count_by, nov.customer_count_source) == (
        4,
        manual.sales,
        CustomerCountSource.DESK,
    )
    assert nov.customer_count_at is not None and nov.customer_count_at >= before
    assert Bill.objects.get(pk=manual.oct.pk).customer_count is None
    assert instance.current_node_name == "运营核对"
    assert instance.form_data["lines"][0]["customer_amount"] == "0.16"


def test_any_one_ops_role_passes_the_check_then_finance_archives(client, manual):
    instance = submit(client, manual, manual.nov, manual.oct, manual.sep, **{f"agreed_{manual.sep.pk}": "50"})

    instance = archive(instance, manual)

    assert instance.status == Status.ARCHIVED
    sep = Bill.objects.get(pk=manual.sep.pk)
    assert (sep.status, sep.count, sep.amount, sep.our_count, sep.our_amount) == (
        BillStatus.RECONCILED,
        50,
        Decimal("2.00"),
        57,
        Decimal("2.28"),
    )
    assert sep.reconciled_at is not None and sep.reconciliation == instance
    nov = Bill.objects.get(pk=manual.nov.pk)
    assert (nov.status, nov.count, nov.amount, nov.our_count, nov.our_amount) == (
        BillStatus.RECONCILED,
        3,
        Decimal("0.12"),
        3,
        Decimal("0.12"),
    )


def test_agreed_amount_is_count_times_six_place_price_rounded_half_up_to_the_cent(client, manual):
    quarter = bill_make(
        product=ProductFactory.create(customer=manual.customer), period=date(2019, 7, 1), count=4, amount="0.10"
    )
    third = bill_make(
        product=ProductFactory.create(customer=manual.customer), period=date(2019, 6, 1), count=3, amount="0.10"
    )
    instance = submit(client, manual, quarter, third, **{f"agreed_{quarter.pk}": "1", f"agreed_{third.pk}": "5"})

    archive(instance, manual)

    # 1 × 0.025000 = 0.025 → 0.03 (half-up, not the banker's 0.02); 5 × 0.033333 = 0.166665 → 0.17
    assert Bill.objects.get(pk=quarter.pk).amount == Decimal("0.03")
    assert Bill.objects.get(pk=third.pk).amount == Decimal("0.17")
    assert instance.form_data["lines"][1]["unit_price"] == "0.033333"
    # The same count as ours keeps our amount exactly, whatever the rounded price would give.
    assert figures.amount_of(count=3, price=Decimal("0.033333"), our_count=3, our_amount=Decimal("0.10")) == Decimal(
        "0.10"
    )


def test_reject_puts_the_bills_back_and_resubmit_takes_them_again(client, manual):
    instance = submit(client, manual, manual.nov, manual.oct)

    instance = instance_reject(instance=instance, user=manual.ops, opinion="数据不对")

    assert instance.status == Status.REJECTED
    assert statuses(manual.nov, manual.oct) == [BillStatus.ISSUED, BillStatus.ISSUED]
    assert Bill.objects.get(pk=manual.nov.pk).reconciliation is None
    instance = instance_resubmit(instance=instance, user=manual.sales)
    assert statuses(manual.nov, manual.oct) == [BillStatus.RECONCILING, BillStatus.RECONCILING]
    archive(instance, manual)
    assert statuses(manual.nov, manual.oct) == [BillStatus.RECONCILED, BillStatus.RECONCILED]


def test_instance_page_shows_the_figures_and_a_rejected_one_is_resubmitted_from_the_page(client, manual):
    instance = submit(client, manual, manual.nov, manual.oct, **{f"agreed_{manual.oct.pk}": "10"})
    instance_reject(instance=instance, user=manual.ops, opinion="请核对")
    client.force_login(manual.sales)

    shown = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    edit = client.get(f"/desk/workflow/{instance.pk}/edit/").content.decode()
    again = client.post(
        f"/desk/workflow/{instance.pk}/edit/", ticked(manual, manual.oct, **{f"agreed_{manual.oct.pk}": "9"})
    )

    assert (
        "对账金额(元)" in shown
        and "0.52" in shown
        and "账单-2019-10-8560：我司 11，客户 —，对账 10 × 0.040000 = 0.40" in shown
    )
    assert (
        f'name="bills" value="{manual.oct.pk}" checked' in edit and f'name="agreed_{manual.oct.pk}" value="10"' in edit
    )
    assert again.status_code == 302
    instance.refresh_from_db()
    assert (instance.status, instance.form_data["total_count"], instance.form_data["total_amount"]) == (
        "running",
        9,
        "0.36",
    )
    assert statuses(manual.nov, manual.oct) == [BillStatus.ISSUED, BillStatus.RECONCILING]


def test_withdraw_puts_the_bills_back_to_unreconciled(client, manual):
    instance = submit(client, manual, manual.nov)

    instance_withdraw(instance=instance, user=manual.sales)

    assert statuses(manual.nov) == [BillStatus.ISSUED]
    assert Bill.objects.get(pk=manual.nov.pk).reconciliation is None
    html = client.get(page_url(manual)).content.decode()
    assert f'data-bill="{manual.nov.pk}"' in html  # offered again


def test_a_ticked_bill_no_longer_unreconciled_is_refused_and_nothing_changes(client, manual):
    first = submit(client, manual, manual.nov)
    client.force_login(manual.sales)

    response = client.post(page_url(manual), ticked(manual, manual.nov, manual.oct))  # a stale page

    assert response.status_code == 400
    assert "账单-2019-11-8560 当前为对账中，不能再发起对账；请刷新页面重新勾选" in response.content.decode()
    assert ProcessInstance.objects.filter(code="reconciliation").exclude(status=Status.DRAFT).get() == first
    assert statuses(manual.nov, manual.oct) == [BillStatus.RECONCILING, BillStatus.ISSUED]


def test_no_bill_ticked_or_agreed_figure_missing_is_refused(client, manual):
    client.force_login(manual.sales)

    none = client.post(page_url(manual), {"target": manual.customer.pk})
    blank = client.post(page_url(manual), ticked(manual, manual.oct, **{f"agreed_{manual.oct.pk}": ""}))

    assert none.status_code == 400 and "请至少勾选一张未对账账单" in none.content.decode()
    assert blank.status_code == 400 and "账单-2019-10-8560：请填写对账数据（条数）" in blank.content.decode()
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()
    assert statuses(manual.oct) == [BillStatus.ISSUED]


def test_the_start_service_refuses_a_bill_reconciled_meanwhile_and_keeps_nothing(client, manual):
    Bill.objects.filter(pk=manual.oct.pk).update(status=BillStatus.RECONCILED)  # taken between clean and effect
    instance_start_data = ticked(manual, manual.nov)
    from sales_erp.workflow.services import instance_start

    with pytest.raises(ProcessRefused) as refused:
        instance_start(
            code="reconciliation",
            initiator=manual.sales,
            form_data={**instance_start_data, "bills": [manual.nov.pk, manual.oct.pk], f"agreed_{manual.oct.pk}": "11"},
            target=manual.customer,
        )
    assert "账单-2019-10-8560 当前为已对账，不能再发起对账" in refused.value.message
    assert statuses(manual.nov) == [BillStatus.ISSUED]
    assert not ProcessInstance.objects.exists()


def test_a_reconciled_bill_is_never_regenerated(client, manual):
    product = ProductFactory.create(customer=manual.customer, name="验证码短信")
    AccountFactory.create(product=product, code="V8560")
    schedule_active(product=product, price="0.04")
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "V8560", "billable": 14}], user=None)
    bill = bill_generate(product=product, period="2026-10", user=None)
    instance = submit(client, manual, bill, **{f"agreed_{bill.pk}": "12"})
    archive(instance, manual)
    usage_push(rows=[{"day": date(2026, 10, 3), "account": "V8560", "billable": 99}], user=None)

    with pytest.raises(BillRefused) as refused:
        bill_generate(product=product, period="2026-10", user=None)
    bill_run(month="2026-10")

    assert refused.value.code == "bill.locked" and "已对账" in refused.value.message
    bill.refresh_from_db()
    assert (bill.status, bill.count, bill.amount, bill.our_count, bill.our_amount) == (
        BillStatus.RECONCILED,
        12,
        Decimal("0.48"),
        14,
        Decimal("0.56"),
    )


# ------------------------------------------------------------------------------ customer's figures
def test_customer_figures_keep_who_entered_them_and_when(manual):
    bill = bill_customer_count_enter(bill=manual.oct, count=11, user=None, source=CustomerCountSource.PORTAL)

    assert (bill.customer_count, bill.customer_count_source, bill.customer_count_by) == (11, "portal", None)
    assert bill.customer_count_at is not None
    bill = bill_customer_count_enter(bill=manual.oct, count=12, user=manual.sales)
    assert (bill.customer_count, bill.customer_count_source, bill.customer_count_by) == (12, "desk", manual.sales)
    assert [h.customer_count for h in bill.history.order_by("history_id")] == [None, 11, 12]


def test_customer_figures_are_shown_with_their_author_and_locked_once_reconciled(client, manual):
    bill_customer_count_enter(bill=manual.sep, count=56, user=None, source=CustomerCountSource.PORTAL)
    client.force_login(manual.sales)
    html = client.get(page_url(manual)).content.decode()
    assert (
        f'name="customer_{manual.sep.pk}" value="56"' in html and "客户数据 56 由 — 于" in html and "客户录入" in html
    )

    Bill.objects.filter(pk=manual.sep.pk).update(status=BillStatus.RECONCILED)
    with pytest.raises(ReconciliationRefused) as refused:
        bill_customer_count_enter(bill=manual.sep, count=57, user=manual.sales)
    assert refused.value.message == "账单-2019-09-8560 已对账，客户数据不能再修改"
    assert Bill.objects.get(pk=manual.sep.pk).customer_count == 56


# ------------------------------------------------------------------------------------- visibility
def test_a_customer_the_user_may_not_see_is_404_on_every_path(client, manual):
    client.force_login(manual.other_sales)

    assert client.get(page_url(manual)).status_code == 404
    assert client.post(page_url(manual), ticked(manual, manual.nov)).status_code == 404
    assert client.post(f"{page_url(manual)}statement/", ticked(manual, manual.nov)).status_code == 404
    draft = client.post(
        "/desk/workflow/start/reconciliation/draft/", {"target": manual.customer.pk, "bills": [manual.nov.pk]}
    )
    assert draft.status_code == 404
    assert manual.customer.name not in client.get("/desk/reconciliation/").content.decode()
    assert statuses(manual.nov) == [BillStatus.ISSUED] and not ProcessInstance.objects.exists()


def test_a_bill_of_another_customer_cannot_be_ticked(client, manual):
    stranger = bill_make(product=ProductFactory.create(), period=date(2019, 11, 1), count=9, amount="0.36")
    client.force_login(manual.sales)

    response = client.post(page_url(manual), ticked(manual, stranger))

    assert response.status_code == 400
    assert statuses(stranger) == [BillStatus.ISSUED]


def test_customer_list_and_customer_page_link_to_the_reconciliation_page(client, manual):
    client.force_login(manual.sales)

    listing = client.get("/desk/reconciliation/").content.decode()
    customer_page = client.get(f"/desk/customers/{manual.customer.pk}/").content.decode()

    assert manual.customer.name in listing and f'href="{page_url(manual)}"' in listing
    assert "<td>3</td>" in listing and "2.84" in listing and "2019-09" in listing
    assert "未对账账单 3 张，共 2.84 元" in customer_page and f'href="{page_url(manual)}"' in customer_page


def test_bill_page_shows_the_reconciliation_figures(client, manual):
    instance = submit(
        client, manual, manual.sep, **{f"agreed_{manual.sep.pk}": "50", f"customer_{manual.sep.pk}": "50"}
    )
    archive(instance, manual)
    client.force_login(manual.sales)

    html = client.get(f"/desk/billing/bill/{manual.sep.pk}/change/").content.decode()

    assert "客户数据(条)" in html and "我司计费条数" in html and "对账完成时间" in html and instance.title in html


def test_a_bill_of_several_lines_and_tiers_is_priced_amount_over_count(client, manual):
    # 100 × 0.04 + 50 × 0.05 = 6.50 for 150 units: one price 0.043333 (6 places), shown as such
    tiered = bill_make(
        product=ProductFactory.create(customer=manual.customer), period=date(2019, 5, 1), count=150, amount="6.50"
    )
    client.force_login(manual.sales)
    html = client.get(page_url(manual)).content.decode()
    assert f'data-bill="{tiered.pk}" data-price-micro="43333" data-our-count="150" data-our-cents="650"' in html
    assert "<td>0.043333</td>" in html

    instance = submit(client, manual, tiered, **{f"agreed_{tiered.pk}": "149"})
    archive(instance, manual)

    tiered.refresh_from_db()
    assert (tiered.count, tiered.amount, tiered.our_count, tiered.our_amount) == (
        149,
        Decimal("6.46"),
        150,
        Decimal("6.50"),
    )


def test_the_submit_effect_refuses_a_bill_another_reconciliation_holds(client, manual):
    from sales_erp.reconciliation.services import reconciliation_submit

    first = submit(client, manual, manual.nov)
    racer = ProcessInstance(code="reconciliation", initiator=manual.other_sales, customer=manual.customer)
    racer.form_data = {"lines": [{"bill": manual.nov.pk, "customer_count": 9, "agreed_count": 3}]}

    with pytest.raises(ProcessRefused) as refused:
        reconciliation_submit(instance=racer)

    assert "账单-2019-11-8560" in refused.value.message and "对账中" in refused.value.message
    nov = Bill.objects.get(pk=manual.nov.pk)
    assert (nov.status, nov.reconciliation, nov.customer_count) == (BillStatus.RECONCILING, first, None)


def test_products_without_a_bill_are_listed_with_their_generate_link(client, manual):
    missing = ProductFactory.create(customer=manual.customer, name="语音验证码", code="VOICE1")
    NoBillReason.objects.create(
        product=missing,
        customer=manual.customer,
        period=date(2019, 11, 1),
        code=NoBillCode.NO_PRICE,
        detail="2019-11 无调价",
    )
    client.force_login(manual.sales)

    html = client.get(page_url(manual)).content.decode()

    assert "2019-11 语音验证码（VOICE1）未出账单：产品当月没有调价，2019-11 无调价" in html
    assert f"/desk/billing/bills/generate/?product={missing.pk}&month=2019-11" in html


@pytest.mark.parametrize("value", ["9" * 30, "99999999999999", "abc", "-3", "1.5"])
def test_a_huge_or_bad_agreed_or_customer_figure_is_refused_naming_it_and_nothing_changes(client, manual, value):
    client.force_login(manual.sales)
    for field in ("agreed", "customer"):
        response = client.post(page_url(manual), ticked(manual, manual.oct, **{f"{field}_{manual.oct.pk}": value}))
        assert response.status_code == 400, (field, value)
        assert "账单-2019-10-8560" in response.content.decode(), (field, value)
        statement = client.post(
            f"{page_url(manual)}statement/", ticked(manual, manual.oct, **{f"{field}_{manual.oct.pk}": value})
        )
        assert statement.status_code == 400, (field, value)
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()
    assert statuses(manual.oct) == [BillStatus.ISSUED]
