"""管理工作台 → 流程定义: admins add, remove and reorder nodes, pick approvers and write conditions.

A condition is written one row per line (`auto_write_off = 1`); a row naming a field the process's
form does not have is refused on save, with the row number and the fields that exist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from unfold.forms import PaginationInlineFormSet

from sales_erp.desk.admin_base import DeskAdmin, DeskStackedInline
from sales_erp.org.roles import Role
from sales_erp.workflow.conditions import ConditionError, condition_check_fields, condition_parse, condition_text
from sales_erp.workflow.forms import registered_field_labels
from sales_erp.workflow.models import Delegation, ProcessDefinition, ProcessNode

STAFF_ROLES = [(r.value, r.label) for r in Role if r != Role.CUSTOMER]
CONDITION_HELP = (
    "每行一个条件「字段 运算符 值」，多行须同时满足；运算符: = != > >= < <= in contains is-empty。"
    "例: auto_write_off = 1 ；region in 北京,上海 ；note is-empty。留空则不自动通过。"
)


def condition_validate(text: str, code: str) -> list[dict[str, str]]:
    """Parse and check a node's condition text; raises forms.ValidationError naming row and field."""
    try:
        rows = [row.as_dict() for row in condition_parse(text)]
        known = registered_field_labels(code)
        if known is not None:  # no registered form yet: the fields cannot be known, accept as written
            condition_check_fields(rows, known=known, code=code)
    except ConditionError as error:
        raise forms.ValidationError(str(error)) from None
    return rows


class NodeForm(forms.ModelForm):
    approver_roles = forms.MultipleChoiceField(
        label="审批角色", choices=STAFF_ROLES, required=False, widget=forms.CheckboxSelectMultiple
    )
    condition_text = forms.CharField(
        label="自动通过条件", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=CONDITION_HELP
    )

    class Meta:
        model = ProcessNode
        fields = [
            "position",
            "name",
            "approver_roles",
            "approver_superior",
            "approver_initiator",
            "approver_users",
            "mode",
            "condition_text",
            "form_editable",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["condition_text"] = condition_text(self.instance.condition)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        definition: ProcessDefinition | None = getattr(self, "parent_definition", None)
        code = definition.code if definition is not None else ""
        try:
            self.instance.condition = condition_validate(data.get("condition_text", ""), code)
        except forms.ValidationError as error:
            self.add_error("condition_text", error)
        if not (
            data.get("approver_roles")
            or data.get("approver_superior")
            or data.get("approver_initiator")
            or data.get("approver_users")
        ):
            self.add_error("approver_roles", "请至少选择一种审批人：角色、发起人、发起人的上级或指定人员")
        return data


class NodeFormSet(PaginationInlineFormSet):
    """Hands each node form its definition, whose code (possibly just typed, not yet saved) names the form."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.parent_definition = self.instance
        return form


class NodeInline(DeskStackedInline):
    model = ProcessNode
    form = NodeForm
    formset = NodeFormSet
    ordering_field = "position"
    hide_ordering_field = True
    autocomplete_fields = ["approver_users"]
    extra = 0


class DefinitionForm(forms.ModelForm):
    cc_roles = forms.MultipleChoiceField(
        label="抄送角色", choices=STAFF_ROLES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProcessDefinition
        fields = [
            "code",
            "name",
            "category",
            "description",
            "is_active",
            "order",
            "cc_roles",
            "cc_users",
            "cc_superior",
            "cc_when",
        ]


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(DeskAdmin):
    form = DefinitionForm
    inlines = [NodeInline]
    list_display = ["name", "code", "category", "route", "is_active", "order"]
    list_filter = ["category", "is_active"]
    list_editable = ["order"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["cc_users"]
    readonly_fields = ["available_fields"]
    fieldsets = (
        (None, {"fields": ("name", "code", "category", "description", "is_active", "order", "available_fields")}),
        ("抄送", {"fields": ("cc_when", "cc_roles", "cc_superior", "cc_users")}),
    )

    @admin.display(description="节点")
    def route(self, obj: ProcessDefinition) -> str:
        return " → ".join(n.name for n in obj.nodes.all())

    @admin.display(description="条件可用字段")
    def available_fields(self, obj: ProcessDefinition) -> str:
        labels = registered_field_labels(obj.code) if obj.pk else None
        if labels is None:
            return "该流程的表单尚未登记，条件按所写保存"
        return format_html_join("、", "{} ({})", sorted(labels.items())) or "（表单没有字段）"


@admin.register(Delegation)
class DelegationAdmin(DeskAdmin):
    list_display = ["user", "delegate", "start", "end", "reason"]
    list_filter = ["start"]
    search_fields = ["user__username", "user__last_name", "delegate__username", "delegate__last_name"]
    autocomplete_fields = ["user", "delegate"]
