"""Customers and what hangs off them (DESIGN §2, manual 1.1–1.4)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sales_erp.customers.names import company_name_key


class Tier(models.TextChoices):
    """The funnel's five tiers, top to bottom (DESIGN §6)."""

    CONTRACT = "contract", "合同客户"
    TEST = "test", "测试客户"
    INTENT = "intent", "意向客户"
    SILENT = "silent", "沉默客户"
    POOL = "pool", "公共池客户"


class CompanyNature(models.TextChoices):
    PRIVATE = "private", "民营"
    STATE = "state", "国有"
    FOREIGN = "foreign", "外资"
    JOINT = "joint", "合资"
    INDIVIDUAL = "individual", "个体"
    OTHER = "other", "其他"


REGIONS = [
    "全国", "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
    "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
]  # fmt: skip


class Customer(models.Model):
    name = models.CharField("公司名称", max_length=200)
    # The normalised name (names.company_name_key): unique, so two spellings of one company cannot coexist.
    name_key = models.CharField("公司名称(规范化)", max_length=200, unique=True, editable=False)
    tier = models.CharField("客户类别", max_length=16, choices=Tier.choices, default=Tier.INTENT, db_index=True)
    tier_since = models.DateField("进入当前类别日期", default=timezone.localdate)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="归属销售",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    business_contact = models.CharField("业务联系人", max_length=50)
    mobile = models.CharField("联系方式", max_length=20)
    legal_person = models.CharField("法人", max_length=50, blank=True)
    registration_number = models.CharField("注册号", max_length=50, blank=True)
    registered_address = models.CharField("注册地址", max_length=200, blank=True)
    mailing_address = models.CharField("通讯地址", max_length=200, blank=True)
    phone = models.CharField("电话号码", max_length=30, blank=True)
    email = models.EmailField("电子邮件", blank=True)
    website = models.CharField("公司网页", max_length=200, blank=True)
    founded_on = models.DateField("公司成立日期", null=True, blank=True)
    registered_capital = models.DecimalField("注册资本(万元)", max_digits=14, decimal_places=2, null=True, blank=True)
    nature = models.CharField("公司性质", max_length=16, choices=CompanyNature.choices, default=CompanyNature.PRIVATE)
    tax_id = models.CharField("税务号", max_length=18, blank=True)
    region = models.CharField("客户归属地", max_length=8, choices=[(r, r) for r in REGIONS], default="全国")
    contract_date = models.DateField("合同日期", null=True, blank=True, editable=False)  # set by contract_review
    first_use_date = models.DateField("使用日期", null=True, blank=True)
    needs_invoice = models.BooleanField("需要开票", default=True)
    extra = models.JSONField("自定义字段", default=dict, blank=True)  # values of admin-defined custom fields
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "客户"
        verbose_name_plural = "客户"
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "tier"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_key = company_name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class InvoiceTitle(models.Model):
    """开票信息: 普票 needs name + tax ID; 专票 needs all six fields."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="invoice_titles")
    company_name = models.CharField("公司名称", max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    tax_id = models.CharField("税务号", max_length=18, blank=True)
    address = models.CharField("公司地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    bank = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "开票信息"
        verbose_name_plural = "开票信息"

    def __str__(self) -> str:
        return self.company_name

    def save(self, *args, **kwargs):
        self.company_name = self.company_name.strip()
        self.name_key = company_name_key(self.company_name)
        super().save(*args, **kwargs)


class CustomerDepartment(models.Model):
    """A department of the customer's company (manual 1.2), not one of ours."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="departments")
    name = models.CharField("部门名称", max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "客户部门"
        verbose_name_plural = "客户部门"
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="customer_department_unique")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="contacts")
    department = models.ForeignKey(
        CustomerDepartment,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50)
    mobile1 = models.CharField("号码1", max_length=20, blank=True)
    mobile2 = models.CharField("号码2", max_length=20, blank=True)
    landline = models.CharField("座机", max_length=30, blank=True)
    email = models.EmailField("邮箱", blank=True)
    wechat = models.CharField("微信", max_length=50, blank=True)
    qq = models.CharField("QQ号", max_length=20, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"


class ContactForm(models.TextChoices):
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    VISIT = "visit", "拜访"
    EMAIL = "email", "邮件"
    OTHER = "other", "其他"


class ContactLog(models.Model):
    """联系日志: what drives the funnel (DESIGN §6)."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="contact_logs")
    date = models.DateField("联系日期")
    contact_name = models.CharField("联系人", max_length=50)
    form = models.CharField("联系形式", max_length=16, choices=ContactForm.choices)
    content = models.TextField("联系内容")
    outcome = models.TextField("工作成果")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填写人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("填写时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系日志"
        verbose_name_plural = "联系日志"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.date}"


class ProductKind(models.TextChoices):
    INDUSTRY_SMS = "industry_sms", "行业短信"
    MARKETING_SMS = "marketing_sms", "营销短信"
    INTL_SMS = "intl_sms", "国际短信"
    MMS = "mms", "彩信"
    VOICE = "voice", "语音"
    SOFTWARE = "software", "软件"
    OTHER = "other", "其他"


class BillType(models.TextChoices):
    AUTO = "auto", "自动"
    MANUAL = "manual", "手动"


class Settlement(models.TextChoices):
    PREPAID = "prepaid", "预付费(预付)"  # prepaid, refundable
    PREPURCHASE = "prepurchase", "预付费(预购)"  # prepaid purchase, not refundable
    POSTPAID = "postpaid", "后付费"

    @property
    def is_prepaid(self) -> bool:
        return self in (Settlement.PREPAID, Settlement.PREPURCHASE)


class Product(models.Model):
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT, related_name="products")
    code = models.CharField("产品编号", max_length=32, unique=True, null=True, blank=True)  # P000123 when left blank
    name = models.CharField("产品名称", max_length=100)
    kind = models.CharField("产品类型", max_length=16, choices=ProductKind.choices)
    direct_to_supplier = models.BooleanField("是否直连供应商", default=False)
    bill_type = models.CharField("账单类型", max_length=8, choices=BillType.choices, default=BillType.AUTO)
    bill_day = models.PositiveSmallIntegerField(
        "账单日", validators=[MinValueValidator(1), MaxValueValidator(28)], help_text="1–28"
    )
    payment_term_months = models.PositiveSmallIntegerField(
        "账期(月)", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    settlement = models.CharField("结算方式", max_length=16, choices=Settlement.choices)
    extra = models.JSONField("自定义字段", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "产品"
        verbose_name_plural = "产品"
        ordering = ["customer", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(bill_day__gte=1, bill_day__lte=28), name="product_bill_day_1_28"),
            models.CheckConstraint(
                condition=models.Q(payment_term_months__gte=1, payment_term_months__lte=12),
                name="product_payment_term_1_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} · {self.name}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.code:
            self.code = f"P{self.pk:06d}"
            super().save(update_fields=["code"])

    @property
    def is_prepaid(self) -> bool:
        return Settlement(self.settlement).is_prepaid


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    BLOCKED = "blocked", "封停"


class Account(models.Model):
    """账号: the unit usage is counted and billed by. Codes are unique system-wide."""

    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField("账号", max_length=64, unique=True)
    status = models.CharField("状态", max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
