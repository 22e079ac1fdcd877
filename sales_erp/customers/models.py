"""Customers and what hangs off them (DESIGN §2, manual 1.1–1.4)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sales_erp.customers.names import company_name_key
from sales_erp.customers.validators import (
    tax_id_normalise,
    validate_mobile,
    validate_not_future,
    validate_phone,
    validate_qq,
    validate_tax_id,
    validate_website,
)


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


CONTACT_DEPARTMENT_OTHER_CUSTOMER = "所选部门不属于这个客户，请选择该客户自己的部门"


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
    # While a salesperson's 申请客户 process runs, the pool customer is theirs to wait for: hidden from the
    # pool, still without an owner (customers.services.pool_claim / pool_release / pool_assign).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField("申请时间", null=True, blank=True, editable=False)
    # What the funnel needs to know without reading workflow tables (DESIGN §6 upgrades 3–6).
    test_account_approved_on = models.DateField("测试账号流程归档日期", null=True, blank=True, editable=False)
    business_contact = models.CharField("业务联系人", max_length=50)
    mobile = models.CharField("联系方式", max_length=20, validators=[validate_mobile], help_text="联系手机")
    legal_person = models.CharField("法人", max_length=50, blank=True)
    registration_number = models.CharField("注册号", max_length=50, blank=True)
    registered_address = models.CharField("注册地址", max_length=200, blank=True)
    mailing_address = models.CharField("通讯地址", max_length=200, blank=True)
    phone = models.CharField("电话号码", max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField("电子邮件", blank=True)
    website = models.CharField("公司网页", max_length=200, blank=True, validators=[validate_website])
    founded_on = models.DateField("公司成立日期", null=True, blank=True, validators=[validate_not_future])
    registered_capital = models.DecimalField(
        "注册资本(万元)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    nature = models.CharField("公司性质", max_length=16, choices=CompanyNature.choices, default=CompanyNature.PRIVATE)
    tax_id = models.CharField("税务号", max_length=18, blank=True, validators=[validate_tax_id])
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
        # The list's order (every page of 100,000 customers would sort them all without it); issue 9.
        indexes = [models.Index(fields=["owner", "tier"]), models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_key = company_name_key(self.name)
        self.tax_id = tax_id_normalise(self.tax_id)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def in_pool(self) -> bool:
        return self.tier == Tier.POOL


class InvoiceKind(models.TextChoices):
    ORDINARY = "ordinary", "增值税普通发票(普票)"
    SPECIAL = "special", "增值税专用发票(专票)"


class InvoiceTitle(models.Model):
    """开票信息: 普票 needs name + tax ID; 专票 needs all six fields."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="invoice_titles")
    company_name = models.CharField("公司名称", max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    tax_id = models.CharField("税务号", max_length=18, blank=True, validators=[validate_tax_id])
    address = models.CharField("公司地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True, validators=[validate_phone])
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
        self.tax_id = tax_id_normalise(self.tax_id)
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
    mobile1 = models.CharField("号码1", max_length=20, blank=True, validators=[validate_mobile])
    mobile2 = models.CharField("号码2", max_length=20, blank=True, validators=[validate_mobile])
    landline = models.CharField("座机", max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField("邮箱", blank=True)
    wechat = models.CharField("微信", max_length=50, blank=True)
    qq = models.CharField("QQ号", max_length=20, blank=True, validators=[validate_qq])
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"

    def clean(self) -> None:
        department = self.department
        if department is not None and self.customer_id and department.customer_id != self.customer_id:
            raise ValidationError({"department": CONTACT_DEPARTMENT_OTHER_CUSTOMER})


class ContactForm(models.TextChoices):
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    VISIT = "visit", "拜访"
    EMAIL = "email", "邮件"
    OTHER = "other", "其他"


class ContactLog(models.Model):
    """联系日志: what drives the funnel (DESIGN §6)."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="contact_logs")
    date = models.DateField("联系日期", validators=[validate_not_future])
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


# The moves an account may make (services.account_transition refuses any other).
ACCOUNT_TRANSITIONS: dict[str, frozenset[str]] = {
    AccountStatus.ACTIVE: frozenset({AccountStatus.BLOCKED}),
    AccountStatus.BLOCKED: frozenset({AccountStatus.ACTIVE}),
}


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


class ContractStatus(models.TextChoices):
    REVIEWING = "reviewing", "评审中"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"


# contract_review: the contract exists from submit (its number is shown to every approver), becomes
# binding on archive and is void when the process is rejected or withdrawn. A rejected process that its
# initiator edits and resubmits reopens the same contract (same number): withdrawn → under review.
CONTRACT_TRANSITIONS: dict[str, frozenset[str]] = {
    ContractStatus.REVIEWING: frozenset({ContractStatus.ARCHIVED, ContractStatus.WITHDRAWN}),
    ContractStatus.ARCHIVED: frozenset(),
    ContractStatus.WITHDRAWN: frozenset({ContractStatus.REVIEWING}),
}


class Contract(models.Model):
    """A contract with a customer (manual 2.2). Number HT-<year>-<id, 6 digits>, generated on creation."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField("合同编号", max_length=32, unique=True, null=True, blank=True, editable=False)
    name = models.CharField("合同名称", max_length=200, blank=True)
    valid_from = models.DateField("开始有效期", null=True, blank=True)
    valid_to = models.DateField("结束有效期", null=True, blank=True)  # inclusive; empty: no end date
    status = models.CharField(
        "状态", max_length=16, choices=ContractStatus.choices, default=ContractStatus.REVIEWING, editable=False
    )
    archived_on = models.DateField("归档日期", null=True, blank=True, editable=False)
    draft_file = models.FileField("合同附件(评审稿)", upload_to="contracts/%Y/", blank=True)
    signed_file = models.FileField("双方盖章扫描件", upload_to="contracts/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "合同"
        verbose_name_plural = "合同"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "status", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="contract_valid_from_before_to",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"合同 #{self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.number:
            self.number = f"HT-{timezone.localtime(self.created_at).year}-{self.pk:06d}"
            super().save(update_fields=["number"])

    def is_valid_on(self, day: date) -> bool:
        return (
            self.status == ContractStatus.ARCHIVED
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


class TierRule(models.TextChoices):
    """Why a customer changed tier (DESIGN §6): the funnel's rules, the processes, an admin's correction."""

    APPLY_CUSTOMER = "apply_customer", "升级1：申请客户流程归档"
    SILENT_TO_INTENT = "up_silent_intent", "升级2：沉默客户有新联系日志且信息完善"
    SILENT_TO_TEST = "up_silent_test", "升级3：沉默客户有新联系日志且有测试账号"
    SILENT_TO_CONTRACT = "up_silent_contract", "升级4：沉默客户有新联系日志、有测试账号且合同有效"
    INTENT_TO_TEST = "up_intent_test", "升级5：意向客户有新联系日志且有测试账号"
    INTENT_TO_CONTRACT = "up_intent_contract", "升级6：意向客户有新联系日志、有测试账号且合同有效"
    TEST_TO_CONTRACT = "up_test_contract", "升级7：测试客户有新联系日志且合同有效"
    CONTRACT_NO_LOG = "notice_contract_no_log", "降级1：合同客户无联系日志（仅通知）"
    CONTRACT_ENDING = "notice_contract_ending", "降级2：合同即将到期（仅通知）"
    CONTRACT_EXPIRED = "down_contract_expired", "降级3：合同到期未续签且无发送量"
    TEST_NO_LOG = "down_test_no_log", "降级4：测试客户无联系日志"
    INTENT_NO_LOG = "down_intent_no_log", "降级5：意向客户无联系日志"
    SILENT_NO_LOG = "down_silent_no_log", "降级6：沉默客户无联系日志，转入公共池"
    TEST_ACCOUNT = "test_account", "测试账号申请流程归档"
    CONTRACT_REVIEW = "contract_review", "合同评审流程归档"
    MANUAL = "manual", "管理员调整"


class TierChange(models.Model):
    """One move of a customer between tiers: from, to, rule, date (shown on the customer and in a list).

    `salesperson` is whom the move concerns: the owner who loses or keeps the customer, or the
    applicant who gets it. Rows are written in bulk by the funnel job; they are the audit trail of tiers.
    """

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField("原类别", max_length=16, choices=Tier.choices)
    to_tier = models.CharField("新类别", max_length=16, choices=Tier.choices)
    rule = models.CharField("规则", max_length=32, choices=TierRule.choices)
    date = models.DateField("日期", db_index=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="归属销售", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )  # empty: the system (funnel job)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户类别变动"
        verbose_name_plural = "客户类别变动"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_from_tier_display()} → {self.get_to_tier_display()} {self.date}"


class FunnelNotice(models.Model):
    """A notice the funnel sent without moving the customer (降级 1 and 2): at most one per customer,
    rule and calendar month, which the unique constraint guarantees even under a rerun."""

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="funnel_notices")
    rule = models.CharField("规则", max_length=32, choices=TierRule.choices)
    date = models.DateField("日期")
    month = models.DateField("月份")  # first day of `date`'s month
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="归属销售", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "漏斗通知"
        verbose_name_plural = "漏斗通知"
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "rule", "month"], name="funnel_notice_once_a_month")]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_rule_display()} {self.date}"


class WindowUnit(models.TextChoices):
    DAY = "day", "日"
    MONTH = "month", "个月"


class FunnelSettings(models.Model):
    """The funnel's windows and threshold (DESIGN §6), one row, edited in 管理工作台 → 客户漏斗设置."""

    contract_window = models.PositiveSmallIntegerField("合同客户联系窗口", default=1, validators=[MinValueValidator(1)])
    contract_window_unit = models.CharField("单位", max_length=8, choices=WindowUnit.choices, default=WindowUnit.MONTH)
    test_window = models.PositiveSmallIntegerField("测试客户联系窗口", default=1, validators=[MinValueValidator(1)])
    test_window_unit = models.CharField("单位", max_length=8, choices=WindowUnit.choices, default=WindowUnit.MONTH)
    intent_window = models.PositiveSmallIntegerField("意向客户联系窗口", default=15, validators=[MinValueValidator(1)])
    intent_window_unit = models.CharField("单位", max_length=8, choices=WindowUnit.choices, default=WindowUnit.DAY)
    silent_window = models.PositiveSmallIntegerField("沉默客户联系窗口", default=3, validators=[MinValueValidator(1)])
    silent_window_unit = models.CharField("单位", max_length=8, choices=WindowUnit.choices, default=WindowUnit.MONTH)
    contract_ending_months = models.PositiveSmallIntegerField(
        "合同到期提前通知(月)", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    contract_expired_months = models.PositiveSmallIntegerField(
        "合同到期未续签降级(月)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="合同到期后这么多个月仍未续签且没有发送量，降为测试客户",
    )
    completeness_threshold = models.PositiveSmallIntegerField(
        "信息完善率阈值(%)",
        default=100,
        validators=[MinValueValidator(25), MaxValueValidator(100)],
        help_text=(
            "四项各占 25%：手机、联系人姓名、职务、另一联系方式（电话/QQ/微信/邮箱）。"
            "沉默客户达到阈值且有新联系日志时升为意向客户"
        ),
    )
    warning_days = models.PositiveSmallIntegerField(
        "预警天数", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "客户漏斗设置"
        verbose_name_plural = "客户漏斗设置"

    def __str__(self) -> str:
        return "客户漏斗设置"


# ------------------------------------------------------------------- records of the account processes
class ChannelType(models.TextChoices):
    """报备类型 (manual 2.3): 短信, 彩信, or both."""

    SMS = "sms", "短信"
    MMS = "mms", "彩信"
    BOTH = "both", "短信和彩信"


# 行业 "按国家标准进行选择" (manual 2.3): the sections (门类) of GB/T 4754-2017 国民经济行业分类.
INDUSTRIES = [
    ("A", "A 农、林、牧、渔业"),
    ("B", "B 采矿业"),
    ("C", "C 制造业"),
    ("D", "D 电力、热力、燃气及水生产和供应业"),
    ("E", "E 建筑业"),
    ("F", "F 批发和零售业"),
    ("G", "G 交通运输、仓储和邮政业"),
    ("H", "H 住宿和餐饮业"),
    ("I", "I 信息传输、软件和信息技术服务业"),
    ("J", "J 金融业"),
    ("K", "K 房地产业"),
    ("L", "L 租赁和商务服务业"),
    ("M", "M 科学研究和技术服务业"),
    ("N", "N 水利、环境和公共设施管理业"),
    ("O", "O 居民服务、修理和其他服务业"),
    ("P", "P 教育"),
    ("Q", "Q 卫生和社会工作"),
    ("R", "R 文化、体育和娱乐业"),
    ("S", "S 公共管理、社会保障和社会组织"),
    ("T", "T 国际组织"),
]


class ChannelRegistration(models.Model):
    """通道报备 (manual 2.3): a signature (and sub-number) registered for an account with the carriers'
    channels, written when its channel_report process is archived at 资源部."""

    account = models.ForeignKey(
        Account, verbose_name="账号", on_delete=models.PROTECT, related_name="channel_registrations"
    )
    signature = models.CharField("签名", max_length=60, help_text="【】内的内容")
    channel_type = models.CharField("报备类型", max_length=8, choices=ChannelType.choices)
    sub_number = models.CharField("子号码", max_length=32, blank=True)
    industry = models.CharField("行业", max_length=2, choices=INDUSTRIES)
    description = models.TextField("申请说明")
    registered_on = models.DateField("报备日期")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="资源部经办人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    process = models.ForeignKey(
        "workflow.ProcessInstance",
        verbose_name="通道报备流程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "通道报备"
        verbose_name_plural = "通道报备"
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.account.code}【{self.signature}】{self.get_channel_type_display()}"


class RequestType(models.TextChoices):
    """申请类型 of 客服特殊申请 (manual 2.6)."""

    DETAIL_EXPORT = "detail_export", "详单导出"
    SUB_NUMBER = "sub_number", "子号码申请"
    UNBLOCK = "unblock", "账号解禁"
    GREEN = "green", "绿色客户申请"
    THREE_NETWORK = "three_network", "三网合一产品申请"
    SENSITIVE_WORDS = "sensitive_words", "敏感词排除"


class AccountRequest(models.Model):
    """An approved 客服特殊申请 (manual 2.6) on an account, for operations to act on and look up: what was
    granted (type, the detail export's dates, the explanation) and when; 账号解禁 also unblocks the account."""

    account = models.ForeignKey(Account, verbose_name="账号", on_delete=models.PROTECT, related_name="requests")
    request_type = models.CharField("申请类型", max_length=16, choices=RequestType.choices)
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    description = models.TextField("申请说明")
    outcome = models.CharField("结果", max_length=100)
    granted_on = models.DateField("批准日期")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    process = models.ForeignKey(
        "workflow.ProcessInstance",
        verbose_name="客服特殊申请流程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "客服特殊申请记录"
        verbose_name_plural = "客服特殊申请记录"
        ordering = ["-granted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.account.code} {self.get_request_type_display()} {self.granted_on}"
