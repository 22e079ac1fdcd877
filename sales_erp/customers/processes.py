"""The forms and effects of the processes that change customers (DESIGN §3, §6; manual 申请客户流程, 2.1, 2.2):
申请客户 (apply_customer), 测试账号申请 (test_account) and 合同评审 (contract_review).

Registered in hooks.PROCESSES. The forms parse and check what the salesperson fills in; the effects are
thin: each calls one customers service and turns its CustomerRefused into ProcessRefused, so the engine
keeps nothing of the refused action.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from sales_erp.customers.models import Contract, ContractStatus, Customer, Product, Tier
from sales_erp.customers.selectors import owner_ids_of
from sales_erp.customers.services import (
    POOL_CLAIMED,
    POOL_LEFT,
    CustomerRefused,
    account_codes_free_check,
    contract_archive,
    contract_create,
    contract_reopen,
    contract_terms_update,
    contract_withdraw,
    customer_test_account_grant,
    pool_assign,
    pool_claim,
    pool_release,
)
from sales_erp.customers.validators import ACCOUNT_SEPARATORS, account_codes_parse
from sales_erp.org.models import InvoicingEntity, User
from sales_erp.workbench.forms import AttachmentInput, MoneyField
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.forms import ProcessForm
from sales_erp.workflow.models import Action, Attachment, ProcessInstance

APPLY_ONLY_SALES = "只有销售（或部门领导）可以申请公共池客户"
CONTRACT_POOL = "该客户在公共池中，请先发起申请客户流程，归属您之后再做合同评审"
SIGNED_MISSING = "请先上传「双方盖章合同扫描件」，再通过「销售上传盖章合同」节点"
YES_NO = [("是", "是"), ("否", "否")]


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's date box reads ISO only


@contextmanager
def refused_as_process() -> Iterator[None]:
    """A customers service's refusal becomes the engine's: the sentence is shown, the action undone."""
    try:
        yield
    except CustomerRefused as refused:
        raise ProcessRefused(refused.message, code=refused.code) from None


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": "请输入内容"})


# ------------------------------------------------------------------------------------ 申请客户流程
class ApplyCustomerForm(ProcessForm):
    """申请客户流程 (manual): only the reason; the page's 附件 box takes supporting files."""

    reason = forms.CharField(label="申请理由", max_length=2000, widget=textarea(4))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, user = self.target, self.user
        if isinstance(user, User) and not owner_ids_of(user):
            raise ValidationError(APPLY_ONLY_SALES)
        # A friendly early answer; pool_claim (row lock at submit) is what decides a race.
        if isinstance(customer, Customer):
            if customer.tier != Tier.POOL:
                raise ValidationError(POOL_LEFT.format(owner=customer.owner or "其他销售"))
            if customer.claimed_by_id not in (None, getattr(user, "pk", None)):
                raise ValidationError(POOL_CLAIMED.format(holder=customer.claimed_by))
        return data


def customer_apply_submit(*, instance: ProcessInstance) -> None:
    """Submitted (or resubmitted): the customer leaves the pool; of two at once, the second is told who has it."""
    with refused_as_process():
        pool_claim(customer=instance.target_id, user=instance.initiator)  # type: ignore[arg-type]


def customer_apply_release(*, instance: ProcessInstance) -> None:
    """Rejected or withdrawn: the customer returns to the pool — if it is still this applicant's claim (a
    reject or withdraw is never refused: a customer taken meanwhile by a test account simply stays)."""
    customer = instance.target
    if (
        isinstance(customer, Customer)
        and customer.tier == Tier.POOL
        and customer.claimed_by_id == instance.initiator_id
    ):
        with refused_as_process():
            pool_release(customer=customer)


def customer_apply_archive(*, instance: ProcessInstance) -> None:
    """Archived: the applicant owns the customer as 意向客户 (funnel upgrade 1)."""
    with refused_as_process():
        pool_assign(customer=instance.target, user=instance.initiator)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- 测试账号申请流程
INTERFACE_TYPES = ["HTTP", "CMPP", "SMPP", "SGIP", "SMGP", "Web页面"]
ACCOUNT_TYPES = ["行业短信", "营销短信", "国际短信", "彩信", "语音"]
BILLING_TYPES = ["提交计费", "成功计费"]


def choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "请选择"), *((v, v) for v in values)]


class TestAccountForm(ProcessForm):
    """测试账号申请流程 (manual 2.1), started from a product; the accounts are opened on it at archive."""

    test_count = forms.IntegerField(label="测试条数", min_value=1, help_text="请填写整数")
    unit_price = MoneyField(label="单价", places=6, required=False)
    signature = forms.CharField(label="签名", max_length=100, help_text="短信中【】内的内容")
    report_ip = forms.CharField(
        label="上报IP地址", max_length=500, required=False, help_text="多个 IP 用换行或逗号分隔"
    )
    interface_type = forms.ChoiceField(label="接口类型", choices=choices(INTERFACE_TYPES))
    account_type = forms.ChoiceField(label="账号类型", choices=choices(ACCOUNT_TYPES))
    billing_type = forms.ChoiceField(label="计费类型", choices=choices(BILLING_TYPES), required=False)
    company_intro = forms.CharField(label="公司情况介绍", max_length=5000, widget=textarea(4))
    send_template = forms.CharField(
        label="发送模板", max_length=5000, widget=textarea(4), help_text="接收方收到的短信内容框架"
    )
    accounts = forms.CharField(
        label="测试账号",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "请输入账号"}),
        help_text="要开通的账号；账号之间用“换行”、“中文逗号”、“英文逗号”分隔均可",
    )

    def clean_report_ip(self) -> str:
        parts = [p.strip() for p in ACCOUNT_SEPARATORS.split(self.cleaned_data["report_ip"] or "") if p.strip()]
        for part in parts:
            try:
                validate_ipv46_address(part)
            except ValidationError:
                raise ValidationError(f"「{part}」不是有效的 IP 地址") from None
        return "\n".join(parts)

    def clean_accounts(self) -> str:
        codes = account_codes_parse(self.cleaned_data["accounts"])
        if not codes:
            raise ValidationError("请填写要开通的测试账号")
        try:
            account_codes_free_check(codes=codes)
        except CustomerRefused as refused:
            raise ValidationError(refused.message) from None
        return "\n".join(codes)


def test_account_codes(instance: ProcessInstance) -> list[str]:
    return account_codes_parse(instance.form_data.get("accounts", ""))


def test_account_submit(*, instance: ProcessInstance) -> None:
    """Submitted: the codes must still be free (the form checked them; a resubmit checks them again here)."""
    with refused_as_process():
        account_codes_free_check(codes=test_account_codes(instance))


def test_account_archive(*, instance: ProcessInstance) -> None:
    """Archived: the accounts are opened on the product; tier at least 测试客户 (a pool customer becomes
    the applicant's)."""
    product = instance.target
    assert isinstance(product, Product)
    with refused_as_process():
        customer_test_account_grant(product=product, codes=test_account_codes(instance), applicant=instance.initiator)


# ------------------------------------------------------------------------------------ 合同评审流程
URGENCIES = ["一般", "紧急", "特急"]
CONTRACT_TYPES = ["销售合同", "框架合同", "续签合同", "补充协议", "其他"]


class ContractReviewForm(ProcessForm):
    """合同评审流程 (manual 2.2). The number is generated at submit; the countersigned scan is uploaded at
    the last node (销售上传盖章合同), which cannot pass without it. The field names auto_renew and
    is_standard are what the default definition's auto-pass condition names (自动续签 = 是, 标准合同 = 是)."""

    name = forms.CharField(label="合同名称", max_length=200, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=choices(URGENCIES))
    contract_number = forms.CharField(
        label="合同编号", required=False, disabled=True, help_text="流程自动生成，不需要填写"
    )
    apply_date = forms.DateField(label="申请日期", initial=timezone.localdate, widget=date_input())
    contract_type = forms.ChoiceField(label="合同类型", choices=choices(CONTRACT_TYPES))
    contract_entity = forms.ChoiceField(label="合同归属", required=False, help_text="我司签约主体")
    valid_from = forms.DateField(label="开始有效期", required=False, widget=date_input())
    valid_to = forms.DateField(label="结束有效期", required=False, widget=date_input())
    monthly_volume = forms.IntegerField(label="月发送量", min_value=0, required=False)
    amount = MoneyField(label="合同金额", places=2, required=False)
    unit_price = MoneyField(label="单价", places=6, required=False)
    is_standard = forms.ChoiceField(label="是否标准合同", choices=YES_NO, initial="是")
    auto_renew = forms.ChoiceField(
        label="自动续签", choices=YES_NO, initial="否", help_text="自动续签的标准合同由系统自动通过销管、财务、法务节点"
    )
    draft_file = forms.FileField(label="合同附件", widget=AttachmentInput, help_text="供各审核部门评审的合同文本")
    signed_file = forms.FileField(
        label="双方盖章合同扫描件",
        required=False,
        widget=AttachmentInput,
        help_text="在「销售上传盖章合同」节点上传",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entities = list(InvoicingEntity.objects.order_by("-is_default", "name").values_list("name", flat=True))
        self.fields["contract_entity"].choices = choices(entities)  # type: ignore[attr-defined]
        if not (self.initial or {}).get("contract_number"):
            del self.fields["signed_file"]  # a new contract: the countersigned scan comes at the last node

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if isinstance(self.target, Customer) and self.target.tier == Tier.POOL:
            raise ValidationError(CONTRACT_POOL)
        start, end = data.get("valid_from"), data.get("valid_to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("valid_to", "结束有效期不能早于开始有效期")
        return data


def attachment_file_name(value: Any) -> str | None:
    """The stored file of a form's 附件 field ({id, name, size} in the form data)."""
    if not isinstance(value, dict) or not value.get("id"):
        return None
    attachment = Attachment.objects.filter(pk=value["id"]).first()
    return str(attachment.file.name) if attachment is not None else None


def contract_terms(instance: ProcessInstance) -> dict[str, Any]:
    data = instance.form_data
    return {
        "name": data.get("name") or "",
        "valid_from": date.fromisoformat(data["valid_from"]) if data.get("valid_from") else None,
        "valid_to": date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
        "draft_file": attachment_file_name(data.get("draft_file")),
    }


def contract_of(instance: ProcessInstance) -> Contract | None:
    number = instance.form_data.get("contract_number")
    if not number or instance.customer_id is None:
        return None
    return Contract.objects.filter(number=number, customer_id=instance.customer_id).first()


def contract_review_submit(*, instance: ProcessInstance) -> None:
    """Submitted: the contract exists under review with its number (HT-<year>-<id>), shown on the form.
    A resubmit after a reject reopens the same contract with the edited terms."""
    customer = instance.target
    assert isinstance(customer, Customer)
    resubmit = instance.timeline.filter(action=Action.REJECT).exists()
    existing = contract_of(instance) if resubmit else None  # a first submit never trusts a number it is sent
    with refused_as_process():
        if existing is not None and existing.status == ContractStatus.WITHDRAWN:
            contract = contract_reopen(contract=existing, **contract_terms(instance))
        else:
            contract = contract_create(customer=customer, user=instance.initiator, **contract_terms(instance))
    instance.form_data["contract_number"] = contract.number
    instance.save(update_fields=["form_data"])


def contract_review_archive(*, instance: ProcessInstance) -> None:
    """Archived: the contract binds with the terms as finally approved and the countersigned scan; the
    customer's contract date is set and it becomes 合同客户."""
    contract = contract_of(instance)
    if contract is None:
        raise ProcessRefused("找不到该流程的合同，请联系管理员", code="contract_missing")
    signed = attachment_file_name(instance.form_data.get("signed_file"))
    if not signed:
        raise ProcessRefused(SIGNED_MISSING, code="signed_missing")
    with refused_as_process():
        contract = contract_terms_update(contract=contract, **contract_terms(instance))
        contract_archive(contract=contract, applicant=instance.initiator, signed_file=signed)


def contract_review_withdraw(*, instance: ProcessInstance) -> None:
    """Rejected or withdrawn: the contract under review is void (a resubmit reopens it)."""
    contract = contract_of(instance)
    if contract is not None and contract.status == ContractStatus.REVIEWING:
        with refused_as_process():
            contract_withdraw(contract=contract)


# ------------------------------------------------------------------------------------ on the pages
def start_url(code: str, target: Model) -> str:
    return f"{reverse('workflow:start', args=[code])}?target={target.pk}"


def customer_processes_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 流程 panel (hooks.CUSTOMER_PAGE_PANELS): what this user may start about the
    customer (申请客户 for a pool customer, 合同评审 for an owned one, 测试账号 per product) and the
    processes about it they may see."""
    from sales_erp.workflow.selectors import instances_visible_to

    may_work = bool(owner_ids_of(user))
    offers: list[tuple[str, str]] = []
    if may_work and customer.tier == Tier.POOL and customer.claimed_by_id is None:
        offers.append(("申请客户", start_url("apply_customer", customer)))
    if may_work and customer.tier != Tier.POOL:
        offers.append(("合同评审", start_url("contract_review", customer)))
    if may_work and customer.claimed_by_id in (None, user.pk):
        for product in customer.products.order_by("name"):
            offers.append((f"测试账号申请 · {product.name}", start_url("test_account", product)))
    instances = (
        instances_visible_to(user).filter(customer=customer).select_related("initiator").order_by("-submitted_at")[:20]
    )
    if not offers and not instances:
        return None
    return {
        "title": "流程",
        "template": "customers/_processes_panel.html",
        "offers": offers,
        "instances": instances,
    }
