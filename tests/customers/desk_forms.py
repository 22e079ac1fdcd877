"""Filling in desk (admin) forms in tests the way a browser submits them: every field a page shows,
with its current value, plus the management data of its inline formsets."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm
from django.test import Client


def _form_values(form: BaseForm, prefix: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = f"{prefix}-{name}" if prefix else name
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                values[key] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        values[key] = value
    return values


def page_form_data(client: Client, url: str) -> dict[str, Any]:
    """GET the add/change page at `url` and return what submitting it unchanged would POST."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    context = response.context
    data = _form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count()
        data[f"{formset.prefix}-TOTAL_FORMS"] = initial
        data[f"{formset.prefix}-INITIAL_FORMS"] = initial
        data[f"{formset.prefix}-MIN_NUM_FORMS"] = 0
        data[f"{formset.prefix}-MAX_NUM_FORMS"] = 1000
        for form in formset.initial_forms:
            data.update(_form_values(form, form.prefix))
    return data


def inline_rows(data: dict[str, Any], prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Add new rows to an inline formset of `data` (as the 添加 button of the page would)."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{start + offset}-{key}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = start + len(rows)
    return data
