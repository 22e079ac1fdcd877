"""Price schedules (销售调价, DESIGN §4, manual 2.4): what a product's usage costs, and from when to when.

A schedule is created as a draft, goes to 审批中 while its price_change process runs, and becomes 已生效
when that process is archived (or when finance/admins activate it in the desk). Only active schedules
price usage; two active schedules of the same product (or the same account) never overlap in time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.billing.models import Carrier
from sales_erp.customers.models import Account, Product

PRICE_DIGITS, PRICE_PLACES = 14, 6  # unit prices keep 6 decimals (V19 #2)


class PriceType(models.TextChoices):
    UNIFORM = "uniform", "统一价"
    STAGE = "stage", "阶段价"
    GRADUATED = "graduated", "阶梯价"


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "审批中"
    ACTIVE = "active", "已生效"
    VOID = "void", "已作废"


# Which status may follow which (services.price_schedule_transition is the only door).
SCHEDULE_TRANSITIONS: dict[str, frozenset[str]] = {
    ScheduleStatus.DRAFT: frozenset({ScheduleStatus.PENDING, ScheduleStatus.ACTIVE, ScheduleStatus.VOID}),
    # Back to draft when the price_change process is rejected or withdrawn.
    ScheduleStatus.PENDING: frozenset({ScheduleStatus.ACTIVE, ScheduleStatus.DRAFT, ScheduleStatus.VOID}),
    ScheduleStatus.ACTIVE: frozenset({ScheduleStatus.VOID}),
    ScheduleStatus.VOID: frozenset(),
}


class PriceSchedule(models.Model):
    product = models.ForeignKey(Product, verbose_name="产品", on_delete=models.PROTECT, related_name="price_schedules")
    # Narrowed to one account: that account is priced by this schedule instead of the product-wide one.
    account = models.ForeignKey(
        Account,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_schedules",
        help_text="留空表示适用于产品的全部账号",
    )
    price_type = models.CharField("价格类型", max_length=16, choices=PriceType.choices)
    valid_from = models.DateField("价格起始日期")
    valid_to = models.DateField("价格截止日期")  # inclusive
    million_ratio = models.DecimalField("百万投比", max_digits=12, decimal_places=4, null=True, blank=True)
    province_ratio = models.DecimalField(
        "省占比(%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    remarks = models.TextField("备注")
    status = models.CharField(
        "状态", max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生效操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField("生效时间", null=True, blank=True)
    # The price_change instance that proposed it (empty: made by finance/admins on the 新建调价 page).
    process = models.ForeignKey(
        "workflow.ProcessInstance",
        verbose_name="调价流程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="price_schedules",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "调价"
        verbose_name_plural = "价格表/调价"
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["product", "status", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__lte=models.F("valid_to")), name="schedule_dates_order"
            )
        ]
        permissions = [("activate_priceschedule", "可使调价生效或作废")]

    def __str__(self) -> str:
        scope = f"账号 {self.account.code}" if self.account_id and self.account else f"产品 {self.product.code}"
        return f"调价 #{self.pk}（{scope}，{self.valid_from} 至 {self.valid_to}）"


class PriceTier(models.Model):
    """One row of the tier editor: `lower ≤ 条 < upper` at `price`; upper empty = no limit.

    Rows with a carrier price that carrier's volume on its own (三网分开报价); rows without one price
    everything else.
    """

    schedule = models.ForeignKey(PriceSchedule, verbose_name="调价", on_delete=models.CASCADE, related_name="tiers")
    carrier = models.CharField("运营商", max_length=8, choices=Carrier.choices, default=Carrier.NONE, blank=True)
    lower = models.PositiveBigIntegerField("起(条)")
    upper = models.PositiveBigIntegerField("止(条，不含)", null=True, blank=True)
    price = models.DecimalField("单价(元/条)", max_digits=PRICE_DIGITS, decimal_places=PRICE_PLACES)

    class Meta:
        verbose_name = "价格档"
        verbose_name_plural = "价格档"
        ordering = ["schedule", "carrier", "lower"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "carrier", "lower"], name="tier_unique_lower"),
        ]

    def __str__(self) -> str:
        upper = "∞" if self.upper is None else self.upper
        return f"{self.lower} ≤ 条 < {upper}: {self.price}"


class CountryPrice(models.Model):
    """One row of an international product's price table (国际调价表)."""

    schedule = models.ForeignKey(
        PriceSchedule, verbose_name="调价", on_delete=models.CASCADE, related_name="country_prices"
    )
    country = models.CharField("国家代码", max_length=2)
    country_name = models.CharField("国家/地区", max_length=50)
    price = models.DecimalField("单价(元/条)", max_digits=PRICE_DIGITS, decimal_places=PRICE_PLACES)

    class Meta:
        verbose_name = "国际价格"
        verbose_name_plural = "国际价格表"
        ordering = ["schedule", "country"]
        constraints = [models.UniqueConstraint(fields=["schedule", "country"], name="country_price_unique")]

    def __str__(self) -> str:
        return f"{self.country_name}({self.country}): {self.price}"


class PriceScheduleAttachment(models.Model):
    schedule = models.ForeignKey(
        PriceSchedule, verbose_name="调价", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="pricing/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name
