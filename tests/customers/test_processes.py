"""申请客户, 测试账号申请 and 合同评审 (DESIGN §3, §6; manual 申请客户流程, 2.1, 2.2), walked through the desk
pages as each role's user: the start page, then the instance page's actions, node by node.

Every effect is asserted exactly (tier, owner, tier_since, TierChange rows, accounts, the contract's number,
dates and files); a reject or withdraw undoes the submit; a refusal changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sales_erp.customers.models import (
    Account,
    Contract,
    ContractStatus,
    Customer,
    Product,
    Tier,
    TierChange,
    TierRule,
)
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.workflow.models import Action, ProcessInstance, Status
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, sales_team
from tests.workflow.state import pending

pytestmark = pytest.mark.django_db

LONG_AGO = date(2026, 1, 5)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people(db) -> dict[str, User]:
    team = sales_team()
    team["sales_admin"] = UserFactory.create(username="t_salesadmin", roles=[Role.SALES_ADMIN])
    team["account_manager"] = UserFactory.create(username="t_keeper", roles=[Role.ACCOUNT_MANAGER])
    team["tech"] = UserFactory.create(username="t_tech", roles=[Role.TECH_SUPPORT])
    team["finance"] = UserFactory.create(username="t_fin", roles=[Role.FINANCE])
    team["legal"] = UserFactory.create(username="t_legal", roles=[Role.LEGAL])
    return team


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(user: User, code: str, target: Any, data: dict[str, Any]) -> tuple[Any, ProcessInstance | None]:
    """POST the start page as `user`; the instance created (None when refused)."""
    url = f"/desk/workflow/start/{code}/?target={target.pk}"
    response = as_user(user).post(url, {**data, "target": target.pk})
    if response.status_code != 302:
        return response, None
    match = re.fullmatch(r"/desk/workflow/(\d+)/", response["Location"])
    assert match, response["Location"]
    return response, ProcessInstance.objects.get(pk=int(match.group(1)))


def act(user: User, instance: ProcessInstance, action: str, **data: Any) -> Any:
    response = as_user(user).post(f"/desk/workflow/{instance.pk}/act/", {"action": action, **data})
    instance.refresh_from_db()
    return response


def approve(user: User, instance: ProcessInstance, **data: Any) -> None:
    response = act(user, instance, "approve", **data)
    assert response.status_code == 302, response.content.decode()[:3000]


def tier_changes(customer: Customer) -> list[tuple[str, str, str, date, str | None, str | None]]:
    return [
        (
            c.from_tier,
            c.to_tier,
            c.rule,
            c.date,
            getattr(c.salesperson, "username", None),
            getattr(c.changed_by, "username", None),
        )
        for c in TierChange.objects.filter(customer=customer).order_by("pk")
    ]


def customer_state(customer: Customer) -> tuple[Any, ...]:
    customer.refresh_from_db()
    return (
        customer.tier,
        customer.owner_id,
        customer.tier_since,
        customer.claimed_by_id,
        customer.test_account_approved_on,
        customer.contract_date,
    )


def everything() -> dict[str, Any]:
    """What a refused start must leave as it was."""
    return {
        "instances": list(ProcessInstance.objects.exclude(status=Status.DRAFT).values_list("pk", "status")),
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "tier", "owner", "claimed_by")),
        "changes": TierChange.objects.count(),
        "accounts": list(Account.objects.values_list("code", flat=True)),
        "contracts": list(Contract.objects.values_list("pk", "status")),
    }


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------- 申请客户流程
@pytest.fixture
def pool_customer(people) -> Customer:
    return CustomerFactory.create(name="公共池甲科技有限公司", owner=None, tier=Tier.POOL, tier_since=LONG_AGO)


def test_pool_page_offers_apply_and_the_start_page_asks_for_the_reason(people, pool_customer):
    pool = as_user(people["s1"]).get("/desk/customers/pool/").content.decode()
    assert f'href="/desk/workflow/start/apply_customer/?target={pool_customer.pk}" data-apply>申请客户</a>' in pool
    page = as_user(people["s1"]).get(f"/desk/workflow/start/apply_customer/?target={pool_customer.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "发起申请客户流程" in html and "申请理由" in html and 'name="reason"' in html
    assert "流程节点顺序：发起人 → 部门领导 → 销管" in html


def test_apply_customer_leaves_the_pool_at_submit_and_is_the_applicants_on_archive(people, pool_customer):
    s1, s2 = people["s1"], people["s2"]
    response, instance = start(s1, "apply_customer", pool_customer, {"reason": "老客户介绍，有发送需求"})
    assert instance is not None, response.content.decode()[:3000]
    assert (instance.status, instance.customer, instance.form_data) == (
        Status.RUNNING,
        pool_customer,
        {"reason": "老客户介绍，有发送需求"},
    )
    # gone from the pool at once: others no longer see it anywhere
    assert customer_state(pool_customer) == (Tier.POOL, None, LONG_AGO, s1.pk, None, None)
    assert pool_customer.claimed_at is not None
    assert "公共池甲科技有限公司" not in as_user(s2).get("/desk/customers/pool/").content.decode()
    assert as_user(s2).get(f"/desk/customers/{pool_customer.pk}/").status_code == 404
    late = as_user(s2).get(f"/desk/workflow/start/apply_customer/?target={pool_customer.pk}")
    assert (late.status_code, late["Location"]) == (302, "/desk/customers/pool/")  # told who has it there
    assert as_user(s1).get(f"/desk/customers/{pool_customer.pk}/").status_code == 200

    assert pending(instance) == ["t_leader"]
    approve(people["leader"], instance, opinion="同意")
    assert pending(instance) == ["t_salesadmin"]
    assert customer_state(pool_customer)[:4] == (Tier.POOL, None, LONG_AGO, s1.pk)
    approve(people["sales_admin"], instance)
    assert instance.status == Status.ARCHIVED
    assert customer_state(pool_customer) == (Tier.INTENT, s1.pk, today(), None, None, None)
    assert pool_customer.claimed_at is None
    assert tier_changes(pool_customer) == [
        (Tier.POOL, Tier.INTENT, TierRule.APPLY_CUSTOMER, today(), "t_sales1", "t_sales1")
    ]
    page = as_user(s1).get(f"/desk/customers/{pool_customer.pk}/").content.decode()
    assert "意向客户" in page and str(instance.number) in page


def test_reject_returns_it_to_the_pool_and_a_resubmit_takes_it_out_again(people, pool_customer):
    s1 = people["s1"]
    _, instance = start(s1, "apply_customer", pool_customer, {"reason": "想跟进"})
    assert instance is not None
    response = act(people["leader"], instance, "reject", opinion="理由不充分")
    assert response.status_code == 302
    assert instance.status == Status.REJECTED
    assert customer_state(pool_customer) == (Tier.POOL, None, LONG_AGO, None, None, None)
    assert "公共池甲科技有限公司" in as_user(people["s2"]).get("/desk/customers/pool/").content.decode()

    response = as_user(s1).post(f"/desk/workflow/{instance.pk}/edit/", {"reason": "客户已明确需求，下月签约"})
    assert response.status_code == 302, response.content.decode()[:3000]
    instance.refresh_from_db()
    assert (instance.status, instance.form_data["reason"]) == (Status.RUNNING, "客户已明确需求，下月签约")
    assert customer_state(pool_customer)[3] == s1.pk
    assert pending(instance) == ["t_leader"]

    # withdrawn while running: back to the pool; withdrawn after a reject: on_reject already released it
    assert act(s1, instance, "withdraw").status_code == 302
    assert instance.status == Status.WITHDRAWN
    assert customer_state(pool_customer) == (Tier.POOL, None, LONG_AGO, None, None, None)
    assert TierChange.objects.count() == 0


def test_withdraw_a_rejected_application_leaves_the_pool_as_it_is(people, pool_customer):
    _, instance = start(people["s1"], "apply_customer", pool_customer, {"reason": "想跟进"})
    assert instance is not None
    act(people["leader"], instance, "reject")
    assert act(people["s1"], instance, "withdraw").status_code == 302
    assert instance.status == Status.WITHDRAWN
    assert customer_state(pool_customer) == (Tier.POOL, None, LONG_AGO, None, None, None)


def test_a_second_application_is_told_who_has_it_and_nothing_is_created(people, pool_customer):
    from sales_erp.workflow.errors import ProcessRefused
    from sales_erp.workflow.services import instance_start

    _, first = start(people["s1"], "apply_customer", pool_customer, {"reason": "想跟进"})
    assert first is not None
    before = everything()
    # the API door with the customer as read before the first submit (the page hides it now: 404); the
    # row lock at submit decides, whatever the form saw
    with pytest.raises(ProcessRefused) as refused:
        instance_start(
            code="apply_customer", initiator=people["s2"], form_data={"reason": "我也想"}, target=pool_customer
        )
    assert refused.value.message == f"该客户已被 {people['s1']} 申请，不能重复申请"
    assert everything() == before


def test_applying_a_moment_too_late_on_the_page_says_who_has_it(people, pool_customer):
    """s2 opened the start page while the customer was in the pool; s1 submitted first."""
    s2 = as_user(people["s2"])
    url = f"/desk/workflow/start/apply_customer/?target={pool_customer.pk}"
    assert s2.get(url).status_code == 200
    _, first = start(people["s1"], "apply_customer", pool_customer, {"reason": "想跟进"})
    assert first is not None
    before = everything()
    response = s2.post(url, {"target": pool_customer.pk, "reason": "我也想"})
    assert (response.status_code, response["Location"]) == (302, "/desk/customers/pool/")
    pool = s2.get(response["Location"]).content.decode()
    assert f"该客户已被 {people['s1']} 申请，不能重复申请" in pool and "公共池甲科技有限公司" not in pool
    assert everything() == before
    # a customer hidden for any other reason is still a plain 404
    other = CustomerFactory.create(owner=people["s1"], tier=Tier.INTENT)
    assert s2.get(f"/desk/workflow/start/apply_customer/?target={other.pk}").status_code == 404


def test_only_a_pool_customer_can_be_applied_for_and_only_by_sales(people, pool_customer):
    mine = CustomerFactory.create(name="已归属科技有限公司", owner=people["s1"], tier=Tier.TEST, tier_since=LONG_AGO)
    before = everything()
    response, instance = start(people["s1"], "apply_customer", mine, {"reason": "想跟进"})
    assert (response.status_code, instance) == (400, None)
    assert f"该客户已不在公共池中（已归属 {people['s1']}）" in response.content.decode()
    response, instance = start(people["finance"], "apply_customer", pool_customer, {"reason": "财务也想要"})
    assert (response.status_code, instance) == (400, None)
    assert "只有销售（或部门领导）可以申请公共池客户" in response.content.decode()
    response, instance = start(people["s1"], "apply_customer", pool_customer, {"reason": ""})
    assert (response.status_code, instance) == (400, None)
    assert everything() == before


# ------------------------------------------------------------------------------------ 测试账号申请流程
TEST_ACCOUNT_FORM = {
    "test_count": "500",
    "unit_price": "0.045",
    "signature": "甲乙科技",
    "report_ip": "10.0.0.1, 10.0.0.2",
    "interface_type": "HTTP",
    "account_type": "行业短信",
    "billing_type": "成功计费",
    "company_intro": "做电商的中型企业",
    "send_template": "【甲乙科技】您的验证码是{code}",
    "accounts": "ts001，ts002\n ts003 ",
}


@pytest.fixture
def intent_product(people) -> Product:
    customer = CustomerFactory.create(
        name="意向乙科技有限公司", owner=people["s1"], tier=Tier.INTENT, tier_since=LONG_AGO
    )
    return ProductFactory.create(customer=customer, name="行业短信")


def walk_test_account(people, instance: ProcessInstance) -> None:
    assert pending(instance) == ["t_leader"]
    approve(people["leader"], instance)
    assert pending(instance) == ["t_keeper"]
    approve(people["account_manager"], instance)
    assert pending(instance) == ["t_tech"]
    assert not Account.objects.exists()  # opened only at archive
    approve(people["tech"], instance, opinion="已开通")
    assert instance.status == Status.ARCHIVED


def test_test_account_opens_the_accounts_and_lifts_the_customer_to_test(people, intent_product):
    customer = intent_product.customer
    page = as_user(people["s1"]).get(f"/desk/workflow/start/test_account/?target={intent_product.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    for label in [
        "测试条数",
        "单价",
        "签名",
        "上报IP地址",
        "接口类型",
        "账号类型",
        "计费类型",
        "公司情况介绍",
        "发送模板",
    ]:
        assert label in html, label
    response, instance = start(people["s1"], "test_account", intent_product, TEST_ACCOUNT_FORM)
    assert instance is not None, response.content.decode()[:3000]
    assert (instance.customer, instance.form_data["accounts"], instance.form_data["unit_price"]) == (
        customer,
        "ts001\nts002\nts003",
        "0.045000",
    )
    assert instance.form_data["report_ip"] == "10.0.0.1\n10.0.0.2"
    walk_test_account(people, instance)
    assert sorted(Account.objects.filter(product=intent_product).values_list("code", "status")) == [
        ("ts001", "active"),
        ("ts002", "active"),
        ("ts003", "active"),
    ]
    assert Account.objects.count() == 3
    assert customer_state(customer) == (Tier.TEST, people["s1"].pk, today(), None, today(), None)
    assert tier_changes(customer) == [(Tier.INTENT, Tier.TEST, TierRule.TEST_ACCOUNT, today(), "t_sales1", "t_sales1")]


def test_a_pool_customers_test_account_makes_it_the_applicants(people):
    customer = CustomerFactory.create(name="公共池丙科技有限公司", owner=None, tier=Tier.POOL, tier_since=LONG_AGO)
    product = ProductFactory.create(customer=customer)
    _, instance = start(people["s2"], "test_account", product, {**TEST_ACCOUNT_FORM, "accounts": "pool01"})
    assert instance is not None
    walk_test_account(people, instance)
    assert customer_state(customer) == (Tier.TEST, people["s2"].pk, today(), None, today(), None)
    assert tier_changes(customer) == [(Tier.POOL, Tier.TEST, TierRule.TEST_ACCOUNT, today(), "t_sales2", "t_sales2")]
    assert list(product.accounts.values_list("code", flat=True)) == ["pool01"]


def test_a_contract_customer_keeps_its_tier(people):
    customer = CustomerFactory.create(owner=people["s1"], tier=Tier.CONTRACT, tier_since=LONG_AGO)
    product = ProductFactory.create(customer=customer)
    _, instance = start(people["s1"], "test_account", product, {**TEST_ACCOUNT_FORM, "accounts": "ht01"})
    assert instance is not None
    walk_test_account(people, instance)
    assert customer_state(customer) == (Tier.CONTRACT, people["s1"].pk, LONG_AGO, None, today(), None)
    assert tier_changes(customer) == []
    assert list(product.accounts.values_list("code", flat=True)) == ["ht01"]


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ("ts001,ts002，ts001", "账号 ts001 在账号框中重复出现，请删去重复的账号"),
        ("ts009\nOLD01", "账号 old01 已存在，账号在全系统内不能重复"),
        ("ts 001", "账号 'ts 001' 中间含有空格；多个账号请用换行、中文逗号或英文逗号分隔"),
        (" ， ", "请填写要开通的测试账号"),
    ],
)
def test_bad_account_codes_are_refused_at_submit_naming_the_account(people, intent_product, accounts, message):
    AccountFactory.create(code="old01")
    before = everything()
    response, instance = start(
        people["s1"], "test_account", intent_product, {**TEST_ACCOUNT_FORM, "accounts": accounts}
    )
    assert (response.status_code, instance) == (400, None)
    assert response.context["form"].errors["accounts"] == [message]
    assert everything() == before


def test_required_fields_and_a_bad_ip_are_refused(people, intent_product):
    data = {**TEST_ACCOUNT_FORM, "signature": "", "test_count": "十条", "report_ip": "10.0.0.300"}
    response, instance = start(people["s1"], "test_account", intent_product, data)
    assert (response.status_code, instance) == (400, None)
    assert set(response.context["form"].errors) == {"signature", "test_count", "report_ip"}
    assert "「10.0.0.300」不是有效的 IP 地址" in response.content.decode()


def test_a_code_opened_meanwhile_stops_the_archive_and_nothing_changes(people, intent_product):
    _, instance = start(people["s1"], "test_account", intent_product, TEST_ACCOUNT_FORM)
    assert instance is not None
    approve(people["leader"], instance)
    approve(people["account_manager"], instance)
    AccountFactory.create(code="TS002")  # someone opened it elsewhere in the meantime
    response = act(people["tech"], instance, "approve")
    assert response.status_code == 400
    assert "账号 TS002 已存在，账号在全系统内不能重复" in response.content.decode()
    assert (instance.status, pending(instance)) == (Status.RUNNING, ["t_tech"])
    assert list(Account.objects.values_list("code", flat=True)) == ["TS002"]
    assert customer_state(intent_product.customer) == (Tier.INTENT, people["s1"].pk, LONG_AGO, None, None, None)
    assert instance.timeline.filter(action=Action.APPROVE).count() == 2


def test_a_resubmit_checks_the_codes_again(people, intent_product):
    _, instance = start(people["s1"], "test_account", intent_product, TEST_ACCOUNT_FORM)
    assert instance is not None
    act(people["leader"], instance, "reject", opinion="先确认签名")
    assert customer_state(intent_product.customer)[0] == Tier.INTENT and not Account.objects.exists()
    AccountFactory.create(code="ts003")
    response = as_user(people["s1"]).post(f"/desk/workflow/{instance.pk}/edit/", TEST_ACCOUNT_FORM)
    assert response.status_code == 400
    assert "账号 ts003 已存在" in response.content.decode()
    instance.refresh_from_db()
    assert instance.status == Status.REJECTED


# ------------------------------------------------------------------------------------ 合同评审流程
def contract_form(**changes: Any) -> dict[str, Any]:
    form = {
        "name": "2026 年度短信服务合同",
        "urgency": "一般",
        "apply_date": "2026-11-20",
        "contract_type": "销售合同",
        "contract_entity": "",
        "valid_from": "2026-12-01",
        "valid_to": "2027-11-30",
        "monthly_volume": "100000",
        "amount": "48000",
        "unit_price": "0.04",
        "is_standard": "否",
        "auto_renew": "否",
        "draft_file": SimpleUploadedFile("合同草稿.docx", b"draft contract", content_type="application/octet-stream"),
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def intent_customer(people) -> Customer:
    return CustomerFactory.create(name="合同丁科技有限公司", owner=people["s1"], tier=Tier.INTENT, tier_since=LONG_AGO)


def signed_scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("盖章合同.pdf", b"%PDF signed", content_type="application/pdf")


def test_contract_review_walks_every_node_and_the_last_needs_the_signed_scan(people, intent_customer, media):
    page = as_user(people["s1"]).get(f"/desk/workflow/start/contract_review/?target={intent_customer.pk}")
    html = page.content.decode()
    labels = "合同名称 紧急程度 合同编号 流程自动生成 申请日期 合同类型 合同归属 开始有效期 结束有效期 月发送量"
    for label in [*labels.split(), "合同金额", "单价", "是否标准合同", "自动续签", "合同附件"]:
        assert label in html, label
    assert "双方盖章合同扫描件" not in html  # uploaded at the last node, not at the start

    response, instance = start(people["s1"], "contract_review", intent_customer, contract_form())
    assert instance is not None, response.content.decode()[:3000]
    contract = Contract.objects.get()
    assert re.fullmatch(rf"HT-{timezone.localtime(contract.created_at).year}-{contract.pk:06d}", contract.number or "")
    assert (contract.customer, contract.status, contract.valid_from, contract.valid_to, contract.name) == (
        intent_customer,
        ContractStatus.REVIEWING,
        date(2026, 12, 1),
        date(2027, 11, 30),
        "2026 年度短信服务合同",
    )
    draft = instance.attachments.get(name="合同草稿.docx")
    assert contract.draft_file.name == draft.file.name and contract.draft_file.read() == b"draft contract"
    assert instance.form_data["contract_number"] == contract.number
    assert (instance.form_data["amount"], instance.form_data["unit_price"]) == ("48000.00", "0.040000")
    assert str(contract.number) in as_user(people["leader"]).get(f"/desk/workflow/{instance.pk}/").content.decode()

    for who, node in [("leader", "销管"), ("sales_admin", "财务"), ("finance", "法务"), ("legal", "销售上传盖章合同")]:
        approve(people[who], instance)
        assert instance.current_node_name == node
    assert pending(instance) == ["t_sales1"]
    last_node = as_user(people["s1"]).get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "双方盖章合同扫描件" in last_node and 'name="signed_file"' in last_node

    # the last node cannot pass without the countersigned scan; nothing is kept of the try
    response = act(people["s1"], instance, "approve")
    assert response.status_code == 400
    assert "请先上传「双方盖章合同扫描件」，再通过「销售上传盖章合同」节点" in response.content.decode()
    response = act(people["s1"], instance, "approve", edit_form="1", **contract_form(draft_file=None))
    assert response.status_code == 400
    assert (instance.status, pending(instance)) == (Status.RUNNING, ["t_sales1"])
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REVIEWING and not contract.signed_file
    assert customer_state(intent_customer) == (Tier.INTENT, people["s1"].pk, LONG_AGO, None, None, None)

    # with the scan (and the end date corrected on the way) it archives
    approve(
        people["s1"],
        instance,
        edit_form="1",
        **contract_form(draft_file=None, valid_to="2027-12-31", signed_file=signed_scan()),
    )
    assert instance.status == Status.ARCHIVED
    contract.refresh_from_db()
    signed = instance.attachments.get(name="盖章合同.pdf")
    assert (contract.status, contract.archived_on, contract.valid_from, contract.valid_to) == (
        ContractStatus.ARCHIVED,
        today(),
        date(2026, 12, 1),
        date(2027, 12, 31),
    )
    assert contract.signed_file.name == signed.file.name and contract.draft_file.name == draft.file.name
    assert customer_state(intent_customer) == (Tier.CONTRACT, people["s1"].pk, today(), None, None, today())
    assert tier_changes(intent_customer) == [
        (Tier.INTENT, Tier.CONTRACT, TierRule.CONTRACT_REVIEW, today(), "t_sales1", "t_sales1")
    ]
    assert Contract.objects.count() == 1


def test_a_standard_auto_renewing_contract_skips_sales_admin_finance_and_legal(people, intent_customer):
    _, instance = start(
        people["s1"], "contract_review", intent_customer, contract_form(is_standard="是", auto_renew="是")
    )
    assert instance is not None
    approve(people["leader"], instance)
    assert [(e.node_name, e.opinion) for e in instance.timeline.filter(action=Action.AUTO_PASS)] == [
        (node, "满足条件: 自动续签 = 是 且 是否标准合同 = 是，系统自动通过") for node in ("销管", "财务", "法务")
    ]
    assert pending(instance) == ["t_sales1"]
    approve(
        people["s1"],
        instance,
        edit_form="1",
        **contract_form(draft_file=None, is_standard="是", auto_renew="是", signed_file=signed_scan()),
    )
    assert instance.status == Status.ARCHIVED
    assert customer_state(intent_customer)[0] == Tier.CONTRACT


def test_reject_voids_the_contract_and_a_resubmit_reopens_the_same_number(people, intent_customer):
    _, instance = start(people["s1"], "contract_review", intent_customer, contract_form())
    assert instance is not None
    approve(people["leader"], instance)
    number = Contract.objects.get().number
    act(people["sales_admin"], instance, "reject", opinion="有效期写错")
    contract = Contract.objects.get()
    assert (instance.status, contract.status) == (Status.REJECTED, ContractStatus.WITHDRAWN)

    response = as_user(people["s1"]).post(
        f"/desk/workflow/{instance.pk}/edit/",
        contract_form(draft_file=None, valid_from="2027-01-01", valid_to="2027-12-31"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    instance.refresh_from_db()
    contract = Contract.objects.get()
    assert (contract.number, contract.status, contract.valid_from, contract.valid_to) == (
        number,
        ContractStatus.REVIEWING,
        date(2027, 1, 1),
        date(2027, 12, 31),
    )
    assert instance.form_data["contract_number"] == number

    assert act(people["s1"], instance, "withdraw").status_code == 302
    contract.refresh_from_db()
    assert (instance.status, contract.status) == (Status.WITHDRAWN, ContractStatus.WITHDRAWN)
    assert customer_state(intent_customer) == (Tier.INTENT, people["s1"].pk, LONG_AGO, None, None, None)
    assert tier_changes(intent_customer) == []


def test_a_first_submit_never_takes_over_a_number_it_is_sent(people, intent_customer):
    """The number is the process's own: a draft carrying someone else's number still gets a new contract."""
    other = Contract.objects.create(customer=intent_customer, status=ContractStatus.WITHDRAWN)
    from sales_erp.workflow.services import draft_save

    draft_save(
        code="contract_review", user=people["s1"], data={"contract_number": other.number}, target=intent_customer
    )
    _, instance = start(people["s1"], "contract_review", intent_customer, contract_form(contract_number=other.number))
    assert instance is not None
    other.refresh_from_db()
    assert other.status == ContractStatus.WITHDRAWN
    assert instance.form_data["contract_number"] != other.number
    assert Contract.objects.get(number=instance.form_data["contract_number"]).status == ContractStatus.REVIEWING


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"valid_from": "2027-01-01", "valid_to": "2026-12-31"}, "valid_to", "结束有效期不能早于开始有效期"),
        ({"draft_file": None}, "draft_file", "该字段是必填项。"),
        ({"is_standard": ""}, "is_standard", "该字段是必填项。"),
        ({"amount": "12.345"}, "amount", "「合同金额」最多 2 位小数，「12.345」超过了"),
    ],
)
def test_contract_form_refusals_change_nothing(people, intent_customer, changes, field, message):
    before = everything()
    response, instance = start(people["s1"], "contract_review", intent_customer, contract_form(**changes))
    assert (response.status_code, instance) == (400, None)
    assert response.context["form"].errors[field] == [message]
    assert everything() == before


def test_a_pool_customer_needs_apply_customer_before_a_contract(people, pool_customer):
    before = everything()
    response, instance = start(people["s1"], "contract_review", pool_customer, contract_form())
    assert (response.status_code, instance) == (400, None)
    assert response.context["form"].non_field_errors() == [
        "该客户在公共池中，请先发起申请客户流程，归属您之后再做合同评审"
    ]
    assert everything() == before


# ------------------------------------------------------------------------------------ visibility, pages
def test_someone_elses_customer_or_product_is_404_for_every_process(people, intent_customer, intent_product):
    s2 = as_user(people["s2"])
    for code, target in [
        ("apply_customer", intent_customer),
        ("contract_review", intent_customer),
        ("test_account", intent_product),
    ]:
        url = f"/desk/workflow/start/{code}/?target={target.pk}"
        assert s2.get(url).status_code == 404, code
        before = everything()
        assert s2.post(url, {"target": target.pk, "reason": "x"}).status_code == 404, code
        assert everything() == before
    # the leader above s1 may start for the team's customers
    assert (
        as_user(people["leader"]).get(f"/desk/workflow/start/contract_review/?target={intent_customer.pk}").status_code
        == 200
    )


def test_customer_page_offers_what_fits_the_customer(people, pool_customer, intent_product):
    owned = intent_product.customer
    html = as_user(people["s1"]).get(f"/desk/customers/{owned.pk}/").content.decode()
    assert f"/desk/workflow/start/contract_review/?target={owned.pk}" in html
    assert f"/desk/workflow/start/test_account/?target={intent_product.pk}" in html
    assert "测试账号申请 · 行业短信" in html
    assert "/desk/workflow/start/apply_customer/" not in html
    html = as_user(people["s2"]).get(f"/desk/customers/{pool_customer.pk}/").content.decode()
    assert f"/desk/workflow/start/apply_customer/?target={pool_customer.pk}" in html
    assert "/desk/workflow/start/contract_review/" not in html
    # finance sees every customer but starts none of these
    html = as_user(people["finance"]).get(f"/desk/customers/{owned.pk}/").content.decode()
    assert "data-process-offers" not in html
    for code in ("apply_customer", "contract_review", "test_account"):
        assert f"/desk/workflow/start/{code}/" not in html, code
