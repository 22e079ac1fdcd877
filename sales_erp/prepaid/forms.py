"""The form of 销售充值流程 (manual 2.5). It starts from an account (`target=`); 当前余额 is read from the
ledger and shown, never typed; 条数 must be exactly 充值金额 ÷ 单价, a whole number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from sales_erp.customers.models import Account, Settlement
from sales_erp.prepaid.models import RechargeType
from sales_erp.prepaid.selectors import account_balance
from sales_erp.workflow.forms import ProcessForm

COUNT_NOT_WHOLE = "充值金额 {amount} 元 ÷ 单价 {price} 元/条 = {quotient} 条，不是整数，请核对充值金额和单价"
COUNT_MISMATCH = "条数应为 充值金额 {amount} 元 ÷ 单价 {price} 元/条 = {expected} 条，填写的是 {count} 条"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def money_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "data-no-paste": "1", "placeholder": "请填写数额"})


class RechargeForm(ProcessForm):
    account_code = forms.CharField(label="账号", required=False, disabled=True)
    recharge_type = forms.ChoiceField(
        label="充值类型",
        choices=[("", "请选择"), *RechargeType.choices],
        help_text="预付：预存费用，用不完可退回；预购：购买服务，不可退回现金",
    )
    current_balance = forms.DecimalField(
        label="当前余额(元)", required=False, disabled=True, decimal_places=2, help_text="按余额流水计算，发起时记录"
    )
    unit_price = forms.DecimalField(
        label="单价(元/条)", max_digits=14, decimal_places=6, min_value=Decimal("0.000001"), widget=money_input()
    )
    amount = forms.DecimalField(
        label="充值金额(元)", max_digits=14, decimal_places=2, min_value=Decimal("0.01"), widget=money_input()
    )
    count = forms.IntegerField(
        label="条数", min_value=1, widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "请填写整数"})
    )
    invoice_deadline = forms.DateField(label="开票截止日期", widget=DateInput())
    payment_deadline = forms.DateField(label="收款截止日期", widget=DateInput())
    actual_invoice_date = forms.DateField(label="实际开票日期", required=False, widget=DateInput())
    actual_payment_date = forms.DateField(label="实际收款日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.target if isinstance(self.target, Account) else None
        # Disabled fields take their value from here, whatever was posted: the ledger's balance at submit.
        self.initial["account_code"] = account.code if account else ""
        self.initial["current_balance"] = account_balance(account=account) if account else Decimal("0.00")
        if account and not self.initial.get("recharge_type"):
            self.initial["recharge_type"] = (
                RechargeType.PREPURCHASE
                if account.product.settlement == Settlement.PREPURCHASE
                else RechargeType.PREPAID
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amount, price, count = cleaned.get("amount"), cleaned.get("unit_price"), cleaned.get("count")
        if amount is not None and price is not None and count is not None:
            quotient = amount / price
            if quotient != quotient.to_integral_value():
                self.add_error(
                    "count",
                    COUNT_NOT_WHOLE.format(amount=amount, price=f"{price:.6f}", quotient=f"{quotient:.4f}"),
                )
            elif int(quotient) != count:
                self.add_error(
                    "count",
                    COUNT_MISMATCH.format(amount=amount, price=f"{price:.6f}", expected=int(quotient), count=count),
                )
        return cleaned
