"""管理工作台: the custom-field rows, and the mixin that puts them on a model's admin pages.

To give a model admin its custom fields (the model needs an `extra` JSONField):

    @admin.register(Customer)
    class CustomerAdmin(CustomFieldsAdminMixin, DeskAdmin):   # mixin first
        custom_field_entity = "customer"

The edit form then has a 自定义字段 section (values saved in `extra`), the list a filter per field,
the export (django-import-export) a column per field, and `custom_fields_display` can be listed in
`readonly_fields`/`list_display` for a read-only view.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.module_loading import import_string
from import_export.fields import Field as ExportField

from sales_erp import hooks
from sales_erp.desk.admin_base import DeskAdmin
from sales_erp.workbench.forms import PREFIX, custom_field_check, model_form_extend
from sales_erp.workbench.models import MODEL_ENTITIES, CustomField, FieldType
from sales_erp.workbench.selectors import custom_field_values, custom_fields_for, stored_display


def entity_choices() -> list[tuple[str, str]]:
    from sales_erp.workflow.models import ProcessDefinition

    processes = [(d.code, f"流程: {d.name}") for d in ProcessDefinition.objects.order_by("category", "order", "code")]
    return [*MODEL_ENTITIES.items(), *processes]


def entity_taken_names(entity: str) -> set[str]:
    """Field names the entity's own form already uses (a custom field must not shadow one)."""
    process = hooks.PROCESSES.get(entity)
    if process is not None:
        return set(import_string(process.form).base_fields)
    return set()


class CustomFieldForm(forms.ModelForm):
    entity = forms.ChoiceField(label="所属表单")

    class Meta:
        model = CustomField
        fields = ["entity", "label", "name", "field_type", "choices", "required", "order", "help_text", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entity_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entity = data.get("entity")
        if entity:
            try:
                custom_field_check(
                    data=data, taken=entity_taken_names(entity), for_process=entity not in MODEL_ENTITIES
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data

    def save(self, commit: bool = True) -> CustomField:
        from sales_erp.workflow.models import ProcessDefinition

        field: CustomField = super().save(commit=False)
        # A process field belongs to its definition, so the 流程定义 page lists it with the nodes.
        field.definition = ProcessDefinition.objects.filter(code=field.entity).first()
        if commit:
            field.save()
        return field


@admin.register(CustomField)
class CustomFieldAdmin(DeskAdmin):
    form = CustomFieldForm
    list_display = ["label", "name", "entity_label", "field_type", "required", "order", "is_active"]
    list_filter = ["entity", "field_type", "required", "is_active"]
    list_editable = ["order"]
    search_fields = ["label", "name", "entity"]
    ordering = ["entity", "order", "id"]

    @admin.display(description="所属表单", ordering="entity")
    def entity_label(self, obj: CustomField) -> str:
        return dict(entity_choices()).get(obj.entity, obj.entity)


# -------------------------------------------------------------------------------------------- the mixin
def custom_field_filter(field: CustomField) -> type[admin.SimpleListFilter]:
    """A list filter on one custom field: its choices, or 已填写/未填写 for the other types."""
    key = f"extra__{field.name}"

    class CustomFieldFilter(admin.SimpleListFilter):
        title = field.label
        parameter_name = f"{PREFIX}{field.name}"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            if field.field_type == FieldType.CHOICE:
                return [(c, c) for c in field.choice_list]
            return [("__filled", "已填写"), ("__empty", "未填写")]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            empty = Q(**{f"{key}__isnull": True}) | Q(**{key: ""})
            if not value:
                return queryset
            if value == "__filled":
                return queryset.exclude(empty)
            if value == "__empty":
                return queryset.filter(empty)
            return queryset.filter(**{key: value})

    return CustomFieldFilter


def resource_with_custom_fields(resource_class: type, *, entity: str) -> type:
    """An import-export resource class with one read-only export column per custom field."""
    attrs: dict[str, Any] = {}
    for field in custom_fields_for(entity):
        attrs[f"{PREFIX}{field.name}"] = ExportField(
            column_name=field.label,
            readonly=True,
            dehydrate_method=lambda obj, name=field.name: stored_display((getattr(obj, "extra", None) or {}).get(name)),
        )
    if not attrs:
        return resource_class
    whitelist = getattr(getattr(resource_class, "_meta", None), "fields", None)
    if whitelist:  # a resource that lists its fields must list the custom ones too
        attrs["Meta"] = type("Meta", (), {"fields": [*whitelist, *attrs]})
    return type(resource_class.__name__, (resource_class,), attrs)


class CustomFieldsAdminMixin:
    """Adds the workbench's custom fields of `custom_field_entity` to a model admin (see module doc)."""

    custom_field_entity = ""

    def custom_field_names(self) -> list[str]:
        return [f"{PREFIX}{f.name}" for f in custom_fields_for(self.custom_field_entity)]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = model_form_extend(kwargs.get("form") or self.form, entity=self.custom_field_entity)  # type: ignore[attr-defined]
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[Any, dict[str, Any]]]:
        names = self.custom_field_names()
        fieldsets = [
            (title, {**options, "fields": [f for f in options["fields"] if f not in names]})
            for title, options in super().get_fieldsets(request, obj)  # type: ignore[misc]
        ]
        if names:
            fieldsets.append(("自定义字段", {"fields": names}))
        return fieldsets

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        base = list(super().get_list_filter(request))  # type: ignore[misc]
        return base + [custom_field_filter(f) for f in custom_fields_for(self.custom_field_entity)]

    def get_export_resource_classes(self, request: HttpRequest) -> list[type]:
        classes = super().get_export_resource_classes(request)  # type: ignore[misc]
        return [resource_with_custom_fields(c, entity=self.custom_field_entity) for c in classes]

    @admin.display(description="自定义字段")
    def custom_fields_display(self, obj: Any) -> str:
        rows = custom_field_values(entity=self.custom_field_entity, values=getattr(obj, "extra", None))
        return format_html_join("", "<div><strong>{}</strong>：{}</div>", rows) or "—"
