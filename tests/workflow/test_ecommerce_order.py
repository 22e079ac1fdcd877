"""电商购销单: the example process type shipped as data (workflow/fixtures/no_code_definitions.yaml), no code.

Its form is 客户 (link), 商品名称, 数量, 单价 (6 places), 金额 (2 places), 交付日期, 附件; its path
部门领导 (the initiator's superior) → 财务.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp.customers.models import Customer, Tier
from sales_erp.workbench.models import CustomField
from sales_erp.workflow.models import ProcessDefinition, ProcessInstance, Status
from sales_erp.workflow.services import definitions_load_examples
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db

URL = "/desk/workflow/start/ecommerce_order/"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def customer(name: str, owner=None, tier=Tier.INTENT) -> Customer:
    return Customer.objects.create(name=name, owner=owner, tier=tier, business_contact="王五", mobile="13800000000")


@pytest.fixture
def mine(people) -> Customer:
    return customer("杭州电商科技有限公司", owner=people["s1"])


def order(customer: Customer, **kw) -> dict:
    return {
        "customer": str(customer.pk),
        "goods_name": "营销短信包 10 万条",
        "quantity": "3",
        "unit_price": "0.045500",
        "amount": "13650",
        "delivery_date": "2026-12-31",
        **kw,
    }


def test_it_is_loaded_as_data_with_its_fields_and_path():
    definition = ProcessDefinition.objects.get(code="ecommerce_order")
    assert (definition.name, definition.category, definition.starts_from, definition.is_registered) == (
        "电商购销单",
        "operations",
        "",
        False,
    )
    assert [(f.name, f.label, f.field_type, f.required) for f in definition.form_fields.order_by("order")] == [
        ("customer", "客户", "link_customer", True),
        ("goods_name", "商品名称", "text", True),
        ("quantity", "数量", "number", True),
        ("unit_price", "单价", "money6", True),
        ("amount", "金额", "money2", True),
        ("delivery_date", "交付日期", "date", True),
        ("attachment", "附件", "attachment", False),
    ]
    nodes = [(n.name, n.approver_superior, n.approver_roles) for n in definition.nodes.order_by("position")]
    assert nodes == [("部门领导", True, []), ("财务", False, ["finance"])]


def test_loading_again_keeps_the_admins_edits():
    definition = ProcessDefinition.objects.get(code="ecommerce_order")
    definition.form_fields.filter(name="goods_name").update(label="品名")
    definition.nodes.filter(name="财务").delete()
    assert definitions_load_examples() == []
    assert definition.form_fields.get(name="goods_name").label == "品名"
    assert list(definition.nodes.values_list("name", flat=True)) == ["部门领导"]
    definition.delete()
    assert definitions_load_examples() == ["ecommerce_order"]
    assert CustomField.objects.filter(entity="ecommerce_order").count() == 7


def test_a_salesperson_runs_one_from_start_to_archive(client, people, mine, media):
    client.force_login(people["s1"])
    customer("北京丙丁有限公司", owner=people["s2"])
    page = client.get(URL)
    choices = [label for value, label in page.context["form"].fields["customer"].choices if value]
    assert choices == ["杭州电商科技有限公司"]  # only the customers the salesperson may see
    html = page.content.decode()
    assert "发起电商购销单" in html and "流程节点顺序：发起人 → 部门领导 → 财务" in html
    scan = SimpleUploadedFile("采购订单.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    response = client.post(URL, {**order(mine), "attachment": scan, "remarks": "双十二备货"})
    assert response.status_code == 302, response.content.decode()[:2000]

    instance = ProcessInstance.objects.get()
    [attachment] = instance.attachments.all()
    assert instance.form_data == {
        "customer": {"id": mine.pk, "label": "杭州电商科技有限公司"},
        "goods_name": "营销短信包 10 万条",
        "quantity": "3",
        "unit_price": "0.045500",
        "amount": "13650.00",
        "delivery_date": "2026-12-31",
        "attachment": {"id": attachment.pk, "name": "采购订单.pdf", "size": 14},
    }
    assert (instance.customer, instance.title) == (mine, f"电商购销单（{people['s1']}）")
    assert pending(instance) == ["t_leader"]
    body = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "其他附件" in client.get(URL).content.decode()  # the page's own box, beside the form's 附件
    assert f'<dt>附件</dt><dd><a class="text-primary-600" href="/desk/workflow/attachments/{attachment.pk}/">' in body
    assert "<dt>单价</dt><dd>0.045500</dd>" in body and "<dt>金额</dt><dd>13650.00</dd>" in body
    assert "已用 14" in body  # the field's file counts in the instance's attachments

    # the inbox filters it by its customer, like a process started from the customer's page
    client.force_login(people["leader"])
    found = client.get("/desk/workflow/inbox/?tab=todo&customer=杭州电商")
    assert [p.pk for p in found.context["page"]] == [instance.pk]
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "approve"})
    client.force_login(people["finance"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "approve"})
    instance.refresh_from_db()
    assert instance.status == Status.ARCHIVED
    assert client.get(f"/desk/workflow/attachments/{attachment.pk}/").status_code == 200


def test_the_customer_stays_readable_after_a_rename_and_a_delete(client, people, mine):
    client.force_login(people["s1"])
    client.post(URL, order(mine))
    instance = ProcessInstance.objects.get()
    Customer.objects.filter(pk=mine.pk).update(name="杭州电商集团有限公司")
    rows = {r["label"]: r["value"] for r in client.get(f"/desk/workflow/{instance.pk}/").context["rows"]}
    assert rows["客户"] == "杭州电商科技有限公司（现名：杭州电商集团有限公司）"
    instance.customer = None
    instance.save(update_fields=["customer"])
    Customer.objects.filter(pk=mine.pk).delete()
    rows = {r["label"]: r["value"] for r in client.get(f"/desk/workflow/{instance.pk}/").context["rows"]}
    assert rows["客户"] == "杭州电商科技有限公司（已删除）"
    export = client.get("/desk/workflow/search/?code=ecommerce_order&export=csv").content.decode("utf-8-sig")
    assert "杭州电商科技有限公司" in export


def test_someone_elses_customer_is_refused_by_name(client, people, mine):
    theirs = customer("北京丙丁有限公司", owner=people["s2"])
    client.force_login(people["s1"])
    before = state()
    response = client.post(URL, order(theirs))
    assert response.status_code == 400
    assert response.context["form"].errors["customer"] == ["「客户」: 所选客户不存在或您无权查看，请重新选择"]
    assert state() == before


def test_the_field_attachment_shares_the_100_mb_limit(client, people, mine, media):
    client.force_login(people["s1"])
    before = state()
    response = client.post(
        URL,
        {
            **order(mine),
            "attachment": SimpleUploadedFile("大订单.zip", b"x" * (60 * MB)),
            "attachments": [SimpleUploadedFile("其他.zip", b"x" * (40 * MB + 1))],
        },
    )
    assert response.status_code == 400
    assert "超过每个流程 100 MB 的上限" in response.content.decode()
    assert state() == before
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_draft_keeps_the_typed_values_and_comes_back(client, people, mine):
    client.force_login(people["s1"])
    saved = client.post(f"{URL}draft/", {"customer": str(mine.pk), "goods_name": "彩信包", "unit_price": "0.1"})
    assert saved.status_code == 200
    form = client.get(URL).context["form"]
    assert (form.initial["customer"], form.initial["goods_name"]) == (str(mine.pk), "彩信包")
    client.post(URL, order(mine))
    assert list(ProcessInstance.objects.values_list("status", flat=True)) == [Status.RUNNING]


def test_rejected_and_resubmitted_it_keeps_its_file_unless_a_new_one_is_sent(client, people, mine, media):
    client.force_login(people["s1"])
    client.post(URL, {**order(mine), "attachment": SimpleUploadedFile("v1.pdf", b"one")})
    instance = ProcessInstance.objects.get()
    client.force_login(people["leader"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "reject", "opinion": "单价不对"})
    client.force_login(people["s1"])
    assert "已上传：v1.pdf（不选择新文件则保留）" in client.get(f"/desk/workflow/{instance.pk}/edit/").content.decode()
    response = client.post(f"/desk/workflow/{instance.pk}/edit/", order(mine, unit_price="0.05"))
    assert response.status_code == 302
    instance.refresh_from_db()
    assert (instance.form_data["unit_price"], instance.form_data["attachment"]["name"]) == ("0.050000", "v1.pdf")
    client.force_login(people["leader"])
    client.post(f"/desk/workflow/{instance.pk}/act/", {"action": "reject"})
    client.force_login(people["s1"])
    new_file = SimpleUploadedFile("v2.pdf", b"2")
    client.post(f"/desk/workflow/{instance.pk}/edit/", {**order(mine), "attachment": new_file})
    instance.refresh_from_db()
    assert instance.form_data["attachment"]["name"] == "v2.pdf"
    assert sorted(instance.attachments.values_list("name", flat=True)) == ["v1.pdf", "v2.pdf"]
