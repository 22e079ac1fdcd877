"""Forms of the billing desk pages: usage import, 生成账单, 出账."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from unfold.widgets import INPUT_CLASSES, UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget, UnfoldBooleanWidget

from sales_erp.billing.selectors import products_visible_to
from sales_erp.billing.services import BillRefused, month_parse
from sales_erp.customers.models import Product
from sales_erp.org.models import User


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(attrs={"class": " ".join(INPUT_CLASSES), "placeholder": "2026-10"})


class MonthField(forms.CharField):
    widget = MonthInput

    def clean(self, value: Any) -> date:
        text = super().clean(value)
        try:
            return month_parse(text)
        except BillRefused as exc:
            raise forms.ValidationError(exc.message) from None


class UsageImportForm(forms.Form):
    file = forms.FileField(
        label="发送量文件",
        widget=UnfoldAdminFileFieldWidget,
        help_text="平台导出的 CSV 或 XLSX：日期、账号、运营商、提交条数、成功条数、计费条数（国际短信另有 国家/地区）",
    )
    dry_run = forms.BooleanField(
        label="仅检查，不导入", required=False, widget=UnfoldBooleanWidget, help_text="先看行数与未匹配的账号"
    )


class BillGenerateForm(forms.Form):
    product = forms.ModelChoiceField(label="产品", queryset=Product.objects.none(), widget=UnfoldAdminSelectWidget)
    month = MonthField(label="账单月份")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = products_visible_to(user).order_by("customer__name", "name")
        field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.customer.name} · {obj.name}（{obj.code}，{obj.get_bill_type_display()}）"
        )


class BillRunForm(forms.Form):
    month = MonthField(label="账单月份", help_text="为账单日已到的 自动 产品出该月账单；已有账单的产品不会重复出账")
