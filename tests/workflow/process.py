"""A small generic process that proves the engine until the domains deliver the real forms."""

from __future__ import annotations

from django import forms

from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.forms import ProcessForm
from sales_erp.workflow.models import ProcessInstance

CALLS: list[tuple[str, int, str]] = []
REFUSE: set[str] = set()
REFUSAL = "测试效果拒绝：金额超出额度"


class ExpenseForm(ProcessForm):
    amount = forms.DecimalField(label="金额", max_digits=12, decimal_places=2)
    auto_flag = forms.CharField(label="自动销账", required=False)
    kind = forms.ChoiceField(label="类型", choices=[("", "---"), ("travel", "差旅"), ("meal", "餐费")], required=False)
    spent_on = forms.DateField(label="日期", required=False)
    note = forms.CharField(label="说明", required=False)


def effect(name: str, instance: ProcessInstance) -> None:
    CALLS.append((name, instance.pk, instance.status))
    if name in REFUSE:
        raise ProcessRefused(REFUSAL)


def on_submit(*, instance: ProcessInstance) -> None:
    effect("submit", instance)


def on_archive(*, instance: ProcessInstance) -> None:
    effect("archive", instance)


def on_reject(*, instance: ProcessInstance) -> None:
    effect("reject", instance)


def on_withdraw(*, instance: ProcessInstance) -> None:
    effect("withdraw", instance)
