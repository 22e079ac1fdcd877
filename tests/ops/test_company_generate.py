"""manage.py company_generate: a company at scale, built set-based, billed by the real bill run."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sales_erp.billing.models import Bill, BillLine
from sales_erp.customers.models import Account, ContactLog, Customer, InvoiceTitle, Product, Tier
from sales_erp.deposits.models import Deposit
from sales_erp.org.models import User
from sales_erp.pricing.models import PriceSchedule, PriceTier

pytestmark = pytest.mark.django_db


def test_a_company_across_the_five_tiers_with_usage_bills_and_deposits():
    out = io.StringIO()
    call_command("company_generate", customers=300, months=2, seed=3, stdout=out)

    tiers = set(Customer.objects.values_list("tier", flat=True))
    assert tiers == set(Tier.values)
    outside_pool = Customer.objects.exclude(tier=Tier.POOL)
    assert (
        not outside_pool.filter(owner=None).exists()
        and not Customer.objects.filter(tier=Tier.POOL).exclude(owner=None).exists()
    )
    salespeople = User.objects.filter(username__startswith="gen_sales")
    assert salespeople.count() == 10 and not salespeople.filter(superior=None).exists()
    assert InvoiceTitle.objects.count() == outside_pool.count() == Product.objects.count()
    assert ContactLog.objects.count() >= outside_pool.count()
    assert set(PriceSchedule.objects.values_list("price_type", flat=True)) == {"uniform", "stage", "graduated"}
    assert (
        PriceTier.objects.filter(schedule__price_type="stage").count()
        == 3 * PriceSchedule.objects.filter(price_type="stage").count()
    )
    assert Account.objects.count() == Product.objects.count() + Product.objects.count() // 10 + (
        Product.objects.count() % 10 > 0
    )
    assert Bill.objects.count() == 2 * Product.objects.count(), "every product billed for both months"
    assert BillLine.objects.count() == 2 * Account.objects.count()
    assert Deposit.objects.filter(status="unmatched").count() == len(Customer.objects.filter(tier=Tier.CONTRACT)[::5])
    assert "bills=" in out.getvalue()


def test_it_refuses_a_database_that_holds_customers():
    call_command("company_generate", customers=20, months=1, stdout=io.StringIO())
    before = Customer.objects.count()
    with pytest.raises(CommandError, match="数据库里已有客户"):
        call_command("company_generate", customers=20, months=1, stdout=io.StringIO())
    assert Customer.objects.count() == before
