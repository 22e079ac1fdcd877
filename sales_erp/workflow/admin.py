"""管理工作台 → 流程定义: admins add, remove and reorder nodes, pick approvers and write conditions, and
give a process its form fields — the whole form of a process type defined with no code (电商购销单), or
extra fields on a built-in one.

A condition is written one row per line (`auto_write_off = 1`); a row naming a field the process's
form does not have is refused on save, with the row number and the fields that exist. The fields posted
on the same page count: a new type's fields and the conditions over them are saved together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.module_loading import import_string
from unfold.forms import PaginationInlineFormSet
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from sales_erp import hooks
from sales_erp.desk.admin_base import DeskAdmin, DeskStackedInline, DeskTabularInline
from sales_erp.org.roles import Role
from sales_erp.workbench import links
from sales_erp.workbench.admin import entity_taken_names
from sales_erp.workbench.forms import custom_field_check
from sales_erp.workbench.models import CustomField
from sales_erp.workflow.conditions import ConditionError, condition_check_fields, condition_parse, condition_text
from sales_erp.workflow.forms import registered_field_labels
from sales_erp.workflow.models import Delegation, ProcessDefinition, ProcessNode

STAFF_ROLES = [(r.value, r.label) for r in Role if r != Role.CUSTOMER]
CONDITION_HELP = (
    "每行一个条件「字段 运算符 值」，多行须同时满足；运算符: = != > >= < <= in contains is-empty。"
    "例: auto_write_off = 1 ；region in 北京,上海 ；note is-empty。留空则不自动通过。"
)


FIELDS_PREFIX = "form_fields"  # the 表单字段 inline's formset prefix (CustomField.definition's related name)
FIELD_NAME_TWICE = "字段名「{name}」在表单中出现了两次，请改为不同的字段名"
STARTS_FROM_MISSING = "「{kind}」功能尚未上线，暂不能选择从{kind}发起"


def posted_field_labels(data: Mapping[str, Any]) -> dict[str, str] | None:
    """name -> label of the active form fields posted with the definition (its 表单字段 inline, rows to be
    deleted left out), or None when the page posted no such inline."""
    total = str(data.get(f"{FIELDS_PREFIX}-TOTAL_FORMS", ""))
    if not total.isdigit():
        return None
    labels = {}
    for i in range(int(total)):
        row = f"{FIELDS_PREFIX}-{i}-"
        name = str(data.get(f"{row}name", "")).strip()
        if name and not data.get(f"{row}DELETE") and data.get(f"{row}is_active"):
            labels[name] = str(data.get(f"{row}label") or name)
    return labels


def condition_fields(code: str, posted: dict[str, str] | None) -> dict[str, str] | None:
    """The fields a condition may name: the registered form's plus the custom fields (those posted on the
    page when it posted them, else the saved ones). None for a process with neither: then the fields
    cannot be known yet (a built-in whose form is not registered), and a condition is accepted as written."""
    if posted is None:
        return registered_field_labels(code)
    process = hooks.PROCESSES.get(code)
    labels = {**(import_string(process.form).field_labels() if process else {}), **posted}
    if process is None and not labels:
        return None
    return labels


def condition_validate(text: str, code: str, posted: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Parse and check a node's condition text; raises forms.ValidationError naming row and field."""
    try:
        rows = [row.as_dict() for row in condition_parse(text)]
        known = condition_fields(code, posted)
        if known is not None:
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
            self.instance.condition = condition_validate(
                data.get("condition_text", ""), code, posted_field_labels(self.data)
            )
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


class DefinitionFormSet(PaginationInlineFormSet):
    """Hands each inline form (node, field) its definition, whose code (possibly just typed, not yet saved)
    names the process's form."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        form.parent_definition = self.instance
        return form


class NodeInline(DeskStackedInline):
    model = ProcessNode
    form = NodeForm
    formset = DefinitionFormSet
    ordering_field = "position"
    hide_ordering_field = True
    autocomplete_fields = ["approver_users"]
    extra = 0


class ProcessFieldForm(forms.ModelForm):
    class Meta:
        model = CustomField
        fields = ["label", "name", "field_type", "choices", "required", "order", "help_text", "is_active"]
        widgets = {
            "field_type": UnfoldAdminSelectWidget(attrs={"style": "min-width: 8.5rem"}),
            "choices": UnfoldAdminTextareaWidget(attrs={"rows": 2, "placeholder": "类型为「选项」时每行一个"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        definition: ProcessDefinition | None = getattr(self, "parent_definition", None)
        code = definition.code if definition is not None else ""
        try:
            custom_field_check(data=data, taken=entity_taken_names(code), for_process=True)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data


class ProcessFieldFormSet(DefinitionFormSet):
    """The form fields of one process; each name once (conditions and instances know a field by it)."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            name = (getattr(form, "cleaned_data", None) or {}).get("name")
            if not name or self._should_delete_form(form):
                continue
            if name in seen:
                form.add_error("name", FIELD_NAME_TWICE.format(name=name))
            seen.add(name)


class ProcessFieldInline(DeskTabularInline):
    """表单字段: label, name (what conditions use), type, choices, required, order, help text, 启用."""

    model = CustomField
    fk_name = "definition"
    form = ProcessFieldForm
    formset = ProcessFieldFormSet
    ordering_field = "order"
    hide_ordering_field = True
    verbose_name = "表单字段"
    verbose_name_plural = "表单字段（停用的字段不再出现在新发起的流程中，已发起的流程保留发起时的表单）"
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
            "starts_from",
            "cc_roles",
            "cc_users",
            "cc_superior",
            "cc_when",
        ]

    def clean_starts_from(self) -> str:
        kind = self.cleaned_data.get("starts_from") or ""
        if kind and links.OBJECT_KINDS[kind].model_class() is None:
            raise ValidationError(STARTS_FROM_MISSING.format(kind=links.OBJECT_KINDS[kind].label))
        return kind


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(DeskAdmin):
    form = DefinitionForm
    inlines = [ProcessFieldInline, NodeInline]
    list_display = ["name", "code", "kind", "category", "route", "is_active", "order"]
    list_filter = ["category", "is_active"]
    list_editable = ["order"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["cc_users"]
    readonly_fields = ["available_fields", "starts_from_display"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "code",
                    "category",
                    "starts_from",
                    "description",
                    "is_active",
                    "order",
                    "available_fields",
                )
            },
        ),
        ("抄送", {"fields": ("cc_when", "cc_roles", "cc_superior", "cc_users")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> list[str]:
        # The code is what instances, conditions and fields know the process by: fixed once saved.
        return [*self.readonly_fields, "code"] if obj is not None else list(self.readonly_fields)

    def get_fieldsets(self, request: HttpRequest, obj: ProcessDefinition | None = None) -> Any:
        if obj is None or not obj.is_registered:
            return self.fieldsets
        # A built-in process starts from what its code says; show it, do not offer to change it.
        shown = {"starts_from": "starts_from_display"}
        return [
            (title, {**options, "fields": [shown.get(f, f) for f in options["fields"]]})
            for title, options in self.fieldsets
        ]

    @admin.display(description="节点")
    def route(self, obj: ProcessDefinition) -> str:
        return " → ".join(n.name for n in obj.nodes.all())

    @admin.display(description="类型")
    def kind(self, obj: ProcessDefinition) -> str:
        return "内置" if obj.is_registered else "自定义（无代码）"

    @admin.display(description="发起对象")
    def starts_from_display(self, obj: ProcessDefinition) -> str:
        label = obj.target_label
        kind = links.kind_of_model(label)
        return links.OBJECT_KINDS[kind].label if kind else (label or "无（直接发起）")

    @admin.display(description="条件可用字段")
    def available_fields(self, obj: ProcessDefinition) -> str:
        if not obj.pk:
            return "条件可引用本页「表单字段」中启用的字段名（以及内置流程表单自带的字段）"
        labels = registered_field_labels(obj.code)
        if labels is None:
            return "该流程既没有登记的表单，也没有表单字段；条件按所写保存"
        return format_html_join("、", "{} ({})", sorted(labels.items())) or "（表单没有字段）"


@admin.register(Delegation)
class DelegationAdmin(DeskAdmin):
    list_display = ["user", "delegate", "start", "end", "reason"]
    list_filter = ["start"]
    search_fields = ["user__username", "user__last_name", "delegate__username", "delegate__last_name"]
    autocomplete_fields = ["user", "delegate"]
