"""账期更改流程 (payment_term; manual V17 "账单周期更改流程（更新）"): the form and its archive effect.

The salesperson picks the product (the process starts from it), the new term (新账单周期, 1–12 months),
adds proof as attachments and a required 备注. On archive the product's payment term becomes the new one,
so new bills are due that much later, and every bill of the product not fully written off is due its bill
date plus the new term (billing.services.bills_due_date_recompute; a shorter term brings them forward
too — the same rule 生成账单 applies when it regenerates a bill). Each moved bill's history says why.
"""

from __future__ import annotations

from typing import Any

from django import forms

from sales_erp.billing.services import bills_due_date_recompute
from sales_erp.customers.models import Product
from sales_erp.customers.services import CustomerRefused, product_payment_term_set
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.forms import ProcessForm
from sales_erp.workflow.models import ProcessInstance
from sales_erp.workflow.selectors import instance_last_actor

TERM_CHOICES = [("", "请选择"), *((str(n), f"{n} 个月") for n in range(1, 13))]
TERM_OUT_OF_RANGE = "新账单周期为 1–12 个月，不能是 {value}"
TERM_NOT_A_NUMBER = "新账单周期请选择 1–12 个月"
TERM_UNCHANGED = "产品 {product} 的账期已是 {months} 个月，请选择新的账单周期"
NOTE_REQUIRED = "请填写备注：简要说明合同约定的付款周期"
NO_PRODUCT = "流程 {number} 的产品已不存在，无法更改账期"


class PaymentTermForm(ProcessForm):
    payment_term_months = forms.IntegerField(
        label="新账单周期",
        widget=forms.Select(choices=TERM_CHOICES),
        error_messages={"invalid": TERM_NOT_A_NUMBER, "required": TERM_NOT_A_NUMBER},
        help_text="最多不超过 12 个月",
    )
    note = forms.CharField(
        label="账期更改备注",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": NOTE_REQUIRED},
        help_text="合同约定的付款周期等简要说明",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.target, Product):
            self.fields[
                "payment_term_months"
            ].help_text = f"当前账期：{self.target.payment_term_months} 个月；最多不超过 12 个月"

    def clean_payment_term_months(self) -> int:
        months: int = self.cleaned_data["payment_term_months"]
        if not 1 <= months <= 12:
            raise forms.ValidationError(TERM_OUT_OF_RANGE.format(value=months), code="payment_term_range")
        if isinstance(self.target, Product) and months == self.target.payment_term_months:
            raise forms.ValidationError(
                TERM_UNCHANGED.format(product=self.target.code, months=months), code="payment_term_unchanged"
            )
        return months


def payment_term_archive(*, instance: ProcessInstance) -> None:
    product = instance.target
    if not isinstance(product, Product):
        raise ProcessRefused(NO_PRODUCT.format(number=instance.number))
    months = int(instance.form_data["payment_term_months"])
    user = instance_last_actor(instance)
    reason = f"账期更改流程 {instance.number}：账期改为 {months} 个月"
    try:
        product_payment_term_set(product=product, months=months, user=user, reason=reason)
    except CustomerRefused as exc:
        raise ProcessRefused(exc.message, code=exc.code) from None
    bills_due_date_recompute(product=product, payment_term_months=months, user=user, reason=reason)
