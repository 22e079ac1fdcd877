"""账单开票 in the browser: the salesperson types the amount per bill by hand (paste is refused), the two
totals follow as one types, ⊕ adds a second 开票金额, and the process starts when the totals agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page

from sales_erp.customers.models import InvoiceTitle
from sales_erp.invoicing.models import InvoiceReservation
from sales_erp.org.models import InvoicingEntity, User
from sales_erp.workflow.models import ProcessInstance, Status
from tests.factories import CustomerFactory, ProductFactory
from tests.invoicing.conftest import reconciled_bill


@pytest.fixture(autouse=True)
def no_favicon_request(page: Page) -> None:
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def paste(page: Page, selector: str, text: str) -> None:
    """What Ctrl+V delivers: a paste event carrying the clipboard's text (the page must refuse it)."""
    page.eval_on_selector(
        selector,
        """(el, text) => {
            el.focus();
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
            if (el.dispatchEvent(event)) { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }
        }""",
        text,
    )


def test_salesperson_invoices_a_bill_by_hand(page: Page, login_as, shot, browser_problems: list[str]):
    login_as("sales")
    sales = User.objects.get(username="sales")
    customer = CustomerFactory.create(name="上海甲乙科技有限公司", owner=sales)
    InvoiceTitle.objects.create(customer=customer, company_name=customer.name, tax_id="9144030071526726XG")
    InvoicingEntity.objects.get_or_create(name="大汉云通讯有限公司", defaults={"tax_id": "91320100MA1MXXXX0X"})
    bill = reconciled_bill(
        product=ProductFactory.create(customer=customer), name="账单-2026-10-A8560", amount="1000.00", invoiced="400.00"
    )
    page.goto(f"/desk/workflow/start/bill_invoice/?target={customer.pk}")
    amount_input = f"[name='bill_lines_{bill.pk}']"
    paste(page, amount_input, "600.00")
    assert page.input_value(amount_input) == ""
    assert page.text_content("#no-paste-note") == "金额须手动填写，不可复制粘贴"
    page.type(amount_input, "600")
    assert page.text_content("#bill-total") == "600.00"
    page.type("[name='invoice_amounts']", "300")
    page.click("[data-invoice-amount-add]")
    page.locator("[name='invoice_amounts']").nth(1).type("299.99")
    assert page.text_content("#invoice-total") == "599.99"
    assert page.text_content("#totals-check") == "须与账单合计一致"
    page.fill("[name='received_amount']", "600")
    page.select_option("[name='entity']", label="大汉云通讯有限公司")
    page.select_option("[name='invoice_type']", value="ordinary")
    shot("totals-differ")
    page.click("button:has-text('立即发起')")
    page.wait_for_load_state()
    assert "账单合计 600.00 元与开票合计 599.99 元不一致" in page.content()
    shot("refused")
    # The refusal is a 400 on purpose (the page says why); chromium logs every 4xx document as a console error.
    expected = [p for p in browser_problems if "400 (Bad Request)" in p and "/start/bill_invoice/" in p]
    assert len(expected) == 1
    browser_problems.remove(expected[0])
    second = page.locator("[name='invoice_amounts']").nth(1)
    second.fill("")
    second.type("300")
    assert page.text_content("#totals-check") == "与账单合计一致"
    page.click("button:has-text('立即发起')")
    page.wait_for_url("**/desk/workflow/*/")
    shot("started")
    instance = ProcessInstance.objects.exclude(status=Status.DRAFT).get(code="bill_invoice")
    assert instance.status == Status.RUNNING
    assert instance.form_data["invoice_amounts"] == ["300.00", "300.00"]
    assert [r.amount for r in InvoiceReservation.objects.all()] == [Decimal("600.00")]
