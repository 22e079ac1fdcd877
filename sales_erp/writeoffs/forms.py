"""The write_off process form (manual 3.4): 自动销账 flag, 账单信息 and 到款信息 tables, 合计, 备注.

The tables are JSON rows; the 销账 page (views.WriteOffNewView) fills them from its inputs and the
automatic write-off from its plan. The form checks their shape and totals; the on_submit effect
(services.write_off_reserve) checks every limit again under row locks and records the figures at submit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from sales_erp.workflow.forms import ProcessForm
from sales_erp.writeoffs.selectors import ZERO
from sales_erp.writeoffs.services import TOTAL_WRONG, WriteOffRefused, fmt, rows_parse


class BillTableField(forms.JSONField):
    """账单信息: rows of 账单名称 / 账单金额 / 销账."""

    def display_value(self, value: Any) -> str:
        rows = value if isinstance(value, list) else []
        parts = []
        for r in rows:
            if isinstance(r, dict):
                name = r.get("name") or f"账单 {r.get('bill')}"
                parts.append(f"{name} 账单金额 {r.get('amount', '')} 销账 {r.get('write_off', '')}")
        return "；".join(parts)


class DepositTableField(forms.JSONField):
    """到款信息: rows of 到款时间 / 到款信息 / 到款 / 余额 / 销账."""

    def display_value(self, value: Any) -> str:
        rows = value if isinstance(value, list) else []
        parts = [
            f"{r.get('received_on', '')} {r.get('payer', '')} 到款 {r.get('amount', '')} 余额 {r.get('available', '')} "
            f"销账 {r.get('write_off', '')}".strip()
            for r in rows
            if isinstance(r, dict)
        ]
        return "；".join(parts)


class WriteOffForm(ProcessForm):
    auto_write_off = forms.ChoiceField(
        label="自动销账", choices=[("0", "0"), ("1", "1")], initial="0", required=False, widget=forms.HiddenInput
    )
    bills = BillTableField(label="账单信息", widget=forms.HiddenInput)
    deposits = DepositTableField(label="到款信息", widget=forms.HiddenInput)
    total = forms.DecimalField(label="销账合计", max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            bills = rows_parse(data.get("bills"), key="bill", what="账单")
            rows_parse(data.get("deposits"), key="deposit", what="到款")
        except WriteOffRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None
        summed = sum((a for _, a in bills), ZERO)
        if data.get("total") is not None and data["total"] != summed:
            raise forms.ValidationError(TOTAL_WRONG.format(total=fmt(data["total"]), sum=fmt(summed)))
        data["auto_write_off"] = data.get("auto_write_off") or "0"
        return data
