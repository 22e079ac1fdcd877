"""Finance imports a bank statement, 销管 assigns an ambiguous pool deposit, the salesperson finds their
customers' deposits first in 到款池 (DESIGN §5.4; the manual's 3.4 and survey 1 #7)."""

from pathlib import Path

from sales_erp.customers.models import InvoiceTitle
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.org.models import User
from tests.factories import CustomerFactory

SAMPLE = Path(__file__).resolve().parents[1] / "deposits" / "data" / "bank_statement_gbk.csv"


def test_statement_import_assignment_and_the_pool(page, login_as, shot):
    login_as("finance")
    sales, sales2 = User.objects.get(username="sales"), User.objects.get(username="sales2")
    CustomerFactory.create(name="上海甲乙科技有限公司", owner=sales)
    trade = CustomerFactory.create(name="广州戊己贸易有限公司", owner=sales)
    InvoiceTitle.objects.create(customer=trade, company_name="广州戊己集团有限公司")
    CustomerFactory.create(name="广州戊己集团有限公司", owner=sales2)

    page.click("#nav-sidebar-apps h2:has-text('财务')")
    page.click("#nav-sidebar-apps a:has-text('银行流水导入')")
    page.wait_for_url("**/desk/deposits/import/")
    page.select_option("#id_profile", label="对公流水（借方金额/贷方金额 两列，含流水号）")
    page.set_input_files("#id_file", str(SAMPLE))
    shot("import-form")
    page.click("form button[type=submit]:has-text('导入')")
    page.wait_for_url("**/desk/deposits/imports/*/")
    assert page.locator("table[data-deposits] tr[data-deposit]").count() == 8
    assert "8 笔，共 35376.90 元" in page.inner_text("[data-created]")
    shot("import-result")

    page.context.clear_cookies()
    login_as("salesadmin")
    page.goto("/desk/deposits/pool/?status=unmatched")
    shot("pool-sales-admin")
    page.click("table[data-pool] a:has-text('广州戊己集团有限公司')")
    page.wait_for_url("**/desk/deposits/*/")
    assert page.locator("[data-candidates] li").count() == 2
    shot("deposit-candidates")
    page.locator("[data-candidates] li:has-text('广州戊己贸易有限公司') button").click()
    page.wait_for_url("**/desk/deposits/*/")
    assert "已匹配" in page.inner_text("[data-status]")
    shot("deposit-assigned")
    deposit = Deposit.objects.get(payer="广州戊己集团有限公司")
    assert (deposit.status, deposit.customer, deposit.salesperson) == (DepositStatus.MATCHED, trade, sales)

    page.context.clear_cookies()
    login_as("sales")
    page.goto("/desk/deposits/pool/")
    rows = page.locator("table[data-pool] tr[data-deposit]")
    assert rows.count() == 8  # their two, and the six still in the pool
    assert rows.nth(0).get_attribute("data-mine") is not None and rows.nth(1).get_attribute("data-mine") is not None
    assert rows.nth(2).get_attribute("data-mine") is None
    shot("pool-sales")
