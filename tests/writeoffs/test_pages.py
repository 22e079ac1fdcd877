"""Configuration and side pages: 不计息账号配置 and 息率 kept by 销管, the interest list, the customer page's
销账 panel, the generic start page of 销账流程, the job registered in hooks."""

from __future__ import annotations

from datetime import date

import pytest

from sales_erp import hooks
from sales_erp.writeoffs.models import InterestExemptAccount
from tests.factories import AccountFactory
from tests.writeoffs.factories import bill_make, deposit_make

pytestmark = pytest.mark.django_db


def test_sales_admin_keeps_interest_exempt_accounts(client, people, postpaid):
    account = AccountFactory.create(product=postpaid, code="EX001")
    client.force_login(people["sales_admin"])
    assert client.get("/desk/writeoffs/interestexemptaccount/").status_code == 200
    response = client.post("/desk/writeoffs/interestexemptaccount/add/", {"account": account.pk, "reason": "合同约定"})
    assert response.status_code == 302
    exemption = InterestExemptAccount.objects.get()
    assert (exemption.account, exemption.added_by) == (account, people["sales_admin"])
    assert client.get("/desk/writeoffs/interestrate/add/").status_code == 200


def test_a_salesperson_cannot_change_interest_configuration(client, people):
    client.force_login(people["s1"])
    assert client.get("/desk/writeoffs/interestexemptaccount/add/").status_code in (403, 404)
    assert client.get("/desk/writeoffs/interestrate/add/").status_code in (403, 404)


def test_customer_page_shows_the_write_off_panel(client, people, customer, postpaid):
    bill_make(product=postpaid, period="2026-08", bill_date=date(2026, 9, 5), amount="500.00")
    deposit_make(customer=customer, received_on=date(2026, 11, 1), amount="120.00")
    client.force_login(people["s1"])
    html = client.get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "未销金额 500.00 元，到款余额 120.00 元" in html
    assert f"/desk/writeoffs/new/{customer.pk}/" in html


def test_the_generic_start_page_leads_to_the_write_off_page(client, people, customer):
    client.force_login(people["s1"])
    html = client.get(f"/desk/workflow/start/write_off/?target={customer.pk}").content.decode()
    assert f"/desk/writeoffs/new/{customer.pk}/" in html


def test_interest_job_is_registered():
    job = hooks.PERIODIC_JOBS["interest_run"]
    assert job.function == "sales_erp.writeoffs.interest.interest_run"
    assert "sales_erp.writeoffs.services.write_off_auto" in hooks.DEPOSIT_MATCHED
