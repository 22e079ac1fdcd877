"""Two processes that start from an account: 通道报备流程 (channel_report, manual 2.3; 客户维护专员 → 资源部)
and 客服特殊申请流程 (special_request, manual 2.6; 风控专家 → 运营副总). Their forms and archive effects,
registered in hooks.PROCESSES; the writes are customers.services.

- channel_report: *签名 (the text inside 【】), *报备类型 (短信/彩信/皆有), 子号码, *行业 (GB/T 4754 门类),
  *申请说明, 申请材料. Archived: a ChannelRegistration on the account.
- special_request: *申请类型 — 详单导出 (*开始日期, *结束日期), 子号码申请, 账号解禁, 绿色客户申请,
  三网合一产品申请, 敏感词排除 — each with *申请说明 and 申请附件. Only the chosen type's own fields are
  checked and kept (the page shows only those). Archived: an AccountRequest on the account; 账号解禁
  also unblocks it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from sales_erp.customers.models import INDUSTRIES, Account, AccountStatus, ChannelType, RequestType
from sales_erp.customers.services import CustomerRefused, account_request_grant, channel_registration_create
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.forms import ProcessForm
from sales_erp.workflow.models import ProcessInstance
from sales_erp.workflow.selectors import instance_last_actor


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


SIGNATURE_BRACKETS = re.compile(r"^[【\[]\s*|\s*[】\]]$")
SIGNATURE_EMPTY = "请填写签名（【】内的内容，如 大汉三通）"
SUB_NUMBER_DIGITS = "子号码只能是数字，「{value}」不是"
NO_ACCOUNT = "流程 {number} 的账号已不存在"


class ChannelReportForm(ProcessForm):
    signature = forms.CharField(label="签名", max_length=60, help_text="签名即【】内的内容")
    channel_type = forms.ChoiceField(
        label="报备类型", choices=[("", "请选择"), *ChannelType.choices], error_messages={"required": "请选择报备类型"}
    )
    sub_number = forms.CharField(label="子号码", max_length=32, required=False, help_text="根据客户需要填写")
    industry = forms.ChoiceField(
        label="行业",
        choices=[("", "请选择"), *INDUSTRIES],
        help_text="按国家标准选择",
        error_messages={"required": "请选择行业"},
    )
    description = forms.CharField(
        label="申请说明", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写申请说明"}
    )
    materials = forms.FileField(label="申请材料", required=False, help_text="总大小不超过 100 MB")

    def clean_signature(self) -> str:
        signature = SIGNATURE_BRACKETS.sub("", self.cleaned_data["signature"].strip()).strip()
        if not signature:
            raise forms.ValidationError(SIGNATURE_EMPTY)
        return signature

    def clean_sub_number(self) -> str:
        value = self.cleaned_data["sub_number"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError(SUB_NUMBER_DIGITS.format(value=value))
        return value


# The fields each 申请类型 has beyond 申请说明 and 申请附件 (which every type has).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {RequestType.DETAIL_EXPORT: ("start_date", "end_date")}
TYPE_ONLY_FIELDS = {name for names in TYPE_FIELDS.values() for name in names}
FIELD_REQUIRED = "{type}请填写{label}"
DATES_ORDER = "结束日期 {end} 不能早于开始日期 {start}"
UNBLOCK_NOT_BLOCKED = "账号 {code} 当前状态为“{status}”，无需解禁"


class SpecialRequestForm(ProcessForm):
    request_type = forms.ChoiceField(
        label="申请类型", choices=[("", "请选择"), *RequestType.choices], error_messages={"required": "请选择申请类型"}
    )
    start_date = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end_date = forms.DateField(label="结束日期", required=False, widget=DateInput())
    description = forms.CharField(
        label="申请说明", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写申请说明"}
    )
    request_file = forms.FileField(label="申请附件", required=False, help_text="总大小不超过 100 MB")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for request_type, names in TYPE_FIELDS.items():
            for name in names:  # the page's script shows these only for their type
                self.fields[name].widget.attrs["data-request-types"] = request_type
                self.fields[name].label_suffix = ""
                self.fields[name].help_text = f"{RequestType(request_type).label}必填"

    def added_fields(self) -> list[forms.BoundField]:
        """The workbench's custom fields for this process (the page template lists the form's own first)."""
        return [self[name] for name in self.fields if name not in SpecialRequestForm.base_fields]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        request_type = data.get("request_type")
        if not request_type:
            return data
        own = TYPE_FIELDS.get(request_type, ())
        for name in TYPE_ONLY_FIELDS - set(own):
            data[name] = None  # another type's field: neither checked nor kept
            self.errors.pop(name, None)
        label = RequestType(request_type).label
        for name in own:
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, FIELD_REQUIRED.format(type=label, label=self.fields[name].label))
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", DATES_ORDER.format(start=start, end=end))
        account = self.target
        if (
            request_type == RequestType.UNBLOCK
            and isinstance(account, Account)
            and account.status != AccountStatus.BLOCKED
        ):
            self.add_error(
                "request_type", UNBLOCK_NOT_BLOCKED.format(code=account.code, status=account.get_status_display())
            )
        return data


def instance_account(instance: ProcessInstance) -> Account:
    account = instance.target
    if not isinstance(account, Account):
        raise ProcessRefused(NO_ACCOUNT.format(number=instance.number))
    return account


def channel_report_archive(*, instance: ProcessInstance) -> None:
    data = instance.form_data
    try:
        channel_registration_create(
            account=instance_account(instance),
            signature=data["signature"],
            channel_type=data["channel_type"],
            sub_number=data.get("sub_number") or "",
            industry=data["industry"],
            description=data["description"],
            user=instance_last_actor(instance),
            process=instance,
        )
    except CustomerRefused as exc:
        raise ProcessRefused(exc.message, code=exc.code) from None


def special_request_archive(*, instance: ProcessInstance) -> None:
    data = instance.form_data
    dates = {name: date.fromisoformat(data[name]) if data.get(name) else None for name in ("start_date", "end_date")}
    try:
        account_request_grant(
            account=instance_account(instance),
            request_type=data["request_type"],
            description=data["description"],
            user=instance_last_actor(instance),
            process=instance,
            **dates,
        )
    except CustomerRefused as exc:
        raise ProcessRefused(exc.message, code=exc.code) from None
