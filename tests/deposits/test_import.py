"""银行流水导入 (DESIGN §5.4): both bank layouts read exactly, only credits kept, the same statement twice
adds nothing, identical real payments are both kept, one bad row refuses the whole file."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sales_erp.deposits.models import NO_PAYER, Deposit, DepositImport, DepositStatus, ImportProfile
from sales_erp.deposits.services import DepositImportRejected, import_profiles_load_defaults
from tests.deposits.conftest import (
    BOM_PROFILE,
    BOM_SAMPLE,
    GBK_PROFILE,
    GBK_SAMPLE,
    IMPORT_URL,
    import_bytes,
    import_file,
    profile,
    stored,
    upload,
)

pytestmark = pytest.mark.django_db

U = DepositStatus.UNMATCHED
# Every credit of the GBK sample: (date, time, payer, account, amount, serial, summary). Row 8 (a 12,000.00
# debit, 支付通道费) is not a deposit; row 14 is the bank's interest, with no payer.
GBK_CREDITS = [
    (date(2026, 11, 2), time(9, 31, 12), "上海甲乙科技有限公司", "31001234560000001", "850.00", "K2611020001", "货款"),
    (
        date(2026, 11, 3),
        time(14, 20, 3),
        "北京丙丁（集团）有限公司",
        "11001234560000003",
        "100.00",
        "K2611030003",
        "服务费",
    ),
    (
        date(2026, 11, 5),
        time(11, 11, 11),
        "杭州壬癸网络科技有限公司",
        "33001234560000004",
        "3600.00",
        "K2611050004",
        "短信费10月",
    ),
    (
        date(2026, 11, 5),
        time(11, 11, 11),
        "杭州壬癸网络科技有限公司",
        "33001234560000004",
        "3600.00",
        "K2611050005",
        "短信费10月",
    ),
    (
        date(2026, 11, 6),
        time(16, 45),
        "ＡＢＣ信息技术有限公司",
        "21001234560000006",
        "25000.00",
        "K2611060006",
        "预付款",
    ),
    (date(2026, 11, 9), time(8, 59, 59), "广州戊己集团有限公司", "44001234560000007", "1234.56", "K2611090007", ""),
    (date(2026, 11, 10), time(13, 30, 30), NO_PAYER, "", "12.34", "K2611100008", "结息"),
    (
        date(2026, 11, 11),
        time(9, 0),
        "成都子丑科技有限公司",
        "51001234560000009",
        "980.00",
        "K2611110009",
        "10月短信费",
    ),
]


def deposits_as_tuples() -> list[tuple]:
    return [
        (d.received_on, d.received_time, d.payer, d.payer_account, f"{d.amount}", d.serial, d.summary)
        for d in Deposit.objects.order_by("received_on", "received_time", "serial")
    ]


def test_the_gbk_statement_imports_every_credit_exactly(finance):
    result = import_file(GBK_SAMPLE, GBK_PROFILE, finance)

    assert deposits_as_tuples() == GBK_CREDITS
    assert all(d.available == d.amount and d.status == U for d in Deposit.objects.all())  # no customers yet
    record = result.record
    assert (record.rows, record.credits, record.debits, record.created, record.already_imported) == (9, 8, 1, 8, 0)
    # 35,376.90 = the closing balance 1,273,376.90 - the opening 1,250,000.00 + the 12,000.00 debit
    assert (record.imported_by, record.file_name, record.total) == (
        finance,
        "bank_statement_gbk.csv",
        Decimal("35376.90"),
    )
    assert set(Deposit.objects.values_list("import_record", flat=True)) == {record.pk}


def test_the_utf8_bom_statement_with_a_direction_column_imports_both_identical_payments(finance):
    result = import_file(BOM_SAMPLE, BOM_PROFILE, finance)

    assert deposits_as_tuples() == [
        (date(2026, 11, 12), time(10, 15), "上海甲乙科技有限公司", "31001234560000001", "500.00", "", "货款"),
        (date(2026, 11, 12), time(10, 16), "上海甲乙科技有限公司", "31001234560000001", "500.00", "", "货款"),
    ]
    assert (result.record.credits, result.record.debits, result.record.created) == (2, 1, 2)
    # 凭证号 restarts with every export, so it is not the idempotency key: the same file again adds nothing.
    again = import_file(BOM_SAMPLE, BOM_PROFILE, finance)
    assert (again.record.created, again.record.already_imported) == (0, 2)
    assert Deposit.objects.count() == 2


def test_W07_the_same_statement_imported_twice_adds_nothing(client, finance):
    client.force_login(finance)
    first = upload(client, GBK_SAMPLE.read_bytes(), GBK_PROFILE, GBK_SAMPLE.name)
    after_first = stored()

    second = upload(client, GBK_SAMPLE.read_bytes(), GBK_PROFILE, GBK_SAMPLE.name)

    assert first.status_code == second.status_code == 302
    assert stored() == after_first and len(after_first) == 8
    record = DepositImport.objects.order_by("-pk").first()
    assert record is not None and (record.created, record.already_imported) == (0, 8)
    page = client.get(second["Location"])
    html = page.content.decode()
    assert "本次没有新增到款" in html and "同一文件已于" in html
    assert DepositImport.objects.count() == 2  # both imports are on record


def test_identical_payments_without_serials_are_both_kept_and_a_longer_statement_adds_only_the_new_one():
    header = "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"
    line = '20261105,11:11:11,,"3,600.00",杭州壬癸网络科技有限公司,33001234560000004,,短信费\n'
    first = import_bytes((header + line + line).encode("gbk"))
    assert first.record.created == 2

    # The next export repeats both lines and adds a third identical payment: only the third is new.
    later = import_bytes((header + line + line + line).encode("gbk"))

    assert (later.record.created, later.record.already_imported) == (1, 2)
    assert Deposit.objects.filter(amount=Decimal("3600.00")).count() == 3


def test_a_bad_row_refuses_the_whole_file_with_its_row_number_and_keeps_nothing(client, finance):
    text = GBK_SAMPLE.read_bytes().decode("gbk").replace(",,850.00,", ",,零点四,", 1)
    client.force_login(finance)

    page = upload(client, text.encode("gbk"), GBK_PROFILE)

    assert page.status_code == 200
    assert page.context["errors"] == ["第 7 行: 贷方金额 '零点四' 不是数字"]
    assert "文件未导入" in page.content.decode()
    assert Deposit.objects.count() == 0 and DepositImport.objects.count() == 0


def test_every_bad_row_is_named_in_row_order():
    header = "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"
    text = (
        header
        + "2026-11-31,09:00:00,,1.00,甲公司,,S1,\n"  # row 2: no such day
        + "20261101,25:00:00,,1.00,甲公司,,S2,\n"  # row 3: no such time
        + "20261101,09:00:00,,1.005,甲公司,,S3,\n"  # row 4: a third decimal
        + "20261101,09:00:00,,-5.00,甲公司,,S4,\n"  # row 5: negative
        + "20261101,09:00:00,,,甲公司,,S5,\n"  # row 6: neither credit nor debit
        + "20261101,09:00:00,2.00,3.00,甲公司,,S6,\n"  # row 7: both
        + "20261101,09:00:00,,4.00,甲公司,,S1,\n"  # row 8: serial of row 2 again
    )
    with pytest.raises(DepositImportRejected) as refused:
        import_bytes(text.encode())

    assert refused.value.errors == [
        "第 2 行: 交易日 '2026-11-31' 无法识别（格式应为 %Y%m%d、%Y-%m-%d、%Y/%m/%d，或 Excel 日期）",
        "第 3 行: 交易时间 '25:00:00' 无法识别（应为 09:31:12 这样的时间）",
        "第 4 行: 贷方金额 '1.005' 最多两位小数",
        "第 5 行: 贷方金额 '-5.00' 不能为负数",
        "第 6 行: 贷方金额和借方金额都为空或为零，无法判断收支",
        "第 7 行: 贷方金额 '3.00' 和借方金额 '2.00' 同时有金额，无法判断收支",
        "第 8 行: 流水号 'S1' 与第 2 行重复",
    ]
    assert Deposit.objects.count() == 0


def test_a_direction_flag_that_is_neither_credit_nor_debit_is_refused():
    text = "交易时间,借/贷,借方发生额,贷方发生额,对方单位名称,对方账号,摘要\n2026-11-12 10:15:00,收,,5.00,甲公司,,\n"
    with pytest.raises(DepositImportRejected) as refused:
        import_bytes(text.encode("utf-8-sig"), BOM_PROFILE)
    assert refused.value.errors == ["第 2 行: 借/贷 '收' 应为 借 或 贷"]


def test_a_file_of_another_layout_is_refused_naming_the_columns_it_needs():
    with pytest.raises(DepositImportRejected) as refused:
        import_file(BOM_SAMPLE, GBK_PROFILE)
    assert refused.value.errors == [
        "文件 'bank_statement_utf8bom.csv' 的前 20 行中找不到表头："
        "需要列 交易日、交易时间、贷方金额、借方金额、对方户名、对方账号、流水号、摘要"
    ]


def test_xlsx_with_excel_serial_and_date_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["账号：", "755900000010001"])
    sheet.append([])
    sheet.append(["交易日", "交易时间", "借方金额", "贷方金额", "对方户名", "对方账号", "流水号", "摘要"])
    sheet.append([46328, "09:00:00", None, 1250.5, "上海甲乙科技有限公司", "31001234560000001", "X1", "货款"])
    sheet.append([datetime(2026, 11, 3), None, None, "1,000.00", "上海甲乙科技有限公司", None, "X2", None])
    sheet.append(["20261104", "10:00", 99.0, None, "某供应商", None, "X3", "付款"])
    buffer = io.BytesIO()
    book.save(buffer)

    result = import_bytes(buffer.getvalue(), name="statement.xlsx")

    assert (result.record.created, result.record.debits) == (2, 1)
    assert [
        (d.received_on, d.received_time, d.amount, d.payer_account) for d in Deposit.objects.order_by("serial")
    ] == [
        (date(2026, 11, 2), time(9, 0), Decimal("1250.50"), "31001234560000001"),  # serial 46328 = 2026-11-02
        (date(2026, 11, 3), None, Decimal("1000.00"), ""),
    ]


def test_finance_edits_a_layout_and_setup_leaves_it_alone():
    gbk = profile(GBK_PROFILE)
    gbk.payer_column = "付款人"
    gbk.save()
    ImportProfile.objects.filter(code=BOM_PROFILE).delete()

    created = import_profiles_load_defaults()

    assert created == [BOM_PROFILE]  # a missing one comes back …
    assert profile(GBK_PROFILE).payer_column == "付款人"  # … an edited one is never overwritten
    assert import_profiles_load_defaults() == []


def test_an_inactive_layout_is_refused():
    ImportProfile.objects.filter(code=GBK_PROFILE).update(is_active=False)
    with pytest.raises(DepositImportRejected) as refused:
        import_file(GBK_SAMPLE, GBK_PROFILE)
    assert "已停用" in refused.value.errors[0]


def test_only_finance_imports(client, s1, finance):
    client.force_login(s1)
    assert client.get(IMPORT_URL).status_code == 404
    assert upload(client, GBK_SAMPLE.read_bytes(), GBK_PROFILE).status_code == 404
    assert Deposit.objects.count() == 0
    client.force_login(finance)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200 and "银行流水导入" in page.content.decode()


def test_the_result_page_lists_what_was_added(client, finance):
    client.force_login(finance)
    response = upload(client, GBK_SAMPLE.read_bytes(), GBK_PROFILE, GBK_SAMPLE.name)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-deposit=") == 8
    assert "成都子丑科技有限公司" in html and "1234.56" in html and NO_PAYER in html
    assert "深圳庚辛通信服务有限公司" not in html  # the debit


def test_finance_adds_a_layout_in_the_desk_and_imports_with_it(client, finance):
    client.force_login(finance)
    form = {
        "name": "某银行（金额一列）",
        "code": "one-amount-column",
        "is_active": "on",
        "date_column": "日期",
        "date_formats": "%Y/%m/%d",
        "credit_column": "金额",
        "debit_column": "金额",
        "direction_column": "",
        "credit_marks": "收",
        "debit_marks": "付",
        "payer_column": "对方名称",
    }
    refused = client.post("/desk/deposits/importprofile/add/", form)
    assert refused.status_code == 200 and "请填写借贷标志列" in refused.content.decode()
    assert not ImportProfile.objects.filter(code="one-amount-column").exists()

    response = client.post("/desk/deposits/importprofile/add/", {**form, "direction_column": "收/付"})

    assert response.status_code == 302
    text = '日期,收/付,金额,对方名称\n2026/11/02,收,"1,000.00",甲公司\n2026/11/02,付,50.00,乙公司\n'
    result = import_bytes(text.encode("gbk"), "one-amount-column")
    assert (result.record.created, result.record.debits) == (1, 1)
    assert stored() == [(date(2026, 11, 2), "甲公司", Decimal("1000.00"), U, "")]


def test_a_huge_or_exponent_amount_is_refused_naming_the_row_not_a_traceback():
    header = "交易日,交易时间,借方金额,贷方金额,对方户名,对方账号,流水号,摘要\n"
    text = (
        header
        + "20261101,09:00:00,,1e30,甲公司,,S1,\n"  # longer than the decimal context: quantize would raise
        + "20261101,09:00:00,,99999999999999999999999999999,甲公司,,S2,\n"
        + "20261101,09:00:00,,1000000000000.00,甲公司,,S3,\n"
    )
    with pytest.raises(DepositImportRejected) as refused:
        import_bytes(text.encode())

    assert refused.value.errors == [
        "第 2 行: 贷方金额 '1e30' 超过 999999999999.99",
        "第 3 行: 贷方金额 '99999999999999999999999999999' 超过 999999999999.99",
        "第 4 行: 贷方金额 '1000000000000.00' 超过 999999999999.99",
    ]
    assert Deposit.objects.count() == 0


def test_a_text_file_named_xlsx_and_an_empty_file_are_refused_in_chinese(client, finance):
    client.force_login(finance)
    for name, data in [
        ("流水.xlsx", "交易日,金额\n".encode()),
        ("空.csv", b""),
        ("流水.csv", b"\xff\xfe\x00\x81garbage"),
    ]:
        page = client.post(
            IMPORT_URL,
            {"profile": profile(GBK_PROFILE).pk, "file": SimpleUploadedFile(name, data)},
        )
        shown = [*page.context.get("errors", []), *page.context["form"].errors.get("file", [])]
        assert len(shown) == 1 and ("表头" in shown[0] or "空文件" in shown[0] or "另存为" in shown[0]), shown
    assert Deposit.objects.count() == 0 and DepositImport.objects.count() == 0
