"""销售调价流程 (price_change, manual 2.4, issue 5) through the desk: the start page (or 新建调价) makes the
schedule 审批中, 部门领导 → 销管 → 销售事业部总 pass it, archive makes it take effect; reject and withdraw put it
back to draft; an overlap is refused naming the other schedule and changes nothing."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp.customers.models import ProductKind
from sales_erp.org.roles import Role
from sales_erp.pricing.models import PriceSchedule, ScheduleStatus
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import ProductFactory, UserFactory, sales_team, schedule_active
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def people(db):
    team = sales_team()
    team["sales_admin"] = UserFactory.create(username="t_pc_salesadmin", roles=[Role.SALES_ADMIN])
    team["outsider"] = UserFactory.create(username="t_pc_outsider", roles=[Role.SALES])
    team["finance"] = UserFactory.create(username="t_pc_fin", roles=[Role.FINANCE])
    return team


@pytest.fixture
def product(people):
    return ProductFactory.create(customer__owner=people["s1"])


def form(product, **overrides):
    data = {
        "product": product.pk,
        "price_type": "stage",
        "tiers_carrier": ["", "", ""],
        "tiers_lower": ["0", "10000", "50000"],
        "tiers_upper": ["10000", "50000", ""],
        "tiers_price": ["0.045", "0.040", "0.035"],
        "million_ratio": "1.5",
        "province_ratio": "35",
        "valid_from": "2026-11-01",
        "valid_to": "2026-11-30",
        "note": "新签价格",
        "remarks": "请领导审批",
    }
    data.update(overrides)
    return data


def start_url(product) -> str:
    return f"/desk/workflow/start/price_change/?target={product.pk}"


def act(client, user, instance, action, **extra):
    client.force_login(user)
    return client.post(f"/desk/workflow/{instance.pk}/act/", {"action": action, **extra})


def start(client, people, product, **overrides) -> ProcessInstance:
    client.force_login(people["s1"])
    response = client.post(start_url(product), form(product, **overrides))
    assert response.status_code == 302, response.content.decode()
    return ProcessInstance.objects.get(code="price_change", pk=int(response["Location"].strip("/").split("/")[-1]))


def test_price_change_walks_its_three_nodes_and_the_schedule_takes_effect_on_archive(client, people, product):
    client.force_login(people["s1"])
    page = client.get(start_url(product)).content.decode()
    assert "发起销售调价流程" in page and 'name="tiers_lower"' in page and 'name="note"' in page
    assert "流程节点顺序：发起人 → 部门领导 → 销管 → 销售事业部总" in page

    instance = start(client, people, product)

    schedule = PriceSchedule.objects.get()
    assert (schedule.status, schedule.process, schedule.created_by) == (ScheduleStatus.PENDING, instance, people["s1"])
    assert (schedule.price_type, schedule.valid_from, schedule.valid_to) == (
        "stage",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert (schedule.million_ratio, schedule.province_ratio, schedule.remarks) == (
        Decimal("1.5"),
        Decimal("35"),
        "新签价格",
    )
    assert list(schedule.tiers.values_list("lower", "upper", "price")) == [
        (0, 10000, Decimal("0.045000")),
        (10000, 50000, Decimal("0.040000")),
        (50000, None, Decimal("0.035000")),
    ]
    assert (instance.status, instance.current_node_name, instance.remarks) == (Status.RUNNING, "部门领导", "请领导审批")
    shown = html.unescape(client.get(f"/desk/workflow/{instance.pk}/").content.decode())
    assert "0 ≤ 条 < 10000: 0.045；10000 ≤ 条 < 50000: 0.040；50000 ≤ 条 < ∞: 0.035" in shown
    assert f"{product.customer.name} · {product.name}" in shown

    assert act(client, people["leader"], instance, "approve").status_code == 302
    assert pending(instance) == ["t_pc_salesadmin"]
    assert act(client, people["sales_admin"], instance, "approve").status_code == 302
    assert pending(instance) == ["t_director"]
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PENDING  # nothing takes effect before the last node
    assert act(client, people["director"], instance, "approve").status_code == 302

    instance.refresh_from_db()
    schedule.refresh_from_db()
    assert instance.status == Status.ARCHIVED
    assert (schedule.status, schedule.activated_by) == (ScheduleStatus.ACTIVE, people["director"])


def test_an_overlap_with_an_active_schedule_is_refused_naming_it_and_nothing_is_kept(client, people, product):
    live = schedule_active(product=product, valid_from=date(2026, 10, 1), valid_to=date(2026, 11, 10))
    client.force_login(people["s1"])
    before = state()

    response = client.post(start_url(product), form(product))

    assert response.status_code == 400
    message = (
        f"与调价 #{live.pk}（产品 {product.code}，2026-10-01 至 2026-11-10）（已生效）时间重叠：同一产品（或同一账号）"
        f"的价格不能重叠，请调整起止日期，或先作废调价 #{live.pk}"
    )
    assert message in response.content.decode()
    assert state() == before
    assert list(PriceSchedule.objects.values_list("pk", flat=True)) == [live.pk]
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()


def test_an_overlap_with_a_pending_schedule_is_refused_too(client, people, product):
    first = start(client, people, product)
    pending_schedule = PriceSchedule.objects.get(process=first)

    response = client.post(start_url(product), form(product, valid_from="2026-11-15", valid_to="2026-12-31"))

    assert response.status_code == 400
    assert f"与调价 #{pending_schedule.pk}（产品 {product.code}，2026-11-01 至 2026-11-30）（审批中）时间重叠" in (
        response.content.decode()
    )
    assert PriceSchedule.objects.count() == 1
    assert ProcessInstance.objects.filter(code="price_change").exclude(status=Status.DRAFT).count() == 1


def test_reject_returns_the_schedule_to_draft_resubmit_makes_a_new_one_and_withdraw_returns_it(client, people, product):
    instance = start(client, people, product)
    first = PriceSchedule.objects.get()

    assert act(client, people["leader"], instance, "reject", opinion="价格太低").status_code == 302
    first.refresh_from_db()
    assert first.status == ScheduleStatus.DRAFT

    client.force_login(people["s1"])
    edit = client.get(f"/desk/workflow/{instance.pk}/edit/").content.decode()
    assert 'value="0.045"' in edit  # the tier editor shows the rows the instance holds
    response = client.post(
        f"/desk/workflow/{instance.pk}/edit/", form(product, tiers_price=["0.050", "0.045", "0.040"], remarks="已调高")
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second = PriceSchedule.objects.exclude(pk=first.pk).get()
    assert first.status == ScheduleStatus.VOID
    assert (second.status, second.process) == (ScheduleStatus.PENDING, instance)
    assert list(second.tiers.values_list("price", flat=True)) == [
        Decimal("0.050000"),
        Decimal("0.045000"),
        Decimal("0.040000"),
    ]

    assert act(client, people["leader"], instance, "approve").status_code == 302
    assert act(client, people["s1"], instance, "withdraw", opinion="客户改主意").status_code == 302
    instance.refresh_from_db()
    second.refresh_from_db()
    assert (instance.status, second.status) == (Status.WITHDRAWN, ScheduleStatus.DRAFT)


def test_archive_is_refused_when_an_overlapping_schedule_took_effect_meanwhile(client, people, product):
    instance = start(client, people, product)
    mine = PriceSchedule.objects.get()
    act(client, people["leader"], instance, "approve")
    act(client, people["sales_admin"], instance, "approve")
    other = schedule_active(product=product, valid_from=date(2026, 11, 20), valid_to=date(2026, 12, 31))
    before = state()

    response = act(client, people["director"], instance, "approve")

    assert response.status_code == 400
    assert f"与调价 #{other.pk}（产品 {product.code}，2026-11-20 至 2026-12-31）（已生效）时间重叠" in (
        response.content.decode()
    )
    assert state() == before
    mine.refresh_from_db()
    instance.refresh_from_db()
    assert (mine.status, instance.status, pending(instance)) == (ScheduleStatus.PENDING, Status.RUNNING, ["t_director"])


def test_another_salespersons_product_is_404(client, people, product):
    client.force_login(people["outsider"])
    assert client.get(start_url(product)).status_code == 404
    assert client.post(start_url(product), form(product)).status_code == 404
    assert not PriceSchedule.objects.exists()


def test_the_new_schedule_page_starts_the_process_for_sales(client, people, product):
    client.force_login(people["s1"])
    page = client.get(f"/desk/pricing/schedules/new/?product={product.pk}").content.decode()
    assert "立即发起" in page and "保存并生效" not in page and 'name="tiers_lower"' in page
    assert "流程节点顺序：发起人 → 部门领导 → 销管 → 销售事业部总" in page

    files = [SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 test")]
    response = client.post("/desk/pricing/schedules/new/", form(product, activate="1", attachments=files))

    instance = ProcessInstance.objects.get(code="price_change")
    assert response["Location"] == f"/desk/workflow/{instance.pk}/"
    schedule = PriceSchedule.objects.get()
    assert (schedule.status, schedule.process) == (ScheduleStatus.PENDING, instance)  # sales cannot skip approval
    assert list(instance.attachments.values_list("name", flat=True)) == ["报价单.pdf"]
    assert list(schedule.attachments.values_list("name", flat=True)) == ["报价单.pdf"]
    assert pending(instance) == ["t_leader"]


def test_an_international_price_change_keeps_its_table_through_the_process(client, people):
    product = ProductFactory.create(customer__owner=people["s1"], kind=ProductKind.INTL_SMS)
    table = SimpleUploadedFile("intl_prices_ok.csv", (DATA / "intl_prices_ok.csv").read_bytes())

    instance = start(client, people, product, price_type="uniform", price_table=table)

    schedule = PriceSchedule.objects.get()
    assert schedule.status == ScheduleStatus.PENDING
    assert dict(schedule.country_prices.values_list("country", "price")) == {
        "US": Decimal("0.350000"),
        "JP": Decimal("0.480000"),
        "SG": Decimal("0.295000"),
        "GB": Decimal("0.410000"),
    }
    assert instance.form_data["price_table"]["name"] == "intl_prices_ok.csv"
    assert not schedule.attachments.exists()  # the table is the schedule's country prices, not a loose file
    for who in ("leader", "sales_admin", "director"):
        act(client, people[who], instance, "approve")
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.ACTIVE


def test_a_draft_of_the_start_page_brings_the_tier_rows_back(client, people, product):
    client.force_login(people["s1"])
    typed = form(product)
    typed.pop("remarks")
    saved = client.post(f"/desk/workflow/start/price_change/draft/?target={product.pk}", typed)
    assert saved.status_code == 200

    page = html.unescape(client.get(start_url(product)).content.decode())

    assert 'name="tiers_lower" value="10000"' in page and 'name="tiers_price" value="0.035"' in page
    assert "已恢复" in page
