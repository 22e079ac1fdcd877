"""Turning custom-field rows into form fields, and forms that carry them.

- `form_class_extend(form_class, entity=...)`: a subclass of any form with the entity's custom fields
  added (process forms use the field names as they are; their values go into the instance's form data).
- `CustomFieldModelForm` (with `model_form_extend`): a ModelForm whose custom-field values are read
  from and written to the record's `extra` JSON, under field names prefixed `cf_` so they never clash
  with a model field.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from sales_erp.workbench.models import CustomField, FieldType
from sales_erp.workbench.selectors import custom_fields_for

PREFIX = "cf_"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NAME_INVALID = "字段名「{name}」须以英文字母开头，只含字母、数字和下划线"
NAME_TAKEN = "字段名「{name}」与表单已有字段重名，请换一个"
CHOICES_MISSING = "类型为「选项」时至少填写一个选项（每行一个）"


def form_field(field: CustomField) -> forms.Field:
    common: dict[str, Any] = {"label": field.label, "required": field.required, "help_text": field.help_text}
    if field.field_type == FieldType.NUMBER:
        return forms.DecimalField(max_digits=20, decimal_places=6, **common)
    if field.field_type == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.field_type == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *((c, c) for c in field.choice_list)], **common)
    return forms.CharField(max_length=500, **common)


def json_value(value: Any) -> Any:
    """What a custom field's cleaned value is stored as: Decimals as strings, dates in ISO form."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def form_class_extend(form_class: type[forms.BaseForm], *, entity: str, prefix: str = "") -> type[forms.BaseForm]:
    """`form_class` plus the active custom fields of `entity`, after its own fields, in their order."""
    fields = {f"{prefix}{cf.name}": form_field(cf) for cf in custom_fields_for(entity)}
    if not fields:
        return form_class
    return type(form_class.__name__, (form_class,), fields)


class CustomFieldModelForm(forms.ModelForm):
    """A ModelForm whose `cf_<name>` fields are kept in the instance's `extra` JSON field."""

    custom_field_entity = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extra = getattr(self.instance, "extra", None) or {}
        for name in self.fields:
            if name.startswith(PREFIX) and name[len(PREFIX) :] in extra:
                self.initial.setdefault(name, extra[name[len(PREFIX) :]])

    def save(self, commit: bool = True) -> models.Model:
        extra = dict(getattr(self.instance, "extra", None) or {})
        for name, value in self.cleaned_data.items():
            if name.startswith(PREFIX):
                extra[name[len(PREFIX) :]] = json_value(value)
        self.instance.extra = extra
        return super().save(commit=commit)


def model_form_extend(form_class: type[forms.ModelForm], *, entity: str) -> type[forms.ModelForm]:
    """A ModelForm class with `entity`'s custom fields, saved into `extra` (used by the admin mixin)."""
    base = (
        form_class
        if issubclass(form_class, CustomFieldModelForm)
        else type(form_class.__name__, (CustomFieldModelForm, form_class), {})
    )
    return form_class_extend(base, entity=entity, prefix=PREFIX)  # type: ignore[return-value]


def custom_field_name_check(*, name: str, taken: set[str]) -> None:
    if not NAME.match(name or ""):
        raise ValidationError({"name": NAME_INVALID.format(name=name)})
    if name in taken:
        raise ValidationError({"name": NAME_TAKEN.format(name=name)})
