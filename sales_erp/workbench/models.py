"""Custom fields admins add to the customer, product and process forms (DESIGN §8, V19 #6/#7).

A field's value lives in the record's `extra` JSON (Customer, Product) or in a process instance's
`form_data`, under the field's `name`. A process definition without a registered form gets its whole
form from these rows (the shape the no-code process types of the next issue build on).
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

CUSTOMER = "customer"
PRODUCT = "product"
MODEL_ENTITIES = {CUSTOMER: "客户", PRODUCT: "产品"}


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    CHOICE = "choice", "选项"


class CustomField(models.Model):
    # "customer", "product", or a process code (e.g. "write_off")
    entity = models.CharField("所属表单", max_length=50, db_index=True)
    label = models.CharField("显示名称", max_length=50)
    name = models.SlugField(
        "字段名", max_length=50, help_text="英文字母、数字和下划线，以字母开头；流程的自动通过条件用它引用字段"
    )
    field_type = models.CharField("类型", max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    choices = models.TextField("选项", blank=True, help_text="类型为「选项」时填写，每行一个")
    required = models.BooleanField("必填", default=False)
    order = models.PositiveSmallIntegerField("排序", default=100)
    help_text = models.CharField("填写提示", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "自定义字段"
        verbose_name_plural = "自定义字段"
        ordering = ["entity", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="custom_field_name_per_entity")]

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]
