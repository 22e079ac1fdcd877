"""The public pool (DESIGN §6): claim at submit, release on reject/withdraw, assign on archive — and two
salespeople applying at the same moment: exactly one wins, the other is told who has it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from sales_erp.customers.models import Customer, Tier, TierChange, TierRule
from sales_erp.customers.services import CustomerRefused, pool_assign, pool_claim, pool_release
from tests.customers.pool_race import race
from tests.factories import CustomerFactory, sales_team

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pool_customer(db) -> Customer:
    return CustomerFactory.create(name="公共池客户有限公司", owner=None, tier=Tier.POOL, tier_since=date(2026, 9, 1))


@pytest.mark.django_db
def test_claim_takes_it_out_of_the_pool_and_the_second_is_told_who(team, pool_customer):
    pool_claim(customer=pool_customer, user=team["s1"])
    pool_customer.refresh_from_db()
    assert (pool_customer.tier, pool_customer.owner, pool_customer.claimed_by) == (Tier.POOL, None, team["s1"])
    with pytest.raises(CustomerRefused) as refused:
        pool_claim(customer=pool_customer, user=team["s2"])
    assert refused.value.message == f"该客户已被 {team['s1']} 申请，不能重复申请"
    pool_customer.refresh_from_db()
    assert pool_customer.claimed_by == team["s1"]


@pytest.mark.django_db
def test_release_returns_it_to_the_pool(team, pool_customer):
    pool_claim(customer=pool_customer, user=team["s1"])
    pool_release(customer=pool_customer)
    pool_customer.refresh_from_db()
    assert (pool_customer.tier, pool_customer.claimed_by, pool_customer.claimed_at) == (Tier.POOL, None, None)
    pool_claim(customer=pool_customer, user=team["s2"])  # anyone may apply again
    with pytest.raises(CustomerRefused, match="该客户没有正在进行的申请"):
        pool_release(customer=CustomerFactory.create(owner=None, tier=Tier.POOL))


@pytest.mark.django_db
def test_assign_makes_the_applicant_the_owner_as_intent(team, pool_customer):
    pool_claim(customer=pool_customer, user=team["s1"])
    pool_assign(customer=pool_customer, user=team["s1"], day=date(2026, 11, 20))
    pool_customer.refresh_from_db()
    assert (pool_customer.tier, pool_customer.owner, pool_customer.tier_since, pool_customer.claimed_by) == (
        Tier.INTENT,
        team["s1"],
        date(2026, 11, 20),
        None,
    )
    change = TierChange.objects.get()
    assert (change.from_tier, change.to_tier, change.rule, change.salesperson, change.changed_by) == (
        Tier.POOL,
        Tier.INTENT,
        TierRule.APPLY_CUSTOMER,
        team["s1"],
        team["s1"],
    )
    with pytest.raises(CustomerRefused, match=f"该客户已不在公共池中（已归属 {team['s1']}）"):
        pool_claim(customer=pool_customer, user=team["s2"])


@pytest.mark.django_db(transaction=True)
def test_two_salespeople_applying_at_the_same_moment_exactly_one_wins(base_data, tmp_path):
    if connection.vendor == "sqlite":
        # The suite's in-memory SQLite cannot hold two waiting writers; race on a real SQLite file instead.
        done = subprocess.run(
            [sys.executable, "-m", "tests.customers.pool_race", str(tmp_path / "race.sqlite3")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        outcome, holder, names = result["outcome"], result["holder"], result["names"]
    else:
        team = sales_team()
        customer = CustomerFactory.create(name="抢手客户有限公司", owner=None, tier=Tier.POOL)
        outcome = race(customer.pk, {"s1": team["s1"], "s2": team["s2"]})
        holder = str(Customer.objects.get(pk=customer.pk).claimed_by)
        names = {"s1": str(team["s1"]), "s2": str(team["s2"])}
    winners = [name for name, result in outcome.items() if result == "won"]
    assert len(winners) == 1, outcome
    loser = "s2" if winners == ["s1"] else "s1"
    assert outcome[loser] == f"该客户已被 {names[winners[0]]} 申请，不能重复申请"
    assert holder == names[winners[0]]
