"""The services the process effects of part 2 call: accounts (test_account, 账号解禁), contracts
(contract_review) and tier raises — each with its refusals."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from sales_erp.customers.models import (
    Account,
    AccountStatus,
    Contract,
    ContractStatus,
    Customer,
    Tier,
    TierChange,
    TierRule,
)
from sales_erp.customers.services import (
    CustomerRefused,
    account_block,
    account_unblock,
    accounts_create,
    contract_archive,
    contract_create,
    contract_withdraw,
    customer_test_account_grant,
    customer_tier_change,
)
from tests.factories import AccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_accounts_create_all_or_nothing(team):
    AccountFactory.create(code="TAKEN")
    product = ProductFactory.create(customer=CustomerFactory.create(owner=team["s1"]))
    with pytest.raises(CustomerRefused) as refused:
        accounts_create(product=product, codes=["NEW1", "taken"])
    assert refused.value.message == "账号 TAKEN 已存在，账号在全系统内不能重复"
    assert product.accounts.count() == 0
    created = accounts_create(product=product, codes=["NEW1", "NEW2"])
    assert [a.code for a in created] == ["NEW1", "NEW2"]
    assert all(a.history.count() == 1 for a in Account.objects.filter(product=product))


def test_block_and_unblock_follow_the_transition_map(team):
    account = AccountFactory.create(code="X1")
    with pytest.raises(CustomerRefused) as refused:
        account_unblock(account=account)
    assert refused.value.message == "账号 X1 当前状态为“正常”，不能改为“正常”"
    assert account_block(account=account).status == AccountStatus.BLOCKED
    assert account_unblock(account=account).status == AccountStatus.ACTIVE
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_test_account_grant_opens_accounts_raises_tier_and_marks_the_customer(team):
    customer = CustomerFactory.create(owner=team["s1"], tier=Tier.INTENT)
    product = ProductFactory.create(customer=customer)
    customer_test_account_grant(product=product, codes=["T-001"], applicant=team["s1"], day=date(2026, 11, 20))
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_since, customer.test_account_approved_on) == (
        Tier.TEST,
        date(2026, 11, 20),
        date(2026, 11, 20),
    )
    assert list(product.accounts.values_list("code", flat=True)) == ["T-001"]
    assert TierChange.objects.get().rule == TierRule.TEST_ACCOUNT


def test_test_account_on_a_pool_customer_makes_it_the_applicants(team):
    customer = CustomerFactory.create(owner=None, tier=Tier.POOL)
    product = ProductFactory.create(customer=customer)
    customer_test_account_grant(product=product, codes=["T-002"], applicant=team["s2"])
    customer.refresh_from_db()
    assert (customer.tier, customer.owner) == (Tier.TEST, team["s2"])


def test_test_account_never_lowers_a_contract_customer(team):
    customer = CustomerFactory.create(owner=team["s1"], tier=Tier.CONTRACT)
    customer_test_account_grant(product=ProductFactory.create(customer=customer), codes=["T-003"], applicant=team["s1"])
    customer.refresh_from_db()
    assert customer.tier == Tier.CONTRACT
    assert TierChange.objects.count() == 0


def test_contract_number_generated_and_archive_makes_a_contract_customer(team):
    customer = CustomerFactory.create(owner=team["s1"], tier=Tier.TEST)
    contract = contract_create(
        customer=customer, user=team["s1"], valid_from=date(2026, 12, 1), valid_to=date(2027, 11, 30)
    )
    assert contract.number == f"HT-{timezone.localdate().year}-{contract.pk:06d}"
    assert contract.status == ContractStatus.REVIEWING
    contract_archive(contract=contract, applicant=team["s1"], day=date(2026, 11, 28))
    contract.refresh_from_db()
    customer.refresh_from_db()
    assert (contract.status, contract.archived_on) == (ContractStatus.ARCHIVED, date(2026, 11, 28))
    assert (customer.tier, customer.contract_date) == (Tier.CONTRACT, date(2026, 11, 28))
    assert TierChange.objects.get().rule == TierRule.CONTRACT_REVIEW
    with pytest.raises(CustomerRefused, match="当前状态为“已归档”，不能改为“已撤回”"):
        contract_withdraw(contract=contract)


def test_contract_dates_in_the_wrong_order_refused(team):
    customer = CustomerFactory.create(owner=team["s1"])
    with pytest.raises(CustomerRefused):
        contract_create(customer=customer, user=team["s1"], valid_from=date(2027, 1, 1), valid_to=date(2026, 1, 1))
    assert Contract.objects.count() == 0


def test_withdrawn_contract_cannot_be_archived(team):
    contract = contract_create(customer=CustomerFactory.create(owner=team["s1"]), user=team["s1"])
    contract_withdraw(contract=contract)
    with pytest.raises(CustomerRefused, match="不能改为“已归档”"):
        contract_archive(contract=contract, applicant=team["s1"])
    assert Customer.objects.get().contract_date is None


def test_tier_change_to_pool_clears_the_owner_and_records_who_lost_it(team):
    customer = CustomerFactory.create(owner=team["s1"], tier=Tier.SILENT)
    change = customer_tier_change(customer=customer, to_tier=Tier.POOL, rule=TierRule.MANUAL, user=team["director"])
    customer.refresh_from_db()
    assert (customer.tier, customer.owner) == (Tier.POOL, None)
    assert (change.salesperson, change.changed_by) == (team["s1"], team["director"])
