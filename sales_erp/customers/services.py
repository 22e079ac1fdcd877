"""Writes on customers and what hangs off them (DESIGN §2, §6; manual 1.1–1.4, 2.1, 2.2, 2.6).

The process effects of part 2 (apply_customer, test_account, contract_review, special_request) are thin
wrappers around the pool, account, contract and tier services here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from sales_erp.customers.models import (
    ACCOUNT_TRANSITIONS,
    CONTRACT_TRANSITIONS,
    Account,
    AccountRequest,
    AccountStatus,
    ChannelRegistration,
    Contract,
    ContractStatus,
    Customer,
    InvoiceKind,
    InvoiceTitle,
    Product,
    RequestType,
    Tier,
    TierChange,
    TierRule,
)
from sales_erp.customers.selectors import customer_name_check
from sales_erp.org.models import User

if TYPE_CHECKING:
    from sales_erp.workflow.models import ProcessInstance


class CustomerRefused(Exception):
    """A refused action on customer data. `message` is shown to the user as is and says what to fix."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


POOL_CLAIMED = "该客户已被 {holder} 申请，不能重复申请"
POOL_LEFT = "该客户已不在公共池中（已归属 {owner}）"
POOL_NOT_CLAIMED = "该客户没有正在进行的申请"
ACCOUNT_EXISTS = "账号 {codes} 已存在，账号在全系统内不能重复"
ACCOUNT_REMOVED = "账号 {codes} 已开通，不能在产品表单中删除；不再使用的账号请封停"
ACCOUNT_TRANSITION = "账号 {name} 当前状态为“{status}”，不能改为“{target}”"
CONTRACT_TRANSITION = "合同 {name} 当前状态为“{status}”，不能改为“{target}”"
INVOICE_TITLE_INCOMPLETE = "{kind}需要完整的开票信息，缺少：{fields}"
POOL_HAS_NO_OWNER = "公共池客户没有归属销售；要分配给销售，请由销售在公共池申请该客户"
OWNER_REQUIRED = "请选择归属销售（只有公共池客户没有归属销售）"

# Top to bottom (DESIGN §6); a higher rank is a higher tier.
TIER_RANK = {Tier.POOL: 0, Tier.SILENT: 1, Tier.INTENT: 2, Tier.TEST: 3, Tier.CONTRACT: 4}


# ------------------------------------------------------------------------------------------- customers
def _refuse_taken_name(*, customer: Customer, user: User) -> None:
    check = customer_name_check(name=customer.name, user=user, exclude_pk=customer.pk)
    if check.taken:
        raise CustomerRefused(check.message, code=f"name_{check.status}")


def _save_named(customer: Customer, **kwargs) -> None:
    # The unique name_key is the last guard when two people add the same company at the same moment.
    try:
        with transaction.atomic():
            customer.save(**kwargs)
    except IntegrityError as exc:
        if "name_key" not in str(exc):
            raise
        raise CustomerRefused("该公司刚刚已被添加，不能重复添加", code="name_race") from None


@transaction.atomic
def customer_create(*, customer: Customer, user: User) -> Customer:
    """Save a new customer (manual 1.1): new customers are 意向客户, owned by the salesperson adding them.

    A see-all user (销管, admin) adding a customer may name another owner; without one they own it.
    """
    if not (user.sees_all_customers and customer.owner_id):
        customer.owner = user
    customer.tier = Tier.INTENT
    customer.tier_since = timezone.localdate()
    customer.created_by = user
    customer.full_clean(exclude=["owner", "created_by"])
    _refuse_taken_name(customer=customer, user=user)
    _save_named(customer)
    return customer


def customer_owner_problem(*, tier: str, owner: User | None) -> str | None:
    """Tiers above the pool have exactly one owner; the pool has none (DESIGN §6)."""
    if tier == Tier.POOL and owner is not None:
        return POOL_HAS_NO_OWNER
    if tier != Tier.POOL and owner is None:
        return OWNER_REQUIRED
    return None


@transaction.atomic
def customer_update(*, customer: Customer, user: User, fields: Iterable[str] | None = None) -> Customer:
    """Save edits to a customer's information; tier, owner and contract date change only through their
    own services (processes, the funnel, tier corrections)."""
    problem = customer_owner_problem(tier=customer.tier, owner=customer.owner)
    if problem:
        raise CustomerRefused(problem, code="owner")
    customer.full_clean(exclude=["owner", "created_by"])
    _refuse_taken_name(customer=customer, user=user)
    _save_named(customer, update_fields=list(fields) if fields is not None else None)
    return customer


def customer_tier_change(
    *,
    customer: Customer,
    to_tier: Tier,
    rule: TierRule,
    day: date | None = None,
    user: User | None = None,
    owner: User | None = None,
) -> TierChange:
    """Move one customer to `to_tier` and record it (from, to, rule, date).

    Going to the pool clears the owner; leaving the pool needs `owner` (the applicant). The daily funnel
    moves many customers at once in SQL (customers.funnel) and records the same TierChange rows.
    """
    day = day or timezone.localdate()
    from_tier = customer.tier
    if to_tier == Tier.POOL:
        salesperson, customer.owner = customer.owner, None
    else:
        if owner is not None:
            customer.owner = owner
        salesperson = customer.owner
    customer.tier, customer.tier_since = to_tier, day
    customer.claimed_by, customer.claimed_at = None, None
    customer.save(update_fields=["tier", "tier_since", "owner", "claimed_by", "claimed_at"])
    return TierChange.objects.create(
        customer=customer,
        from_tier=from_tier,
        to_tier=to_tier,
        rule=rule,
        date=day,
        salesperson=salesperson,
        changed_by=user,
    )


def customer_tier_raise(
    *, customer: Customer, at_least: Tier, rule: TierRule, applicant: User, day: date | None = None
) -> TierChange | None:
    """Lift a customer to `at_least` unless it already stands there or higher (a process's archive).

    A pool customer becomes the applicant's (DESIGN §3, test_account).
    """
    if TIER_RANK[Tier(customer.tier)] >= TIER_RANK[at_least]:
        return None
    owner = applicant if customer.tier == Tier.POOL else None
    return customer_tier_change(customer=customer, to_tier=at_least, rule=rule, day=day, user=applicant, owner=owner)


# ---------------------------------------------------------------------------------------- public pool
@transaction.atomic
def pool_claim(*, customer: Customer | int, user: User) -> Customer:
    """A salesperson applies for a pool customer (申请客户 submitted): it leaves the pool at once.

    The row is locked first, so of two salespeople applying at the same moment exactly one wins; the
    other is told who has it. On SQLite the IMMEDIATE transaction serialises the two the same way.
    """
    pk = customer if isinstance(customer, int) else customer.pk
    locked = Customer.objects.select_for_update().get(pk=pk)
    if locked.claimed_by is not None:
        raise CustomerRefused(POOL_CLAIMED.format(holder=locked.claimed_by), code="pool_claimed")
    if locked.tier != Tier.POOL:
        owner = locked.owner or "其他销售"
        raise CustomerRefused(POOL_LEFT.format(owner=owner), code="pool_left")
    locked.claimed_by, locked.claimed_at = user, timezone.now()
    locked.save(update_fields=["claimed_by", "claimed_at"])
    return locked


@transaction.atomic
def pool_release(*, customer: Customer) -> Customer:
    """申请客户 rejected or withdrawn: the customer returns to the pool for everyone."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.tier != Tier.POOL or locked.claimed_by_id is None:
        raise CustomerRefused(POOL_NOT_CLAIMED, code="pool_not_claimed")
    locked.claimed_by, locked.claimed_at = None, None
    locked.save(update_fields=["claimed_by", "claimed_at"])
    return locked


@transaction.atomic
def pool_assign(*, customer: Customer, user: User, day: date | None = None) -> TierChange:
    """申请客户 archived (upgrade 1): the applicant owns the customer as 意向客户; others no longer see it."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.tier != Tier.POOL:
        owner = locked.owner or "其他销售"
        raise CustomerRefused(POOL_LEFT.format(owner=owner), code="pool_left")
    return customer_tier_change(
        customer=locked, to_tier=Tier.INTENT, rule=TierRule.APPLY_CUSTOMER, day=day, user=user, owner=user
    )


# ----------------------------------------------------------------------------------- products, accounts
def _refuse_existing_codes(codes: list[str], *, exclude_product: Product | None = None) -> None:
    if not codes:
        return
    existing = Account.objects.annotate(folded=Lower("code")).filter(folded__in=[c.lower() for c in codes])
    if exclude_product is not None:
        existing = existing.exclude(product=exclude_product)
    taken = sorted(existing.values_list("code", flat=True))
    if taken:
        raise CustomerRefused(ACCOUNT_EXISTS.format(codes="、".join(taken)), code="account_exists")


def account_codes_free_check(*, codes: list[str]) -> None:
    """Refuse codes already opened anywhere (case-insensitive), naming them: a 测试账号申请 checks its
    codes when it is submitted, long before 技术支持 opens them at archive."""
    _refuse_existing_codes(codes)


def accounts_create(*, product: Product, codes: list[str]) -> list[Account]:
    """Open accounts on a product. Codes are unique system-wide (case-insensitive); all or none."""
    _refuse_existing_codes(codes)
    accounts = [Account(product=product, code=code) for code in codes]
    with transaction.atomic():
        return bulk_create_with_history(accounts, Account)


def product_accounts_check(*, product: Product, codes: list[str]) -> list[str]:
    """What saving `codes` in the product's account box would open; refuses what it may not do.

    A code already opened on the product stays; a new code must be free system-wide; removing an opened
    account here is refused (usage and bills refer to it — block it instead).
    """
    existing = {} if product.pk is None else {a.code.lower(): a.code for a in product.accounts.all()}
    wanted = {code.lower() for code in codes}
    removed = sorted(code for folded, code in existing.items() if folded not in wanted)
    if removed:
        raise CustomerRefused(ACCOUNT_REMOVED.format(codes="、".join(removed)), code="account_removed")
    new_codes = [code for code in codes if code.lower() not in existing]
    _refuse_existing_codes(new_codes)
    return new_codes


@transaction.atomic
def product_save(*, product: Product, account_codes: list[str]) -> Product:
    """Save a product with the accounts of its account box (manual 1.4), all or nothing."""
    new_codes = product_accounts_check(product=product, codes=account_codes)
    product.full_clean()
    product.save()
    accounts_create(product=product, codes=new_codes)
    return product


PAYMENT_TERM_RANGE = "账期为 1–12 个月，不能是 {months}"


@transaction.atomic
def product_payment_term_set(*, product: Product, months: int, user: User | None, reason: str = "") -> Product:
    """账期更改流程 archived: the product's payment term (账期) becomes `months`; new bills are due that much
    later (billing.services.bills_due_date_recompute moves the open ones). The history records `reason`."""
    if not 1 <= months <= 12:
        raise CustomerRefused(PAYMENT_TERM_RANGE.format(months=months), code="payment_term")
    locked = Product.objects.select_for_update().get(pk=product.pk)
    locked.payment_term_months = months
    locked._history_user = user  # type: ignore[attr-defined]
    locked._change_reason = reason[:100]  # type: ignore[attr-defined]
    locked.save(update_fields=["payment_term_months"])
    return locked


def _status_move(model: type[Account] | type[Contract], *, pk: int, target: str, refusal: str, code: str):
    """Lock the row and check `target` against the model's transition map; the caller saves the move."""
    locked = model.objects.select_for_update().get(pk=pk)
    transitions = ACCOUNT_TRANSITIONS if model is Account else CONTRACT_TRANSITIONS
    if target not in transitions[locked.status]:
        label = dict(model._meta.get_field("status").choices or [])[target]
        raise CustomerRefused(
            refusal.format(name=locked, status=locked.get_status_display(), target=label),
            code=code,
        )
    locked.status = target
    return locked


@transaction.atomic
def account_transition(*, account: Account, target: AccountStatus) -> Account:
    locked = _status_move(Account, pk=account.pk, target=target, refusal=ACCOUNT_TRANSITION, code="account_transition")
    locked.save(update_fields=["status"])
    return locked


def account_block(*, account: Account) -> Account:
    return account_transition(account=account, target=AccountStatus.BLOCKED)


def account_unblock(*, account: Account) -> Account:
    """客服特殊申请 · 账号解禁 archived: the account sends again."""
    return account_transition(account=account, target=AccountStatus.ACTIVE)


@transaction.atomic
def customer_test_account_grant(
    *, product: Product, codes: list[str], applicant: User, day: date | None = None
) -> list[Account]:
    """测试账号申请 archived: the accounts are opened on the product, the customer is marked as holding an
    approved test account and rises to at least 测试客户 (a pool customer becomes the applicant's)."""
    day = day or timezone.localdate()
    accounts = accounts_create(product=product, codes=codes)
    customer = Customer.objects.select_for_update().get(pk=product.customer_id)
    customer.test_account_approved_on = day
    customer.save(update_fields=["test_account_approved_on"])
    customer_tier_raise(customer=customer, at_least=Tier.TEST, rule=TierRule.TEST_ACCOUNT, applicant=applicant, day=day)
    return accounts


# ------------------------------------------------------------------------------------------- contracts
def contract_create(
    *,
    customer: Customer,
    user: User,
    name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    draft_file=None,
) -> Contract:
    """合同评审 submitted: the contract exists, under review, with its generated number (HT-2026-000123)."""
    contract = Contract(
        customer=customer, name=name, valid_from=valid_from, valid_to=valid_to, created_by=user, draft_file=draft_file
    )
    try:
        contract.full_clean(exclude=["number", "draft_file", "signed_file"])
    except ValidationError as exc:
        raise CustomerRefused("；".join(exc.messages), code="contract_invalid") from None
    contract.save()
    return contract


def _contract_terms_set(
    contract: Contract, *, name: str, valid_from: date | None, valid_to: date | None, draft_file=None
) -> list[str]:
    contract.name, contract.valid_from, contract.valid_to = name, valid_from, valid_to
    fields = ["name", "valid_from", "valid_to"]
    if draft_file is not None:
        contract.draft_file = draft_file
        fields.append("draft_file")
    try:
        contract.full_clean(exclude=["number", "draft_file", "signed_file"])
    except ValidationError as exc:
        raise CustomerRefused("；".join(exc.messages), code="contract_invalid") from None
    return fields


@transaction.atomic
def contract_terms_update(
    *, contract: Contract, name: str, valid_from: date | None, valid_to: date | None, draft_file=None
) -> Contract:
    """A contract under review takes the terms its process holds now (an approver edited them, or the
    salesperson at 销售上传盖章合同)."""
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.status != ContractStatus.REVIEWING:
        raise CustomerRefused(
            CONTRACT_TRANSITION.format(name=locked, status=locked.get_status_display(), target="评审中"),
            code="contract_transition",
        )
    fields = _contract_terms_set(locked, name=name, valid_from=valid_from, valid_to=valid_to, draft_file=draft_file)
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def contract_reopen(
    *, contract: Contract, name: str, valid_from: date | None, valid_to: date | None, draft_file=None
) -> Contract:
    """合同评审 resubmitted after a reject: the same contract (same number) is under review again."""
    locked = _contract_move(contract, ContractStatus.REVIEWING)
    fields = _contract_terms_set(locked, name=name, valid_from=valid_from, valid_to=valid_to, draft_file=draft_file)
    locked.save(update_fields=["status", *fields])
    return locked


def _contract_move(contract: Contract, target: ContractStatus) -> Contract:
    return _status_move(
        Contract, pk=contract.pk, target=target, refusal=CONTRACT_TRANSITION, code="contract_transition"
    )


@transaction.atomic
def contract_archive(*, contract: Contract, applicant: User, day: date | None = None, signed_file=None) -> Contract:
    """合同评审 archived: the contract binds, the customer's contract date is set and it becomes 合同客户."""
    day = day or timezone.localdate()
    locked = _contract_move(contract, ContractStatus.ARCHIVED)
    locked.archived_on = day
    fields = ["status", "archived_on"]
    if signed_file is not None:
        locked.signed_file = signed_file
        fields.append("signed_file")
    locked.save(update_fields=fields)
    customer = Customer.objects.select_for_update().get(pk=locked.customer_id)
    customer.contract_date = day
    customer.save(update_fields=["contract_date"])
    customer_tier_raise(
        customer=customer, at_least=Tier.CONTRACT, rule=TierRule.CONTRACT_REVIEW, applicant=applicant, day=day
    )
    return locked


@transaction.atomic
def contract_withdraw(*, contract: Contract) -> Contract:
    locked = _contract_move(contract, ContractStatus.WITHDRAWN)
    locked.save(update_fields=["status"])
    return locked


# -------------------------------------------------------------------------------------- invoice titles
INVOICE_TITLE_FIELDS = {
    "company_name": "公司名称",
    "tax_id": "税务号",
    "address": "公司地址",
    "phone": "联系电话",
    "bank": "开户银行",
    "bank_account": "银行账号",
}


def invoice_title_missing_fields(title: InvoiceTitle, invoice_type: str) -> list[str]:
    """The labels of what `title` lacks for `invoice_type` (manual 1.1, 3.2): 普票 needs the company name
    and tax ID; 专票 needs all six fields. Empty list: the title is complete enough."""
    needed = ("company_name", "tax_id") if invoice_type == InvoiceKind.ORDINARY else tuple(INVOICE_TITLE_FIELDS)
    return [INVOICE_TITLE_FIELDS[field] for field in needed if not str(getattr(title, field) or "").strip()]


def invoice_title_check(*, title: InvoiceTitle, invoice_type: str) -> None:
    """Refuse an invoice on an incomplete title, naming what is missing."""
    missing = invoice_title_missing_fields(title, invoice_type)
    if missing:
        kind = InvoiceKind(invoice_type).label
        raise CustomerRefused(
            INVOICE_TITLE_INCOMPLETE.format(kind=kind, fields="、".join(missing)), code="invoice_title_incomplete"
        )


# ----------------------------------------------------------------- channel registrations, special requests
@transaction.atomic
def channel_registration_create(
    *,
    account: Account,
    signature: str,
    channel_type: str,
    sub_number: str = "",
    industry: str,
    description: str,
    user: User | None,
    process: ProcessInstance | None = None,
    day: date | None = None,
) -> ChannelRegistration:
    """通道报备 archived at 资源部: the signature (and sub-number) is registered on the account."""
    registration = ChannelRegistration(
        account=account,
        signature=signature,
        channel_type=channel_type,
        sub_number=sub_number,
        industry=industry,
        description=description,
        registered_on=day or timezone.localdate(),
        registered_by=user,
        process=process,
    )
    registration.full_clean(exclude=["account", "registered_by", "process"])
    registration._history_user = user  # type: ignore[attr-defined]
    registration.save()
    return registration


REQUEST_OUTCOMES = {
    RequestType.DETAIL_EXPORT: "同意导出 {start} 至 {end} 的详单",
    RequestType.SUB_NUMBER: "子号码申请已批准",
    RequestType.UNBLOCK: "账号已解禁",
    RequestType.GREEN: "已列为绿色客户",
    RequestType.THREE_NETWORK: "三网合一产品已批准",
    RequestType.SENSITIVE_WORDS: "敏感词排除已批准",
}
UNBLOCK_ALREADY_ACTIVE = "账号已是正常状态（无需解禁）"


@transaction.atomic
def account_request_grant(
    *,
    account: Account,
    request_type: str,
    description: str,
    start_date: date | None = None,
    end_date: date | None = None,
    user: User | None,
    process: ProcessInstance | None = None,
    day: date | None = None,
) -> AccountRequest:
    """客服特殊申请 archived: 账号解禁 unblocks the account; every type is recorded on the account (what was
    granted, when, by whom) so operations carry it out and anyone looking at the account sees it."""
    outcome = REQUEST_OUTCOMES[RequestType(request_type)].format(start=start_date, end=end_date)
    if request_type == RequestType.UNBLOCK:
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.status == AccountStatus.BLOCKED:
            account_unblock(account=locked)
        else:
            outcome = UNBLOCK_ALREADY_ACTIVE  # unblocked by hand meanwhile: record the approval all the same
    record = AccountRequest(
        account=account,
        request_type=request_type,
        start_date=start_date,
        end_date=end_date,
        description=description,
        outcome=outcome,
        granted_on=day or timezone.localdate(),
        granted_by=user,
        process=process,
    )
    record._history_user = user  # type: ignore[attr-defined]
    record.save()
    return record
