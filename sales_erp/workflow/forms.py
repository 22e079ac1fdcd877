"""The base of every process form, and how the engine finds a process's form.

A domain writes `class WriteOffForm(ProcessForm)` with its fields; the field *names* are what
auto-pass conditions refer to, the *labels* what the timeline and the instance page show. The admin's
custom fields for the process code are appended to it. A code with no registered form gets a form made
of its custom fields only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.desk.forms import desk_widget_style
from sales_erp.workbench.forms import form_class_extend


def json_safe(value: Any) -> Any:
    """Form data as stored: Decimals as strings, dates in ISO form, model objects as their pk."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return value


class ProcessForm(forms.Form):
    """Base of every process form. `target` is the object the process starts from, `user` who fills it in."""

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        initial: dict[str, Any] | None = None,
        target: models.Model | None = None,
        user: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(data, files, initial=initial, **kw)
        self.target = target
        self.user = user
        desk_widget_style(self)

    def form_data(self) -> dict[str, Any]:
        """The cleaned data in the JSON-safe form the instance stores (call after is_valid())."""
        return {name: json_safe(value) for name, value in self.cleaned_data.items() if not hasattr(value, "read")}

    @classmethod
    def field_labels(cls) -> dict[str, str]:
        return {name: str(field.label or name) for name, field in cls.base_fields.items()}


class CustomFieldsOnlyForm(ProcessForm):
    """The form of a process code with no registered form: only the workbench's custom fields."""


def process_form_class(code: str) -> type[ProcessForm]:
    """The registered form of `code` plus its custom fields (or the custom fields alone)."""
    process = hooks.PROCESSES.get(code)
    base: type[ProcessForm] = import_string(process.form) if process else CustomFieldsOnlyForm
    return form_class_extend(base, entity=code)  # type: ignore[return-value]


def registered_field_labels(code: str) -> dict[str, str] | None:
    """name -> label of the fields a condition may name; None when the process has no registered form yet
    (then the fields cannot be known, and a condition is accepted as written)."""
    process = hooks.PROCESSES.get(code)
    form_class = process_form_class(code)
    labels = form_class.field_labels()
    if process is None and not labels:
        return None
    return labels


def display_rows(form_class: type[ProcessForm], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) of every form field, the way a reader expects: choices by their label, yes/no."""
    rows = []
    for name, field in form_class.base_fields.items():
        value = data.get(name)
        rows.append((str(field.label or name), display_value(field, value)))
    return rows


def display_value(field: forms.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(field, forms.BooleanField):
        return "是" if value else "否"
    if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
        if isinstance(value, list):
            return "、".join(str(o) for o in field.queryset.filter(pk__in=value))
        found = field.queryset.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in field.choices}  # type: ignore[union-attr, misc]
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in values)
    return str(value)
