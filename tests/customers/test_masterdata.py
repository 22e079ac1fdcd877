"""Master data rules of cases/masterdata.yaml (N01–N05, T01–T06, A01–A03, copied here), through the desk
forms a salesperson uses, and the invoice-title completeness of cases/invoice.yaml V04/V05."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sales_erp.customers.models import Account, Customer, InvoiceKind, InvoiceTitle, Product, Tier
from sales_erp.customers.names import company_name_key
from sales_erp.customers.services import CustomerRefused, invoice_title_check, invoice_title_missing_fields
from sales_erp.customers.validators import account_codes_parse, validate_tax_id
from tests.customers.desk_forms import page_form_data
from tests.factories import AccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

ADD_CUSTOMER = "/desk/customers/customer/add/"
ADD_PRODUCT = "/desk/customers/product/add/"

NAMES = [
    ("N01", "上海甲乙科技有限公司", " 上海甲乙科技有限公司 ", True),
    ("N02", "北京丙丁（集团）有限公司", "北京丙丁(集团)有限公司", True),
    ("N03", "ＡＢＣ信息技术有限公司", "abc信息技术有限公司", True),
    ("N04", "上海甲乙科技有限公司", "上海甲乙科技股份有限公司", False),
    ("N05", "上海 甲乙科技有限公司", "上海甲乙科技有限公司", True),
]


def product_form(client, customer, **fields) -> dict:
    data = page_form_data(client, ADD_PRODUCT)
    defaults = {"name": "行业短信", "kind": "industry_sms", "bill_type": "auto", "bill_day": 5}
    data.update({"customer": customer.pk, **defaults, "payment_term_months": 1, "settlement": "postpaid", **fields})
    return data


def customer_form(client, **fields) -> dict:
    data = page_form_data(client, ADD_CUSTOMER)
    data.update({"name": "新客户科技有限公司", "business_contact": "王经理", "mobile": "13800138000", **fields})
    return data


@pytest.mark.parametrize(("case", "a", "b", "same"), NAMES, ids=[n[0] for n in NAMES])
def test_N01_to_N05_name_normalisation(case, a, b, same):
    assert (company_name_key(a) == company_name_key(b)) is same


def test_N05_ideographic_space_is_dropped_too():
    assert company_name_key("上海\u3000甲乙科技有限公司") == company_name_key("上海甲乙科技有限公司")


@pytest.mark.parametrize(("case", "a", "b", "same"), NAMES, ids=[n[0] for n in NAMES])
def test_N01_to_N05_duplicate_check_button_and_save(client, team, case, a, b, same):
    mine = CustomerFactory.create(name=a, owner=team["s1"])
    client.force_login(team["s1"])
    answer = client.get("/desk/customers/check-name/", {"name": b}).json()
    assert answer["status"] == ("visible" if same else "free")
    response = client.post(ADD_CUSTOMER, customer_form(client, name=b))
    if same:
        assert response.status_code == 200
        assert f"客户“{mine.name}”已存在" in response.context["adminform"].form.errors["name"][0]
        assert Customer.objects.count() == 1
    else:
        assert response.status_code == 302
        assert Customer.objects.filter(name=b).exists()


def test_N01_duplicate_of_someone_elses_customer_says_only_that_it_exists(client, team):
    CustomerFactory.create(name="上海甲乙科技有限公司", owner=team["s2"], business_contact="秘密联系人")
    client.force_login(team["s1"])
    answer = client.get("/desk/customers/check-name/", {"name": " 上海甲乙科技有限公司 "}).json()
    assert answer == {"status": "other", "message": "该公司已存在，属于其他销售，不能重复添加"}
    response = client.post(ADD_CUSTOMER, customer_form(client, name="上海甲乙科技有限公司"))
    html = response.content.decode()
    assert "该公司已存在，属于其他销售，不能重复添加" in html
    assert "秘密联系人" not in html and "t_sales2" not in html
    assert Customer.objects.count() == 1


def test_duplicate_of_a_pool_customer_points_to_the_pool(client, team):
    CustomerFactory.create(name="公共池科技有限公司", owner=None, tier=Tier.POOL)
    client.force_login(team["s1"])
    answer = client.get("/desk/customers/check-name/", {"name": "公共池科技有限公司"}).json()
    assert answer["status"] == "pool"
    assert answer["message"] == "客户“公共池科技有限公司”已在公共池中，请到公共池申请该客户"


def test_new_customer_is_intent_owned_by_the_salesperson(client, team):
    client.force_login(team["s1"])
    response = client.post(ADD_CUSTOMER, customer_form(client, name="  新客户科技有限公司 "))
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/customers/{customer.pk}/"
    assert (customer.name, customer.tier, customer.owner, customer.created_by) == (
        "新客户科技有限公司",
        Tier.INTENT,
        team["s1"],
        team["s1"],
    )


@pytest.mark.parametrize(
    ("case", "code", "valid"),
    [
        ("T01", "9144030071526726XG", True),
        ("T02", "914403001922038216", True),
        ("T03", "9144030071526726XH", False),
        ("T04", "9144030071526726X", False),
        ("T05", "9144030071526726xg", True),
        ("T06", "91440300715267I6XG", False),
    ],
    ids=["T01", "T02", "T03", "T04", "T05", "T06"],
)
def test_T01_to_T06_tax_id_checksum(case, code, valid):
    if valid:
        validate_tax_id(code)
    else:
        with pytest.raises(ValidationError):
            validate_tax_id(code)


def test_T05_lower_case_accepted_and_stored_upper_case(client, team):
    client.force_login(team["s1"])
    response = client.post(ADD_CUSTOMER, customer_form(client, tax_id="9144030071526726xg"))
    assert response.status_code == 302
    assert Customer.objects.get().tax_id == "9144030071526726XG"


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("T03", "9144030071526726XH", "税务号 '9144030071526726XH' 校验位不正确"),
        ("T04", "9144030071526726X", "税务号 '9144030071526726X' 应为 18 位统一社会信用代码，现为 17 位"),
        ("T06", "91440300715267I6XG", "税务号 '91440300715267I6XG' 第 15 位 'I' 不是统一社会信用代码允许的字符"),
    ],
    ids=["T03", "T04", "T06"],
)
def test_T03_T04_T06_invalid_tax_id_refused_on_the_form(client, team, case, code, message):
    client.force_login(team["s1"])
    response = client.post(ADD_CUSTOMER, customer_form(client, tax_id=code))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors["tax_id"][0]
    assert Customer.objects.count() == 0


def test_T01_invoice_title_tax_id_checked_too(client, team):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    url = f"/desk/customers/customer/{customer.pk}/change/"
    data = page_form_data(client, url)
    data.update(
        {
            "invoice_titles-TOTAL_FORMS": 1,
            "invoice_titles-0-company_name": customer.name,
            "invoice_titles-0-tax_id": "9144030071526726XH",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert InvoiceTitle.objects.count() == 0
    data["invoice_titles-0-tax_id"] = "9144030071526726xg"
    assert client.post(url, data).status_code == 302
    assert InvoiceTitle.objects.get().tax_id == "9144030071526726XG"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "手机号 '12345' 无效"),
        ("phone", "021-abc", "电话号码 '021-abc' 无效"),
        ("website", "not a site", "公司网页 'not a site' 不是有效的网址"),
        ("founded_on", "2999-01-01", "日期 2999-01-01 晚于今天"),
        ("registered_capital", "-5", "确保该值大于或等于0"),
    ],
)
def test_customer_fields_validated_with_what_to_fix(client, team, field, value, message):
    client.force_login(team["s1"])
    response = client.post(ADD_CUSTOMER, customer_form(client, **{field: value}))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field][0]
    assert Customer.objects.count() == 0


def test_mainland_and_international_mobiles_accepted(client, team):
    client.force_login(team["s1"])
    assert client.post(ADD_CUSTOMER, customer_form(client, name="甲", mobile="+86 138-0013-8000")).status_code == 302
    assert client.post(ADD_CUSTOMER, customer_form(client, name="乙", mobile="+6591234567")).status_code == 302


# ----------------------------------------------------------------------------------------- accounts
@pytest.mark.parametrize(
    ("case", "text", "accounts"),
    [
        ("A01", "A001\nA002，A003,A004", ["A001", "A002", "A003", "A004"]),
        ("A02", " A001 ,\n\n,A002 ", ["A001", "A002"]),
    ],
    ids=["A01", "A02"],
)
def test_A01_A02_account_box_opens_the_accounts(client, team, case, text, accounts):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    data = product_form(client, customer, accounts_text=text)
    response = client.post(ADD_PRODUCT, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get()
    assert list(product.accounts.order_by("pk").values_list("code", flat=True)) == accounts
    assert product.code == f"P{product.pk:06d}"
    assert response["Location"] == f"/desk/customers/{customer.pk}/#product-{product.pk}"


def test_A03_duplicate_in_the_box_refused_naming_the_account(client, team):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    data = product_form(client, customer, accounts_text="A001,A002,A001")
    response = client.post(ADD_PRODUCT, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["accounts_text"]
    assert errors == ["账号 A001 在账号框中重复出现，请删去重复的账号"]
    assert Product.objects.count() == 0
    assert Account.objects.count() == 0


def test_A03_case_insensitive_duplicate():
    with pytest.raises(ValidationError, match="账号 A001 在账号框中重复出现"):
        account_codes_parse("A001\na001")


def test_account_of_another_product_refused_and_nothing_saved(client, team):
    AccountFactory.create(code="A001", product=ProductFactory.create(customer=CustomerFactory.create(owner=team["s2"])))
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    data = product_form(
        client, customer, name="营销短信", kind="marketing_sms", accounts_text="A002\nA001", settlement="prepaid"
    )
    response = client.post(ADD_PRODUCT, data)
    assert response.context["adminform"].form.errors["accounts_text"] == ["账号 A001 已存在，账号在全系统内不能重复"]
    assert Product.objects.filter(customer=customer).count() == 0
    assert Account.objects.count() == 1


def test_editing_a_product_adds_accounts_and_refuses_removing_one(client, team):
    product = ProductFactory.create(customer=CustomerFactory.create(owner=team["s1"]))
    AccountFactory.create(product=product, code="B001")
    client.force_login(team["s1"])
    url = f"/desk/customers/product/{product.pk}/change/"
    data = page_form_data(client, url)
    assert data["accounts_text"] == "B001"
    data["accounts_text"] = "B001，B002"
    assert client.post(url, data).status_code == 302
    assert sorted(product.accounts.values_list("code", flat=True)) == ["B001", "B002"]
    data = page_form_data(client, url)
    data["accounts_text"] = "B002"
    response = client.post(url, data)
    assert response.context["adminform"].form.errors["accounts_text"] == [
        "账号 B001 已开通，不能在产品表单中删除；不再使用的账号请封停"
    ]
    assert product.accounts.count() == 2


@pytest.mark.parametrize(("field", "value"), [("bill_day", 29), ("bill_day", 0), ("payment_term_months", 13)])
def test_product_bill_day_and_payment_term_bounds(client, team, field, value):
    customer = CustomerFactory.create(owner=team["s1"])
    client.force_login(team["s1"])
    data = product_form(client, customer)
    data[field] = value
    response = client.post(ADD_PRODUCT, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Product.objects.count() == 0


# ----------------------------------------------------------------------------------- invoice titles
def test_V04_special_invoice_incomplete_title_names_the_missing_field():
    title = InvoiceTitle(
        company_name="上海甲乙科技有限公司",
        tax_id="9144030071526726XG",
        address="上海市某区某路1号",
        phone="021-00000000",
        bank="某银行上海分行",
        bank_account="",
    )
    assert invoice_title_missing_fields(title, InvoiceKind.SPECIAL) == ["银行账号"]
    with pytest.raises(CustomerRefused) as refused:
        invoice_title_check(title=title, invoice_type=InvoiceKind.SPECIAL)
    assert refused.value.message == "增值税专用发票(专票)需要完整的开票信息，缺少：银行账号"


def test_V05_ordinary_invoice_needs_only_name_and_tax_id():
    title = InvoiceTitle(company_name="上海甲乙科技有限公司", tax_id="9144030071526726XG")
    assert invoice_title_missing_fields(title, InvoiceKind.ORDINARY) == []
    invoice_title_check(title=title, invoice_type=InvoiceKind.ORDINARY)
    assert invoice_title_missing_fields(InvoiceTitle(company_name="上海甲乙科技有限公司"), InvoiceKind.ORDINARY) == [
        "税务号"
    ]
