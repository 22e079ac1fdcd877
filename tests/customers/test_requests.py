"""通道报备流程 (channel_report, manual 2.3) and 客服特殊申请流程 (special_request, manual 2.6) through the desk:
each walks its nodes as the right roles, its archive writes exactly its record on the account (账号解禁 also
unblocks it), reject changes nothing, a refused form keeps nothing, another salesperson's account is 404."""

from __future__ import annotations

import html

import pytest
from django.utils import timezone

from sales_erp.customers.models import AccountRequest, AccountStatus, ChannelRegistration
from sales_erp.org.roles import Role
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import AccountFactory, UserFactory, sales_team
from tests.workflow.state import pending, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    team = sales_team()
    team["account_manager"] = UserFactory.create(username="t_rq_am", roles=[Role.ACCOUNT_MANAGER])
    team["resource"] = UserFactory.create(username="t_rq_res", roles=[Role.RESOURCE])
    team["risk"] = UserFactory.create(username="t_rq_risk", roles=[Role.RISK_EXPERT])
    team["ops_vp"] = UserFactory.create(username="t_rq_vp", roles=[Role.OPS_VP])
    team["outsider"] = UserFactory.create(username="t_rq_outsider", roles=[Role.SALES])
    return team


@pytest.fixture
def account(people):
    return AccountFactory.create(code="DH8560", product__customer__owner=people["s1"])


def url(code: str, account) -> str:
    return f"/desk/workflow/start/{code}/?target={account.pk}"


def act(client, user, instance, action, **extra):
    client.force_login(user)
    return client.post(f"/desk/workflow/{instance.pk}/act/", {"action": action, **extra})


def start(client, people, code, account, data) -> ProcessInstance:
    client.force_login(people["s1"])
    response = client.post(url(code, account), data)
    assert response.status_code == 302, html.unescape(response.content.decode())
    return ProcessInstance.objects.get(code=code)


CHANNEL = {
    "signature": "【大汉三通】",
    "channel_type": "sms",
    "sub_number": "10690001",
    "industry": "I",
    "description": "客户验证码短信通道报备",
}


# ------------------------------------------------------------------------------------------ channel_report
def test_channel_report_walks_account_manager_and_resource_and_registers_the_signature(client, people, account):
    client.force_login(people["s1"])
    page = html.unescape(client.get(url("channel_report", account)).content.decode())
    assert "发起通道报备流程" in page and "流程节点顺序：发起人 → 客户维护专员 → 资源部" in page
    assert "I 信息传输、软件和信息技术服务业" in page and "签名即【】内的内容" in page

    instance = start(client, people, "channel_report", account, CHANNEL)

    assert instance.form_data == {**CHANNEL, "signature": "大汉三通", "materials": None}
    assert pending(instance) == ["t_rq_am"]
    assert act(client, people["account_manager"], instance, "approve").status_code == 302
    assert not ChannelRegistration.objects.exists()
    assert pending(instance) == ["t_rq_res"]
    assert act(client, people["resource"], instance, "approve", opinion="已报备").status_code == 302

    instance.refresh_from_db()
    registration = ChannelRegistration.objects.get()
    assert instance.status == Status.ARCHIVED
    assert (
        registration.account,
        registration.signature,
        registration.channel_type,
        registration.sub_number,
        registration.industry,
        registration.description,
        registration.registered_on,
        registration.registered_by,
        registration.process,
    ) == (
        account,
        "大汉三通",
        "sms",
        "10690001",
        "I",
        "客户验证码短信通道报备",
        timezone.localdate(),
        people["resource"],
        instance,
    )
    client.force_login(people["s1"])
    customer_page = client.get(f"/desk/customers/{account.product.customer_id}/").content.decode()
    assert "【大汉三通】" in customer_page and "10690001" in customer_page
    assert f"/desk/workflow/start/channel_report/?target={account.pk}" in customer_page


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("sub_number", "1069a", "子号码只能是数字，「1069a」不是"),
        ("signature", "【】", "请填写签名（【】内的内容，如 大汉三通）"),
        ("industry", "", "请选择行业"),
    ],
)
def test_a_bad_channel_report_is_refused_naming_the_field_and_nothing_is_kept(
    client, people, account, field, value, error
):
    client.force_login(people["s1"])
    before = state()

    response = client.post(url("channel_report", account), {**CHANNEL, field: value})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [error]
    assert state() == before
    assert not ChannelRegistration.objects.exists()


def test_a_rejected_channel_report_registers_nothing(client, people, account):
    instance = start(client, people, "channel_report", account, CHANNEL)
    act(client, people["account_manager"], instance, "approve")
    assert act(client, people["resource"], instance, "reject", opinion="签名不合规").status_code == 302
    instance.refresh_from_db()
    assert instance.status == Status.REJECTED
    assert not ChannelRegistration.objects.exists()


# ----------------------------------------------------------------------------------------- special_request
def test_unblock_request_walks_risk_and_ops_vp_and_unblocks_the_account(client, people, account):
    account.status = AccountStatus.BLOCKED
    account.save(update_fields=["status"])
    client.force_login(people["s1"])
    page = html.unescape(client.get(url("special_request", account)).content.decode())
    assert "流程节点顺序：发起人 → 风控专家 → 运营副总" in page
    assert '<div data-for-type="detail_export" class="grid gap-4 md:grid-cols-2" hidden>' in page
    assert 'document.querySelectorAll("[data-for-type]")' in page

    instance = start(
        client, people, "special_request", account, {"request_type": "unblock", "description": "客户已整改"}
    )

    assert pending(instance) == ["t_rq_risk"]
    assert act(client, people["risk"], instance, "approve").status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.BLOCKED  # only the archive unblocks
    assert act(client, people["ops_vp"], instance, "approve").status_code == 302

    account.refresh_from_db()
    record = AccountRequest.objects.get()
    assert account.status == AccountStatus.ACTIVE
    assert (record.account, record.request_type, record.outcome, record.description, record.granted_by) == (
        account,
        "unblock",
        "账号已解禁",
        "客户已整改",
        people["ops_vp"],
    )
    assert (record.start_date, record.end_date, record.granted_on, record.process) == (
        None,
        None,
        timezone.localdate(),
        instance,
    )


def test_detail_export_needs_its_dates_naming_the_missing_one(client, people, account):
    client.force_login(people["s1"])
    before = state()

    response = client.post(
        url("special_request", account),
        {"request_type": "detail_export", "end_date": "2026-10-31", "description": "客户对账需要详单"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"start_date": ["详单导出请填写开始日期"]}
    assert "详单导出请填写开始日期" in response.content.decode()
    assert state() == before
    response = client.post(
        url("special_request", account),
        {
            "request_type": "detail_export",
            "start_date": "2026-10-31",
            "end_date": "2026-10-01",
            "description": "x",
        },
    )
    assert response.context["form"].errors == {"end_date": ["结束日期 2026-10-01 不能早于开始日期 2026-10-31"]}
    assert state() == before


def test_detail_export_is_recorded_with_its_dates(client, people, account):
    data = {
        "request_type": "detail_export",
        "start_date": "2026-10-01",
        "end_date": "2026-10-31",
        "description": "客户对账需要详单",
    }
    instance = start(client, people, "special_request", account, data)
    act(client, people["risk"], instance, "approve")
    act(client, people["ops_vp"], instance, "approve")

    record = AccountRequest.objects.get()
    assert (record.request_type, str(record.start_date), str(record.end_date), record.outcome) == (
        "detail_export",
        "2026-10-01",
        "2026-10-31",
        "同意导出 2026-10-01 至 2026-10-31 的详单",
    )
    assert account.status == AccountStatus.ACTIVE


@pytest.mark.parametrize(
    ("request_type", "outcome"),
    [
        ("sub_number", "子号码申请已批准"),
        ("green", "已列为绿色客户"),
        ("three_network", "三网合一产品已批准"),
        ("sensitive_words", "敏感词排除已批准"),
    ],
)
def test_other_types_ignore_the_export_dates_and_are_recorded(client, people, account, request_type, outcome):
    data = {"request_type": request_type, "start_date": "不是日期", "end_date": "", "description": "客户申请"}
    instance = start(client, people, "special_request", account, data)

    assert (instance.form_data["start_date"], instance.form_data["end_date"]) == (None, None)
    act(client, people["risk"], instance, "approve")
    act(client, people["ops_vp"], instance, "approve")
    record = AccountRequest.objects.get()
    assert (record.request_type, record.outcome, record.start_date) == (request_type, outcome, None)


def test_unblocking_an_active_account_is_refused(client, people, account):
    client.force_login(people["s1"])
    before = state()
    response = client.post(url("special_request", account), {"request_type": "unblock", "description": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"request_type": ["账号 DH8560 当前状态为“正常”，无需解禁"]}
    assert state() == before


def test_the_description_is_required_for_every_type(client, people, account):
    client.force_login(people["s1"])
    response = client.post(url("special_request", account), {"request_type": "green", "description": ""})
    assert response.context["form"].errors == {"description": ["请填写申请说明"]}


def test_rejected_or_withdrawn_special_requests_change_nothing(client, people, account):
    account.status = AccountStatus.BLOCKED
    account.save(update_fields=["status"])
    instance = start(client, people, "special_request", account, {"request_type": "unblock", "description": "请解禁"})
    act(client, people["risk"], instance, "approve")
    assert act(client, people["ops_vp"], instance, "reject", opinion="风险未排除").status_code == 302
    assert act(client, people["s1"], instance, "withdraw").status_code == 302

    account.refresh_from_db()
    instance.refresh_from_db()
    assert (instance.status, account.status) == (Status.WITHDRAWN, AccountStatus.BLOCKED)
    assert not AccountRequest.objects.exists()


@pytest.mark.parametrize("code", ["channel_report", "special_request"])
def test_another_salespersons_account_is_404(client, people, account, code):
    client.force_login(people["outsider"])
    assert client.get(url(code, account)).status_code == 404
    assert client.post(url(code, account), {**CHANNEL, "request_type": "green"}).status_code == 404
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()
