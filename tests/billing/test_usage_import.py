"""Usage import through the desk page (发送量导入) and the API: encodings, Excel dates, idempotency,
corrections, all-or-nothing with row-numbered errors, unmatched accounts."""

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.authtoken.models import Token

from sales_erp.billing.models import UsageImport, UsageRecord
from sales_erp.billing.services import DUPLICATE_UNNAMED, UsageRejected, usage_import
from sales_erp.org.roles import Role
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "usage_2026-10.csv"
URL = "/desk/billing/usage/import/"
HEADER = "日期,账号,运营商,提交条数,成功条数,计费条数\n"


@pytest.fixture
def finance(client):
    user = UserFactory.create(username="finance1", roles=[Role.FINANCE])
    client.force_login(user)
    return user


def upload(client, content: bytes, name: str = "usage.csv", **extra):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **extra})


def stored() -> list[tuple]:
    return list(
        UsageRecord.objects.order_by("account_code", "day", "carrier").values_list(
            "account_code", "day", "carrier", "submitted", "succeeded", "billable"
        )
    )


def test_the_october_file_imports_and_links_its_accounts(client, finance):
    AccountFactory.create(code="A8560")

    page = upload(client, SAMPLE.read_bytes(), SAMPLE.name)

    assert page.status_code == 200
    result = page.context["result"]
    assert (result.rows, result.created, result.updated, result.unchanged) == (372, 372, 0, 0)
    assert result.months == ["2026-10-01"]
    assert UsageRecord.objects.count() == 372
    assert UsageRecord.objects.filter(account__code="A8560").count() == 93
    first = UsageRecord.objects.get(account_code="A8560", day=date(2026, 10, 1), carrier="mobile")
    assert (first.submitted, first.succeeded, first.billable, first.month) == (165, 163, 169, date(2026, 10, 1))
    # The three accounts without a product are listed with their rows and billable counts, and kept.
    assert {(u.code, u.rows) for u in result.unmatched} == {("A8561", 93), ("B2001", 93), ("C3001", 93)}
    html = page.content.decode()
    assert "以下账号没有匹配任何产品" in html and "B2001" in html
    record = UsageImport.objects.get()
    assert (record.file_name, record.imported_by, record.created) == ("usage_2026-10.csv", finance, 372)


def test_the_same_file_twice_changes_nothing(client, finance):
    upload(client, SAMPLE.read_bytes(), SAMPLE.name)
    before = stored()

    page = upload(client, SAMPLE.read_bytes(), SAMPLE.name)

    result = page.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 372)
    assert stored() == before
    assert "同一文件已于" in page.content.decode()


def test_a_corrected_file_replaces_that_keys_counts_and_keeps_the_rest(client, finance):
    upload(client, SAMPLE.read_bytes(), SAMPLE.name)
    corrected = HEADER + "2026-10-01,A8560,移动,165,163,170\n2026-10-01,A8560,联通,333,333,335\n"

    result = upload(client, corrected.encode()).context["result"]

    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 0, 1, 1)
    assert UsageRecord.objects.get(account_code="A8560", day=date(2026, 10, 1), carrier="mobile").billable == 170
    assert UsageRecord.objects.count() == 372


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_utf8_bom_and_gbk_read_alike(client, finance, encoding):
    text = HEADER + "2026-10-01,A8560,电信,274,273,278\n"
    result = upload(client, text.encode(encoding)).context["result"]
    assert result.created == 1
    assert stored() == [("A8560", date(2026, 10, 1), "telecom", 274, 273, 278)]


def test_xlsx_with_excel_serial_dates_date_cells_and_title_lines(client, finance):
    book = Workbook()
    sheet = book.active
    sheet.append(["短信平台发送量导出"])  # a title line above the header
    sheet.append(["日期", "账号", "运营商", "提交条数", "成功条数", "计费条数"])
    sheet.append([46296, "A8560", "移动", 10, 9, 9])  # Excel serial 46296 = 2026-10-01
    sheet.append([datetime(2026, 10, 2), "A8560", "联通", 20.0, 19, 19.0])
    sheet.append(["46298", "A8560", "电信", 30, 29, 29])
    buffer = io.BytesIO()
    book.save(buffer)

    result = upload(client, buffer.getvalue(), "usage.xlsx").context["result"]

    assert result.created == 3
    assert stored() == [
        ("A8560", date(2026, 10, 1), "mobile", 10, 9, 9),
        ("A8560", date(2026, 10, 2), "unicom", 20, 19, 19),
        ("A8560", date(2026, 10, 3), "telecom", 30, 29, 29),
    ]


def test_a_bad_file_is_refused_whole_with_every_bad_row_named(client, finance):
    text = (
        HEADER
        + "2026-10-01,A8560,移动,1,1,1\n"  # row 2 is fine, and still not stored
        + "2026-13-01,A8560,移动,1,1,1\n"
        + "2026-10-02,,移动,1,1,1\n"
        + "2026-10-02,A8560,铁通,1,1,1\n"
        + "2026-10-02,A8560,联通,1,1,-3\n"
        + "2026-10-03,A8560,移动,1,1,abc\n"
        + "2026-10-03,A8560,联通,1.5,1,1\n"
        + "2026-10-01,A8560,移动,2,2,2\n"
    )

    page = upload(client, text.encode())

    assert page.context["errors"] == [
        "第 3 行: 日期 '2026-13-01' 无法识别（应为 2026-10-01 这样的日期，或 Excel 日期序号）",
        "第 4 行: 请填写账号",
        "第 5 行: 运营商 '铁通' 应为 移动、联通、电信 或留空",
        "第 6 行: 计费条数 '-3' 不能为负数",
        "第 7 行: 计费条数 'abc' 不是整数",
        "第 8 行: 提交条数 '1.5' 不是整数",
        "第 9 行: 与第 2 行重复（账号 A8560，日期 2026-10-01，运营商 移动）",
    ]
    assert "文件未导入" in page.content.decode()
    assert UsageRecord.objects.count() == 0
    assert UsageImport.objects.count() == 0


def test_a_file_without_the_columns_says_which_it_needs(client, finance):
    page = upload(client, "客户,金额\n甲,1\n".encode())
    assert page.context["errors"] == ["文件 'usage.csv' 的前 20 行中找不到表头：需要列 日期、账号、计费条数"]


def test_a_refused_reimport_leaves_the_earlier_import_untouched(client, finance):
    upload(client, SAMPLE.read_bytes(), SAMPLE.name)
    before = stored()
    upload(client, (HEADER + "2026-10-01,A8560,移动,1,1,999\n2026-10-02,A8560,移动,1,1,x\n").encode())
    assert stored() == before


def test_dry_run_checks_and_counts_but_keeps_nothing(client, finance):
    page = upload(client, SAMPLE.read_bytes(), SAMPLE.name, dry_run="on")
    result = page.context["result"]
    assert (result.dry_run, result.rows, result.created) == (True, 372, 372)
    assert "检查结果（未导入）" in page.content.decode()
    assert UsageRecord.objects.count() == 0
    assert UsageImport.objects.count() == 0


def test_only_finance_reaches_the_import_page(client):
    client.force_login(UserFactory.create(username="s1", roles=[Role.SALES]))
    assert client.get(URL).status_code == 404
    assert upload(client, SAMPLE.read_bytes()).status_code == 404
    assert UsageRecord.objects.count() == 0


def test_the_service_names_many_errors_but_lists_at_most_two_hundred():
    text = HEADER + "".join(f"2026-10-{1 + i % 28:02d},A{i},移动,1,1,x\n" for i in range(250))
    with pytest.raises(UsageRejected) as refused:
        usage_import(data=text.encode(), name="big.csv", user=None)
    assert len(refused.value.errors) == 201
    assert refused.value.errors[-1] == "…… 另有 50 处错误未列出，请先改正以上各行"


# ------------------------------------------------------------------------------------------------ API
@pytest.fixture
def api_finance(client):
    user = UserFactory.create(username="finance_api", roles=[Role.FINANCE])
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}


def push(client, rows, headers):
    return client.post("/api/billing/usage/", {"rows": rows}, content_type="application/json", **headers)


def test_api_push_stores_rows_like_the_file_and_is_idempotent(client, api_finance):
    rows = [
        {
            "day": "2026-10-01",
            "account": "A8560",
            "carrier": "移动",
            "submitted": 165,
            "succeeded": 163,
            "billable": 169,
        },
        {
            "day": "2026-10-01",
            "account": "A8560",
            "carrier": "联通",
            "submitted": 333,
            "succeeded": 333,
            "billable": 335,
        },
    ]
    first = push(client, rows, api_finance)
    again = push(client, rows, api_finance)

    assert first.status_code == 201
    assert first.json() | {"import": None} == {
        "import": None,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "months": ["2026-10-01"],
        "unmatched": [{"code": "A8560", "rows": 2, "billable": 504}],
    }
    assert (again.status_code, again.json()["unchanged"]) == (200, 2)
    assert stored() == [
        ("A8560", date(2026, 10, 1), "mobile", 165, 163, 169),
        ("A8560", date(2026, 10, 1), "unicom", 333, 333, 335),
    ]
    assert UsageImport.objects.filter(source="api").count() == 2


def test_api_refuses_a_bad_row_and_stores_nothing(client, api_finance):
    response = push(
        client,
        [
            {"day": "2026-10-01", "account": "A8560", "billable": 1},
            {"day": "2026-10-01", "account": "A8560", "billable": "abc"},
        ],
        api_finance,
    )
    assert response.status_code == 400
    assert response.json() == {"errors": ["第 2 行: 计费条数: 请填写合法的整数值。"]}
    assert UsageRecord.objects.count() == 0


def test_api_refuses_duplicate_rows_with_their_numbers(client, api_finance):
    row = {"day": "2026-10-01", "account": "A8560", "carrier": "电信", "billable": 1}
    response = push(client, [row, row], api_finance)
    assert response.status_code == 400
    assert response.json() == {"errors": ["第 2 行: 与第 1 行重复（账号 A8560，日期 2026-10-01，运营商 电信）"]}
    assert UsageRecord.objects.count() == 0


def test_api_push_needs_the_import_permission(client):
    user = UserFactory.create(username="sales_api", roles=[Role.SALES])
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}
    response = push(client, [{"day": "2026-10-01", "account": "A1", "billable": 1}], headers)
    assert response.status_code == 403
    assert UsageRecord.objects.count() == 0


def test_api_says_what_is_wrong_with_the_envelope(client, api_finance):
    assert push(client, [], api_finance).json() == {"errors": ["rows: 列表不能为空。"]}
    response = client.post("/api/billing/usage/", {}, content_type="application/json", **api_finance)
    assert response.json() == {"errors": ["rows: 该字段是必填项。"]}


def test_account_codes_differing_only_in_case_are_one_key_on_mariadb_and_two_on_sqlite(client, finance):
    from django.db import connection

    page = upload(client, (HEADER + "2026-10-01,a8560,移动,1,1,1\n2026-10-01,A8560,移动,2,2,2\n").encode())

    if connection.vendor == "sqlite":
        assert page.context["result"].created == 2
    else:  # MariaDB's collation compares codes without case: refused rather than merged silently
        assert page.context["errors"] == [DUPLICATE_UNNAMED]
        assert UsageRecord.objects.count() == 0


def test_an_account_code_in_another_case_is_the_same_account(client, finance):
    account = AccountFactory.create(code="A8560")
    upload(client, (HEADER + "2026-10-01,a8560,移动,1,1,1\n").encode())
    assert UsageRecord.objects.get().account == account


def test_a_change_to_a_billed_month_warns_that_bills_keep_their_figures(client, finance):
    from sales_erp.billing.services import bill_run
    from tests.factories import schedule_active

    account = AccountFactory.create(code="A8560")
    schedule_active(product=account.product)
    upload(client, (HEADER + "2026-10-01,A8560,移动,1,1,10\n").encode())
    bill_run(day=date(2026, 11, 28))

    page = upload(client, (HEADER + "2026-10-01,A8560,移动,1,1,12\n").encode())

    assert page.context["result"].warnings == [
        "2026-10 已有 1 张未对账的账单：账单不随发送量自动更新，需要时请在账单页“重新生成账单”"
    ]
    assert "账单不随发送量自动更新" in page.content.decode()
