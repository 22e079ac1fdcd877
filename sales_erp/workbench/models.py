"""Custom fields admins add to the customer, product and process forms (DESIGN §3, §8, V19 #6/#7).

A field's value lives in the record's `extra` JSON (Customer, Product) or in a process instance's
`form_data`, under the field's `name`. A process definition without a registered form gets its whole
form from these rows: that is how admins define a process type with no code (电商购销单). Instances copy
the rows (`spec()`) into their definition snapshot at submit, so editing or retiring a field never
changes the form of an instance already running or archived.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.workbench import links

CUSTOMER = "customer"
PRODUCT = "product"
MODEL_ENTITIES = {CUSTOMER: "客户", PRODUCT: "产品"}


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    LONG_TEXT = "long_text", "长文本"
    NUMBER = "number", "数字"
    MONEY = "money2", "金额(2位)"
    PRICE = "money6", "单价(6位)"
    DATE = "date", "日期"
    CHOICE = "choice", "选项"
    YES_NO = "yes_no", "是/否"
    ATTACHMENT = "attachment", "附件"
    LINK_CUSTOMER = "link_customer", "关联客户"
    LINK_PRODUCT = "link_product", "关联产品"
    LINK_ACCOUNT = "link_account", "关联账号"


# Money keeps exactly these places (DESIGN §2: amounts 2, unit prices 6); more are refused, never rounded.
MONEY_PLACES = {FieldType.MONEY: 2, FieldType.PRICE: 6}
# The object kind each link type picks (links.OBJECT_KINDS).
LINK_KINDS = {
    FieldType.LINK_CUSTOMER: links.CUSTOMER,
    FieldType.LINK_PRODUCT: links.PRODUCT,
    FieldType.LINK_ACCOUNT: links.ACCOUNT,
}
# Types that only make sense on a process form: their values live with the instance (its attachments,
# a snapshot of the linked object's name), not in a customer's or product's `extra`.
PROCESS_ONLY_TYPES = {FieldType.ATTACHMENT, *LINK_KINDS}


class CustomField(models.Model):
    # "customer", "product", or a process code (e.g. "write_off"); for a process also `definition`.
    entity = models.CharField("所属表单", max_length=50, db_index=True)
    definition = models.ForeignKey(
        "workflow.ProcessDefinition",
        verbose_name="流程",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="form_fields",
    )
    label = models.CharField("显示名称", max_length=50)
    name = models.SlugField(
        "字段名", max_length=50, help_text="英文字母、数字和下划线，以字母开头；流程的自动通过条件用它引用字段"
    )
    field_type = models.CharField(
        "类型",
        max_length=16,
        choices=FieldType.choices,
        default=FieldType.TEXT,
        help_text="金额(2位)/单价(6位): 元，小数位多于此数的输入被拒绝；是/否: 从列表选择；"
        "关联客户/产品/账号: 只能选填写人可以查看的，并保存当时的名称；附件: 计入流程附件的 100 MB 总量（仅流程表单）",
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A process's field belongs to its definition (the 流程定义 page edits them together); the
        # entity is the definition's code, which is what instances and conditions know it by.
        if self.definition_id is not None:
            self.entity = self.definition.code  # type: ignore[union-attr]
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "entity"}
        super().save(*args, **kwargs)

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def spec(self) -> dict[str, Any]:
        """What a form needs to build this field, as plain data: an instance keeps it in its snapshot."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.field_type,
            "choices": self.choice_list,
            "required": self.required,
            "help_text": self.help_text,
        }
