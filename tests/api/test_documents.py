"""API: 银行流水导入 (POST /api/deposits/import/) and the documents of chosen bills — 电子对账单
(POST /api/statements/) and 数据分析报告 (POST /api/usage-reports/) — with the desk's permission and
visibility: a hidden bill is 404."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp.billing.models import Bill
from sales_erp.deposits.models import Deposit, DepositImport
from sales_erp.org.models import InvoicingEntity
from tests.deposits.conftest import GBK_PROFILE, GBK_SAMPLE, profile

pytestmark = pytest.mark.django_db

IMPORT = "/api/deposits/import/"
STATEMENTS = "/api/statements/"
REPORTS = "/api/usage-reports/"


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def post_file(client, data: bytes, *, code: str = GBK_PROFILE, name: str = "statement.csv"):
    return client.post(
        IMPORT, {"profile": profile(code).pk, "file": SimpleUploadedFile(name, data)}, format="multipart"
    )


# ------------------------------------------------------------------------------------ deposit import
def test_finance_imports_a_statement_and_the_same_file_again_adds_nothing(api, people):
    client = api(people["finance"])
    first = post_file(client, GBK_SAMPLE.read_bytes(), name=GBK_SAMPLE.name)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["created"], body["already_imported"], body["same_file_before"]) == (8, 0, None)
    assert len(body["deposits"]) == 8 and body["deposits"][0]["payer"] == "上海甲乙科技有限公司"
    assert body["deposits"][0]["amount"] == "850.00"
    assert Deposit.objects.count() == 8

    second = post_file(client, GBK_SAMPLE.read_bytes(), name=GBK_SAMPLE.name)
    assert second.status_code == 200
    assert (second.json()["created"], second.json()["already_imported"]) == (0, 8)
    assert second.json()["same_file_before"] == body["import_id"]
    assert Deposit.objects.count() == 8


def test_a_bad_row_is_400_with_its_row_number_and_nothing_is_stored(api, people):
    text = GBK_SAMPLE.read_bytes().decode("gbk").replace(",,850.00,", ",,零点四,", 1)
    response = post_file(api(people["finance"]), text.encode("gbk"))
    assert response.status_code == 400
    assert response.json() == {"errors": ["第 7 行: 贷方金额 '零点四' 不是数字"]}
    assert Deposit.objects.count() == 0 and DepositImport.objects.count() == 0


def test_import_needs_a_known_profile_and_a_file(api, people):
    client = api(people["finance"])
    response = client.post(IMPORT, {"profile": 999999}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.startswith("profile: 流水格式 999999 不存在") for e in errors)
    assert any(e.startswith("file:") for e in errors)
    assert Deposit.objects.count() == 0


def test_only_finance_imports_deposits(api, people):
    assert post_file(api(people["s1"]), GBK_SAMPLE.read_bytes()).status_code == 403
    assert post_file(api(None), GBK_SAMPLE.read_bytes()).status_code in (401, 403)
    assert Deposit.objects.count() == 0


# ------------------------------------------------------------------------------------ documents
@pytest.fixture
def entity(db) -> InvoicingEntity:
    return InvoicingEntity.objects.create(name="大汉云通讯有限公司", tax_id="91320100MA1MXXXX0X", is_default=True)


def test_statement_pdf_of_a_visible_bill(api, people, books, entity):
    bill = Bill.objects.get(customer=books["mine"])
    response = api(people["s1"]).post(STATEMENTS, {"bills": [bill.pk], "remarks": "请核对"}, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content)
    assert "上海一号科技有限公司" in text and "40.00" in text and "请核对" in text  # 1000 × 0.04


def test_statement_of_a_hidden_bill_is_404(api, people, books, entity):
    theirs = Bill.objects.get(customer=books["theirs"])
    mine = Bill.objects.get(customer=books["mine"])
    client = api(people["s1"])
    assert client.post(STATEMENTS, {"bills": [theirs.pk]}, format="json").status_code == 404
    assert client.post(STATEMENTS, {"bills": [mine.pk, theirs.pk]}, format="json").status_code == 404
    assert client.post(STATEMENTS, {"bills": [999999]}, format="json").status_code == 404


def test_statement_refusals_say_what_to_fix(api, people, books, entity):
    client = api(people["admin"])
    assert client.post(STATEMENTS, {"bills": []}, format="json").status_code == 400
    both = [b.pk for b in Bill.objects.all()]
    mixed = client.post(STATEMENTS, {"bills": both}, format="json")
    assert mixed.status_code == 400 and "不同客户" in mixed.json()["errors"][0]


def test_statement_without_an_invoicing_entity_is_400(api, people, books):
    bill = Bill.objects.get(customer=books["mine"])
    response = api(people["s1"]).post(STATEMENTS, {"bills": [bill.pk]}, format="json")
    assert response.status_code == 400 and "我司开票信息" in response.json()["errors"][0]


def test_usage_report_pdf_and_xlsx(api, people, books):
    from openpyxl import load_workbook

    bill = Bill.objects.get(customer=books["mine"])
    client = api(people["s1"])
    pdf = client.post(REPORTS, {"bills": [bill.pk], "format": "pdf"}, format="json")
    assert pdf.status_code == 200 and "上海一号科技有限公司" in pdf_text(pdf.content)
    xlsx = client.post(REPORTS, {"bills": [bill.pk], "format": "xlsx"}, format="json")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"
    theirs = Bill.objects.get(customer=books["theirs"])
    assert client.post(REPORTS, {"bills": [theirs.pk]}, format="json").status_code == 404
    assert client.post(REPORTS, {"bills": [bill.pk], "format": "doc"}, format="json").status_code == 400


def test_portal_logins_get_no_documents(api, people, books, entity):
    from tests.portal.conftest import portal_user_create

    kehu = portal_user_create(username="api_kehu", customer=books["mine"])
    bill = Bill.objects.get(customer=books["mine"])
    assert api(kehu).post(STATEMENTS, {"bills": [bill.pk]}, format="json").status_code == 403
    assert Decimal(bill.amount) == Decimal("40.00")
