"""电子对账单: the page's current selection and figures (typed, not saved) become the statement's lines;
下载 is an attachment, 预览 inline; hidden customers are 404; refusals say what to fix."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.org.models import InvoicingEntity
from sales_erp.reconciliation import views
from sales_erp.statements.documents import StatementLine
from sales_erp.statements.fonts import statement_fonts_ensure
from sales_erp.workflow.models import ProcessInstance
from tests.reconciliation.conftest import Manual

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(monkeypatch) -> list[dict[str, Any]]:
    """The statements app's renderer stood in for: what the view asked it for."""
    calls: list[dict[str, Any]] = []

    def statement_pdf(**kwargs: Any) -> bytes:
        calls.append(kwargs)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(views, "statement_pdf", statement_pdf)
    return calls


def post(client, m: Manual, data: dict[str, Any]):
    client.force_login(m.sales)
    return client.post(f"/desk/reconciliation/{m.customer.pk}/statement/", {"target": m.customer.pk, **data})


def test_statement_takes_the_ticked_bills_with_the_typed_figures(client, manual, rendered):
    data = {
        "bills": [manual.oct.pk, manual.nov.pk],
        f"agreed_{manual.nov.pk}": "3",
        f"customer_{manual.nov.pk}": "4",
        f"agreed_{manual.oct.pk}": "10",
        f"customer_{manual.oct.pk}": "",
        f"agreed_{manual.sep.pk}": "57",
        "remarks": "请盖章回传",
    }

    response = post(client, manual, data)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response.content == b"%PDF-1.7 fake"
    [call] = rendered
    assert (call["entity"], call["customer"], call["remarks"]) == (None, manual.customer, "请盖章回传")  # None: default
    assert call["lines"] == [
        StatementLine("账单-2019-11-8560", "行业短信", date(2019, 11, 1), Decimal("0.040000"),
                      3, Decimal("0.12"), 4, Decimal("0.16"), 3, Decimal("0.12")),
        StatementLine("账单-2019-10-8560", "行业短信", date(2019, 10, 1), Decimal("0.040000"),
                      11, Decimal("0.44"), None, None, 10, Decimal("0.40")),
    ]  # fmt: skip
    # Making a statement starts nothing and saves nothing.
    assert not ProcessInstance.objects.exists()
    assert [b.status for b in Bill.objects.order_by("pk")] == [BillStatus.ISSUED] * 3
    assert Bill.objects.get(pk=manual.nov.pk).customer_count is None


def test_preview_is_inline(client, manual, rendered):
    response = post(client, manual, {"bills": [manual.nov.pk], f"agreed_{manual.nov.pk}": "3", "inline": "1"})

    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")


def test_statement_without_a_ticked_bill_says_what_to_do(client, manual, rendered):
    response = post(client, manual, {})

    assert response.status_code == 400 and "请至少勾选一张未对账账单" in response.content.decode()
    assert rendered == []


def test_statement_of_a_hidden_customer_is_404(client, manual, rendered):
    client.force_login(manual.other_sales)

    response = client.post(
        f"/desk/reconciliation/{manual.customer.pk}/statement/",
        {"bills": [manual.nov.pk], f"agreed_{manual.nov.pk}": "3"},
    )

    assert response.status_code == 404 and rendered == []


def test_downloaded_statement_reads_the_customer_and_the_agreed_figures(client, manual, tmp_path):
    statement_fonts_ensure()
    InvoicingEntity.objects.create(name="某某云通讯有限公司", tax_id="91310000000000000X", is_default=True)
    data = {
        "bills": [manual.nov.pk, manual.oct.pk],
        f"agreed_{manual.nov.pk}": "3",
        f"customer_{manual.nov.pk}": "3",
        f"agreed_{manual.oct.pk}": "11",
        f"customer_{manual.oct.pk}": "11",
    }

    response = post(client, manual, data)

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "statement.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "上海甲乙科技有限公司" in text and "某某云通讯有限公司" in text
    assert "账单-2019-11-8560" in text and "账单-2019-10-8560" in text and "账单-2019-09-8560" not in text
    assert "0.0400" in text and "0.56" in text and "14" in text


def test_statement_without_our_invoicing_entity_says_what_to_add(client, manual):
    response = post(client, manual, {"bills": [manual.nov.pk], f"agreed_{manual.nov.pk}": "3"})

    assert response.status_code == 400 and "没有可用的我司开票信息" in response.content.decode()
