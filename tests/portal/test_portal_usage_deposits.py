"""The portal's 发送量 (per day and account) and 到款 pages: only the company's own, to the unit and cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales_erp.billing.services import usage_push
from sales_erp.deposits.models import Deposit, DepositStatus

pytestmark = pytest.mark.django_db


def test_usage_of_the_latest_month_per_day_and_account(client, companies):
    usage_push(
        rows=[
            {"day": date(2026, 11, 1), "account": "PT001", "billable": 40, "carrier": "移动"},
            {"day": date(2026, 11, 1), "account": "PT001", "billable": 2, "carrier": "联通"},
            {"day": date(2026, 11, 3), "account": "PT001", "billable": 7},
            {"day": date(2026, 11, 3), "account": "PT002", "billable": 999},  # the other company's
        ],
        user=None,
    )
    client.force_login(companies["kehu"])
    page = client.get("/portal/usage/")
    usage = page.context["usage"]
    assert page.context["months"] == [date(2026, 11, 1), date(2026, 10, 1)]
    assert (usage.month, usage.accounts, usage.total) == (date(2026, 11, 1), ["PT001"], 49)
    assert [(d.day, d.counts) for d in usage.days] == [(date(2026, 11, 1), [42]), (date(2026, 11, 3), [7])]
    october = client.get("/portal/usage/?month=2026-10").context["usage"]
    assert [(d.day.day, d.total) for d in october.days] == [(2, 1000), (9, 500)]
    assert "PT002" not in page.content.decode() and "999" not in page.content.decode()


def test_usage_page_without_usage(client, companies):
    from tests.factories import CustomerFactory
    from tests.portal.conftest import portal_user_create

    quiet = portal_user_create(username="pt_quiet", customer=CustomerFactory.create(name="安静科技有限公司"))
    client.force_login(quiet)
    page = client.get("/portal/usage/")
    assert page.status_code == 200 and "还没有发送量记录" in page.content.decode()


def test_deposits_are_the_companys_matched_ones(client, companies):
    def deposit(customer, amount, available, status=DepositStatus.MATCHED, day=date(2026, 11, 10)):
        return Deposit.objects.create(
            received_on=day,
            payer=customer.name if customer else "某某公司",
            amount=Decimal(amount),
            available=Decimal(available),
            customer=customer,
            status=status,
        )

    ours = deposit(companies["ours"], "52.50", "0.00")
    later = deposit(companies["ours"], "1000.00", "947.50", day=date(2026, 12, 1))
    deposit(companies["other"], "24.50", "24.50")
    deposit(None, "8.00", "8.00", status=DepositStatus.UNMATCHED)
    client.force_login(companies["kehu"])
    page = client.get("/portal/deposits/")
    assert [d.pk for d in page.context["deposits"]] == [later.pk, ours.pk]
    html = page.content.decode()
    assert "947.50" in html and "24.50" not in html and "某某公司" not in html


def test_the_menu_links_only_pages_that_exist(client, companies):
    client.force_login(companies["kehu"])
    html = client.get("/portal/").content.decode()
    for url in ["/portal/", "/portal/bills/", "/portal/usage/", "/portal/deposits/"]:
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200, url


def test_the_deposits_page_pages_by_twenty(client, companies):
    for n in range(21):
        Deposit.objects.create(
            received_on=date(2026, 11, 1 + n % 28),
            payer=companies["ours"].name,
            amount=Decimal("10.00"),
            available=Decimal("10.00"),
            customer=companies["ours"],
            status=DepositStatus.MATCHED,
            serial=f"P{n}",
        )
    client.force_login(companies["kehu"])
    first = client.get("/portal/deposits/").content.decode()
    assert "第 1 / 2 页" in first and 'href="?page=2"' in first
    assert "第 2 / 2 页" in client.get("/portal/deposits/?page=2").content.decode()
