"""The base of every process form, and how the engine finds a process's form.

A domain writes `class WriteOffForm(ProcessForm)` with its fields; the field *names* are what
auto-pass conditions refer to, the *labels* what the timeline and the instance page show. The admin's
custom fields for the process code are appended to it. A code with no registered form gets a form made
of its custom fields only (a no-code process type).

A new start uses the custom fields as they are now (`process_form_class(code)`); an instance uses the
fields its snapshot kept at submit (`instance_form_class(instance)`), so a type edited or retired later
still shows, edits and exports every instance with the form it was started with.
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
from sales_erp.workbench.forms import LinkField, form_class_extend, form_class_with_fields


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
        for field in self.fields.values():
            if isinstance(field, LinkField):
                field.limit_to(user)
        desk_widget_style(self)

    def form_data(self) -> dict[str, Any]:
        """The cleaned data in the JSON-safe form the instance stores (call after is_valid()).

        A linked object is kept as its id and its name now; an uploaded file is left out here: the engine
        stores it with the instance's attachments and puts {id, name, size} under the field's name.
        """
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            field = self.fields[name]
            if isinstance(field, LinkField):
                data[name] = field.stored(value)
            elif not hasattr(value, "read"):
                data[name] = json_safe(value)
        return data

    def uploads(self) -> dict[str, Any]:
        """The files uploaded into the form's own attachment fields (call after is_valid())."""
        return {name: value for name, value in self.cleaned_data.items() if hasattr(value, "read")}

    @classmethod
    def field_labels(cls) -> dict[str, str]:
        return {name: str(field.label or name) for name, field in cls.base_fields.items()}


class CustomFieldsOnlyForm(ProcessForm):
    """The form of a process code with no registered form: only the workbench's custom fields."""


def process_form_class(code: str, fields: list[dict[str, Any]] | None = None) -> type[ProcessForm]:
    """The registered form of `code` plus its custom fields (or the custom fields alone): the fields as
    they are now, or the specs in `fields` (what an instance's snapshot kept)."""
    process = hooks.PROCESSES.get(code)
    base: type[ProcessForm] = import_string(process.form) if process else CustomFieldsOnlyForm
    if fields is None:
        return form_class_extend(base, entity=code)  # type: ignore[return-value]
    return form_class_with_fields(base, fields)  # type: ignore[return-value]


def instance_form_class(instance: Any) -> type[ProcessForm]:
    """The form an instance was started with. Instances submitted before fields were snapshotted (and
    drafts, which have no snapshot yet) use the current fields."""
    return process_form_class(instance.code, (instance.definition_snapshot or {}).get("fields"))


def registered_field_labels(code: str) -> dict[str, str] | None:
    """name -> label of the fields a condition may name; None when the process has no registered form yet
    (then the fields cannot be known, and a condition is accepted as written)."""
    process = hooks.PROCESSES.get(code)
    form_class = process_form_class(code)
    labels = form_class.field_labels()
    if process is None and not labels:
        return None
    return labels


def display_value(field: forms.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if hasattr(field, "display_value"):  # a field that shows its own stored value (tier editor, bill tables)
        return str(field.display_value(value))
    if isinstance(field, LinkField | forms.FileField) and isinstance(value, dict):
        return str(value.get("label") or value.get("name") or "")  # the name kept at submit
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
