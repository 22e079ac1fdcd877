"""Forms of the deposit desk pages: 银行流水导入, the deposit pool's filters, 指定客户."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget

from sales_erp.customers.models import Customer
from sales_erp.customers.names import company_name_key
from sales_erp.deposits.models import DepositStatus, ImportProfile
from sales_erp.deposits.selectors import PoolFilters
from sales_erp.deposits.statement_rows import amount_parse

CUSTOMER_REQUIRED = "请填写客户的公司名称"
CUSTOMER_NOT_FOUND = "没有名为「{name}」的客户：请填写客户的完整公司名称（与客户资料一致）"
AMOUNT_INVALID = "金额 '{value}' 不是数字"


class DepositImportForm(forms.Form):
    profile = forms.ModelChoiceField(
        label="流水格式",
        queryset=ImportProfile.objects.filter(is_active=True),
        widget=UnfoldAdminSelectWidget,
        help_text="银行导出文件的格式；新的银行格式可在 财务 → 银行流水格式 中添加",
    )
    file = forms.FileField(
        label="银行流水文件",
        widget=UnfoldAdminFileFieldWidget,
        help_text="CSV（UTF-8、带 BOM 的 UTF-8 或 GBK）或 XLSX；表头上方的账号信息行无需删除",
    )


class PoolFilterForm(forms.Form):
    payer = forms.CharField(label="付款方", required=False)
    amount = forms.CharField(label="金额", required=False)
    date_from = forms.DateField(label="到款日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="到", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *DepositStatus.choices])

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        amount = amount_parse(text)
        if amount is None:
            raise forms.ValidationError(AMOUNT_INVALID.format(value=text))
        return amount

    def filters(self) -> PoolFilters:
        """The filters to apply; a field that did not validate is left out (the page says why)."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return PoolFilters(
            payer=data.get("payer") or "",
            amount=data.get("amount"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=data.get("status") or "",
        )


class DepositAssignForm(forms.Form):
    """指定客户: by the customer's id (a candidate's button) or its full company name."""

    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer_name = forms.CharField(label="客户", required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer = None
        if data.get("customer_id"):
            customer = Customer.objects.filter(pk=data["customer_id"]).select_related("owner").first()
        elif (data.get("customer_name") or "").strip():
            name = data["customer_name"].strip()
            customer = Customer.objects.filter(name_key=company_name_key(name)).select_related("owner").first()
            if customer is None:
                raise forms.ValidationError(CUSTOMER_NOT_FOUND.format(name=name))
        if customer is None:
            raise forms.ValidationError(CUSTOMER_REQUIRED)
        data["customer"] = customer
        return data
