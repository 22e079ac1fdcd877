"""Turning custom-field rows (or the specs instances keep of them) into form fields, and forms that carry them.

- `form_field(spec)`: the Django form field of one custom field, by type. Bad input is refused with the
  field's label and the value in the message ("「数量」须是数字，「abc」不是数字").
- `form_class_with_fields(form_class, specs)` / `form_class_extend(form_class, entity=...)`: a subclass of
  any form with custom fields added (process forms use the field names as they are; their values go
  into the instance's form data).
- `CustomFieldModelForm` (with `model_form_extend`): a ModelForm whose custom-field values are read
  from and written to the record's `extra` JSON, under field names prefixed `cf_` so they never clash
  with a model field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sales_erp.workbench import links
from sales_erp.workbench.models import LINK_KINDS, MONEY_PLACES, PROCESS_ONLY_TYPES, FieldType
from sales_erp.workbench.selectors import custom_fields_for

PREFIX = "cf_"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NAME_INVALID = "字段名「{name}」须以英文字母开头，只含字母、数字和下划线"
NAME_TAKEN = "字段名「{name}」与表单已有字段重名，请换一个"
CHOICES_MISSING = "类型为「选项」时至少填写一个选项（每行一个）"
PROCESS_ONLY = "类型「{type}」只能用于流程表单"
# The label is put in at build time; %(value)s is what the user typed (Django fills it in).
NUMBER_INVALID = "「{label}」须是数字，「%(value)s」不是数字"
PLACES_EXCEEDED = "「{label}」最多 {places} 位小数，「%(value)s」超过了"
LINK_INVALID = "「{label}」: 所选{kind}不存在或您无权查看，请重新选择"


def percent_safe(text: str) -> str:
    """A label inside a %-formatted Django message must not be read as a placeholder."""
    return text.replace("%", "%%")


class NumberField(forms.DecimalField):
    """A decimal whose "not a number" message names the field and repeats the value."""

    def __init__(self, *, label: str, places: int, **kwargs: Any) -> None:
        super().__init__(
            max_digits=20,
            decimal_places=places,
            label=label,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            error_messages={
                "invalid": NUMBER_INVALID.format(label=percent_safe(label)),
                "max_decimal_places": PLACES_EXCEEDED.format(label=percent_safe(label), places=places),
            },
            **kwargs,
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid":
                raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from None
            raise


class MoneyField(NumberField):
    """Money with exactly `places` decimals (2 for amounts, 6 for unit prices): more are refused, fewer
    are padded ("12" is kept as "12.00"), so the stored figure never needs rounding."""

    def clean(self, value: Any) -> Decimal | None:
        number = super().clean(value)
        if number is None:
            return None
        return number.quantize(Decimal(1).scaleb(-(self.decimal_places or 0)))


class YesNoSelect(forms.NullBooleanSelect):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "---------"), ("true", "是"), ("false", "否")]


class YesNoField(forms.NullBooleanField):
    """是/否 chosen from a list, so "required" means "answer it" (a required checkbox would mean "tick it")."""

    widget = YesNoSelect

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class LinkField(forms.ModelChoiceField):
    """A customer, product or account, offered only from what the user may see (`limit_to`).

    The value kept is the object's id and its name at that moment, so the instance stays readable after
    the object is renamed or deleted; the stored dict is accepted back as input (resubmit, API).
    """

    def __init__(self, *, kind: str, label: str, **kwargs: Any) -> None:
        self.kind = kind
        model = links.OBJECT_KINDS[kind].model_class()
        assert model is not None  # link kinds are the customers app's own models
        super().__init__(
            queryset=model._default_manager.none(),
            label=label,
            error_messages={
                "invalid_choice": LINK_INVALID.format(label=percent_safe(label), kind=links.OBJECT_KINDS[kind].label)
            },
            **kwargs,
        )

    def limit_to(self, user: Any) -> None:
        self.queryset = links.objects_visible_to(user, self.kind)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value.get("id")
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict):
            value = value.get("id")
        return super().to_python(value)

    @staticmethod
    def stored(obj: models.Model | None) -> dict[str, Any] | None:
        return {"id": obj.pk, "label": str(obj)} if obj is not None else None


class AttachmentInput(forms.FileInput):
    """A file box that says which file the field already holds (resubmit, an editable node)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        if isinstance(value, dict) and value.get("name"):
            return format_html('<div class="wf-muted">已上传：{}（不选择新文件则保留）</div>{}', value["name"], box)
        return box


def form_field(spec: dict[str, Any]) -> forms.Field:
    """The form field of one custom field, from its spec (`CustomField.spec()` or an instance's snapshot)."""
    kind = spec.get("type", FieldType.TEXT)
    label = str(spec.get("label") or spec["name"])
    common: dict[str, Any] = {"required": bool(spec.get("required")), "help_text": spec.get("help_text", "")}
    if kind == FieldType.NUMBER:
        return NumberField(label=label, places=6, **common)
    if kind in MONEY_PLACES:
        return MoneyField(label=label, places=MONEY_PLACES[FieldType(kind)], **common)
    if kind == FieldType.DATE:
        return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        choices = [("", "---------"), *((c, c) for c in spec.get("choices", []))]
        return forms.ChoiceField(label=label, choices=choices, **common)
    if kind == FieldType.YES_NO:
        return YesNoField(label=label, **common)
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(label=label, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == FieldType.ATTACHMENT:
        return forms.FileField(label=label, widget=AttachmentInput, **common)
    if kind in LINK_KINDS:
        return LinkField(kind=LINK_KINDS[FieldType(kind)], label=label, **common)
    return forms.CharField(label=label, max_length=500, **common)


def json_value(value: Any) -> Any:
    """What a custom field's cleaned value is stored as: Decimals as strings, dates in ISO form."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def form_class_with_fields(
    form_class: type[forms.BaseForm], specs: Iterable[dict[str, Any]], *, prefix: str = ""
) -> type[forms.BaseForm]:
    """`form_class` plus one field per spec, after its own fields, in the specs' order."""
    fields = {f"{prefix}{spec['name']}": form_field(spec) for spec in specs}
    if not fields:
        return form_class
    return type(form_class.__name__, (form_class,), fields)


def form_class_extend(form_class: type[forms.BaseForm], *, entity: str, prefix: str = "") -> type[forms.BaseForm]:
    """`form_class` plus the active custom fields of `entity` as they are now."""
    return form_class_with_fields(form_class, [cf.spec() for cf in custom_fields_for(entity)], prefix=prefix)


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


def custom_field_check(*, data: dict[str, Any], taken: set[str], for_process: bool) -> None:
    """One custom-field row as an admin entered it: a usable name, choices for 选项, a type that fits the
    form it is on. Raises ValidationError keyed by the offending field."""
    errors: dict[str, str] = {}
    if data.get("name"):
        try:
            custom_field_name_check(name=data["name"], taken=taken)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    kind = data.get("field_type")
    if kind == FieldType.CHOICE and not [c for c in (data.get("choices") or "").splitlines() if c.strip()]:
        errors["choices"] = CHOICES_MISSING
    if kind in PROCESS_ONLY_TYPES and not for_process:
        errors["field_type"] = PROCESS_ONLY.format(type=FieldType(kind).label)
    if errors:
        raise ValidationError(errors)
