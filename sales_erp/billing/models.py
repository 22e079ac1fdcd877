"""Usage (发送量) and bills (DESIGN §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sales_erp.customers.models import Account, Customer, Product


class Carrier(models.TextChoices):
    NONE = "", "不区分"
    MOBILE = "mobile", "移动"
    UNICOM = "unicom", "联通"
    TELECOM = "telecom", "电信"


# What people and exports write for a carrier (the platform's export: 移动/联通/电信) → Carrier value.
CARRIER_BY_TEXT: dict[str, str] = {
    "": Carrier.NONE,
    "不区分": Carrier.NONE,
    **{c.value: c.value for c in Carrier if c.value},
    **{c.label: c.value for c in Carrier if c.value},
    **{f"中国{c.label}": c.value for c in Carrier if c.value},
}


class UsageRecord(models.Model):
    """One day's counts for one account (and carrier, country where relevant).

    Keyed by the account *code* as the platform sent it: a row whose code matches no account is kept
    (account is null) so the bill run can say 产品账号填写错误 instead of silently dropping it.
    Deliberately no history: usage arrives in millions of rows and is replaced only by re-import.
    """

    account_code = models.CharField("账号", max_length=64)
    account = models.ForeignKey(Account, verbose_name="账号", null=True, on_delete=models.PROTECT, related_name="usage")
    day = models.DateField("日期")
    month = models.DateField("月份", db_index=True)  # first day of `day`'s month: grouping without TruncMonth
    carrier = models.CharField("运营商", max_length=8, choices=Carrier.choices, default=Carrier.NONE, blank=True)
    country = models.CharField("国家/地区", max_length=8, default="", blank=True)
    submitted = models.PositiveBigIntegerField("提交条数", default=0)
    succeeded = models.PositiveBigIntegerField("成功条数", default=0)
    billable = models.PositiveBigIntegerField("计费条数", default=0)

    class Meta:
        verbose_name = "发送量"
        verbose_name_plural = "发送量"
        permissions = [("import_usage", "可导入发送量")]
        constraints = [
            models.UniqueConstraint(fields=["account_code", "day", "carrier", "country"], name="usage_natural_key")
        ]
        indexes = [models.Index(fields=["account", "month"])]

    def __str__(self) -> str:
        return f"{self.account_code} {self.day} {self.get_carrier_display()} {self.billable}"


class UsageImportSource(models.TextChoices):
    FILE = "file", "文件"
    API = "api", "接口"


class UsageImport(models.Model):
    """One import of usage (a file or an API push): who, when, and what it changed. The audit row of usage."""

    source = models.CharField("来源", max_length=8, choices=UsageImportSource.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    digest = models.CharField("文件摘要(SHA-256)", max_length=64, blank=True, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更正", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    months = models.JSONField("涉及月份", default=list, blank=True)
    # [{"code": …, "rows": n, "billable": n}] for account codes that match no product's account
    unmatched = models.JSONField("未匹配产品的账号", default=list, blank=True)

    class Meta:
        verbose_name = "发送量导入记录"
        verbose_name_plural = "发送量导入记录"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.get_source_display()} {timezone.localtime(self.imported_at):%Y-%m-%d %H:%M}"


class BillStatus(models.TextChoices):
    ISSUED = "issued", "未对账"
    RECONCILING = "reconciling", "对账中"
    RECONCILED = "reconciled", "已对账"


# Which status may follow which (services.bill_transition is the only door). A reconciliation that is
# rejected or withdrawn puts its bills back to 未对账.
BILL_TRANSITIONS: dict[str, frozenset[str]] = {
    BillStatus.ISSUED: frozenset({BillStatus.RECONCILING}),
    BillStatus.RECONCILING: frozenset({BillStatus.RECONCILED, BillStatus.ISSUED}),
    BillStatus.RECONCILED: frozenset(),
}


class CustomerCountSource(models.TextChoices):
    DESK = "desk", "销售录入"
    PORTAL = "portal", "客户录入"


class BillRun(models.Model):
    """出账记录: one run of the monthly bill run (the daily job, or "出账" by hand), with its report."""

    month = models.DateField("账单月份")  # first day of the billed month
    run_day = models.DateField("出账日")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空表示定时任务",
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    due_count = models.PositiveIntegerField("应出账产品", default=0)
    billed_count = models.PositiveIntegerField("新出账单", default=0)
    no_bill_count = models.PositiveIntegerField("未出账产品", default=0)
    existing_count = models.PositiveIntegerField("已有账单", default=0)
    # {"billed": [{product, bill, count, amount}], "no_bill": [{product, code, reason, detail}], "unmatched": […]}
    report = models.JSONField("报告", default=dict, blank=True)

    class Meta:
        verbose_name = "出账记录"
        verbose_name_plural = "出账记录"
        ordering = ["-started_at"]
        permissions = [("run_bills", "可执行出账")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 出账 {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class Bill(models.Model):
    """One product's bill for one month (DESIGN §4): a line per account, named 账单-<YYYY-MM>-<code>."""

    name = models.CharField("账单名称", max_length=100, db_index=True)
    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT, related_name="bills")
    # Denormalised from the product: per-customer lists (reconciliation, portal) read bills by customer.
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT, related_name="bills")
    period = models.DateField("账单月份")  # first day of the billed month
    bill_date = models.DateField("账单日期")
    due_date = models.DateField("到期日")
    count = models.PositiveBigIntegerField("计费条数", default=0)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        "状态", max_length=16, choices=BillStatus.choices, default=BillStatus.ISSUED, db_index=True
    )
    # Kept by the finance domain (write-offs, invoices); billing only starts them at 0.
    written_off_amount = models.DecimalField("已销账金额(元)", max_digits=14, decimal_places=2, default=0)
    invoiced_amount = models.DecimalField("已开票金额(元)", max_digits=14, decimal_places=2, default=0)
    generated_at = models.DateTimeField("出账时间")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出账人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空表示每月自动出账",
    )
    bill_run = models.ForeignKey(
        BillRun, verbose_name="出账记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="bills"
    )
    # Reconciliation (DESIGN §5.1, the reconciliation app): the customer's own count (客户数据) with who
    # entered it and when, the process holding the bill, and — once archived — our original figures
    # (我司数据), while count/amount then carry the agreed figures that invoices and write-offs use.
    customer_count = models.PositiveBigIntegerField("客户数据(条)", null=True, blank=True)
    customer_count_source = models.CharField(
        "客户数据来源", max_length=8, choices=CustomerCountSource.choices, blank=True, default=""
    )
    customer_count_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="客户数据录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customer_count_at = models.DateTimeField("客户数据录入时间", null=True, blank=True)
    reconciliation = models.ForeignKey(
        "workflow.ProcessInstance",
        verbose_name="对账流程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    our_count = models.PositiveBigIntegerField("我司计费条数", null=True, blank=True, help_text="对账归档前为空")
    our_amount = models.DecimalField(
        "我司金额(元)", max_digits=14, decimal_places=2, null=True, blank=True, help_text="对账归档前为空"
    )
    reconciled_at = models.DateTimeField("对账完成时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "账单"
        verbose_name_plural = "账单"
        ordering = ["-period", "name"]
        constraints = [models.UniqueConstraint(fields=["product", "period"], name="bill_one_per_product_month")]
        indexes = [
            # A customer's bills by month; with the name it also holds a salesperson's bill list in its order, so
            # the list's keys come from this index alone (desk.admin_base.KeysFirstPaginator).
            models.Index(fields=["customer", "period", "name"], name="bill_customer_period_name_idx"),
            # The bill list's order: its first page reads 100 rows of this index instead of sorting 1,000,000.
            models.Index(fields=["-period", "name"], name="bill_period_name_idx"),
        ]
        permissions = [("generate_bill", "可生成账单")]

    def __str__(self) -> str:
        return self.name


class BillLine(models.Model):
    """One account's part of a bill (per carrier when the price is per carrier, per country for 国际短信).

    Lines and their tier breakdown are rebuilt whole when the bill is regenerated; the bill's own history
    records each regeneration.
    """

    bill = models.ForeignKey(Bill, verbose_name="账单", on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, verbose_name="账号", on_delete=models.PROTECT, related_name="bill_lines")
    carrier = models.CharField("运营商", max_length=8, choices=Carrier.choices, default=Carrier.NONE, blank=True)
    country = models.CharField("国家/地区", max_length=8, default="", blank=True)
    count = models.PositiveBigIntegerField("计费条数")
    unit_price = models.DecimalField("单价(元/条)", max_digits=14, decimal_places=6)  # amount / count for tiers
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "账单明细"
        verbose_name_plural = "账单明细"
        ordering = ["bill", "account__code", "carrier", "country"]

    def __str__(self) -> str:
        return f"{self.account.code} {self.count} × {self.unit_price} = {self.amount}"


class BillLineTier(models.Model):
    """The tier breakdown of a line: which schedule and tier priced how many of its units."""

    line = models.ForeignKey(BillLine, verbose_name="账单明细", on_delete=models.CASCADE, related_name="tiers")
    schedule = models.ForeignKey(
        "pricing.PriceSchedule", verbose_name="调价", on_delete=models.PROTECT, related_name="+"
    )
    lower = models.PositiveBigIntegerField("起(条)")
    upper = models.PositiveBigIntegerField("止(条，不含)", null=True, blank=True)
    count = models.PositiveBigIntegerField("计费条数")
    price = models.DecimalField("单价(元/条)", max_digits=14, decimal_places=6)
    amount = models.DecimalField("金额(未舍入)", max_digits=20, decimal_places=6)  # rounded once, on the line

    class Meta:
        verbose_name = "阶梯明细"
        verbose_name_plural = "阶梯明细"

    def __str__(self) -> str:
        return f"{self.count} × {self.price}"


class NoBillCode(models.TextChoices):
    """Why a product got no bill (survey 2, question 5). A missing customer contact is never a reason."""

    NO_PRICE = "no_price", "产品当月没有调价"
    INTL_TABLE = "intl_table", "国际调价表格式错误"
    NO_USAGE = "no_usage", "产品该月没有发送量"
    ACCOUNT_ERROR = "account_error", "产品账号填写错误"


class NoBillReason(models.Model):
    """A product-month that has no bill, and why; gone once the bill exists. Shown to the product's salesperson."""

    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.CASCADE, related_name="no_bill_reasons")
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="+")
    period = models.DateField("账单月份")
    code = models.CharField("原因", max_length=16, choices=NoBillCode.choices)
    detail = models.TextField("说明", blank=True)
    bill_run = models.ForeignKey(
        BillRun, verbose_name="出账记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen_at = models.DateTimeField("首次发现", auto_now_add=True)
    checked_at = models.DateTimeField("最近检查", auto_now=True)

    class Meta:
        verbose_name = "无账单原因"
        verbose_name_plural = "无账单原因"
        ordering = ["-period", "product__code"]
        constraints = [models.UniqueConstraint(fields=["product", "period"], name="no_bill_one_per_product_month")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.period:%Y-%m} {self.get_code_display()}"
